"""An application of tenant TENANT signing a user in with Authlib (a real OIDC client library) against the
tenant's own discovery document (`/t/TENANT/oauth2/token/.well-known/openid-configuration`): the code flow with
PKCE S256 from the discovered authorization endpoint through the tenant's login page (driven with `requests`,
no browser), the code exchanged at the discovered token endpoint, the ID token's signature verified against the
discovered JWKS and its issuer against the discovered one; then the password grant with the bare user name.

Usage: oauth_tenant_authlib.py BASE_URL TENANT CLIENT_ID CLIENT_SECRET REDIRECT_URI USER PASSWORD
Prints one line per check and 'N passed, N failed'; exits non-zero on any failure.
"""
import re
import sys
import traceback
import urllib.parse

import requests
import urllib3
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken

BASE, TENANT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, USER, PASSWORD = sys.argv[1:8]
urllib3.disable_warnings()
results = {"passed": 0, "failed": 0}
state = {}


def check(name, fn):
    try:
        fn()
        results["passed"] += 1
        print(f"ok   {name}")
    except Exception:  # noqa: BLE001 - report every failure and go on
        results["failed"] += 1
        print(f"FAIL {name}")
        traceback.print_exc(file=sys.stdout)


def session():
    s = requests.Session()
    s.verify = False
    # REQUESTS_CA_BUNDLE and proxies from the environment would override `verify` (requests#3829).
    s.trust_env = False
    return s


def discovery():
    url = f"{BASE}/t/{TENANT}/oauth2/token/.well-known/openid-configuration"
    meta = session().get(url).json()
    assert meta["issuer"] == f"{BASE}/t/{TENANT}/oauth2/token", meta["issuer"]
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"):
        assert meta[key].startswith(f"{BASE}/t/{TENANT}/"), (key, meta[key])
    state["meta"] = meta


def client():
    c = OAuth2Session(
        CLIENT_ID,
        CLIENT_SECRET,
        scope="openid",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )
    c.verify = False
    c.trust_env = False
    return c


def code_flow():
    meta = state["meta"]
    app = client()
    verifier = "v" * 43 + "-._~tenant"
    url, _ = app.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier, nonce="n0nce")
    browser = session()
    start = browser.get(url, allow_redirects=False)
    assert start.status_code == 302, start.text
    login_url = start.headers["Location"]
    assert login_url.startswith(f"{BASE}/t/{TENANT}/authenticationendpoint/login.do?"), login_url
    page = browser.get(login_url)
    action = re.search(r'<form[^>]* action="([^"]+)"', page.text).group(1).replace("&#x2f;", "/")
    assert action == f"/t/{TENANT}/commonauth", action
    key = re.search(r'name="sessionDataKey"[^>]* value="([^"]+)"', page.text).group(1)
    answer = browser.post(
        urllib.parse.urljoin(BASE, action),
        data={"sessionDataKey": key, "username": USER, "password": PASSWORD},
        allow_redirects=False,
    )
    back = answer.headers["Location"]
    assert back.startswith(REDIRECT_URI + "?code="), back
    token = app.fetch_token(meta["token_endpoint"], authorization_response=back, code_verifier=verifier)
    keys = JsonWebKey.import_key_set(session().get(meta["jwks_uri"]).json())
    claims = jwt.decode(
        token["id_token"],
        keys,
        claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": meta["issuer"]}},
        claims_params={"nonce": "n0nce", "client_id": CLIENT_ID},
    )
    claims.validate()
    assert claims["aud"] == CLIENT_ID or CLIENT_ID in claims["aud"], claims["aud"]
    info = session().get(meta["userinfo_endpoint"], headers={"Authorization": "Bearer " + token["access_token"]})
    assert info.status_code == 200 and info.json()["sub"] == claims["sub"], info.text


def password_grant():
    token = client().fetch_token(state["meta"]["token_endpoint"], username=USER, password=PASSWORD)
    assert token["access_token"], token


check("discovery under /t/{tenant}/ names the tenant's issuer and endpoints", discovery)
check("the code flow through the tenant's login page; the ID token verified against the discovered keys and issuer",
      code_flow)
check("the password grant with a bare user name at the tenant's token endpoint", password_grant)
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
