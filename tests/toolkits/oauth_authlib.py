"""An application signing a user in through forcereset with Authlib (a real OIDC client library) and headless
Chromium: DCR registration, the code flow with PKCE S256 through the real pages for a user with a pending OTP
reset (login with the OTP, the reset page, the new password, login again), ending at a redirect URI this script
serves (after the consent page), the code exchanged, the ID token's signature verified against the JWKS, the user signed out through
/oidc/logout (back at the application with the state; a foreign URI refused); then the password grant's
answers, and what introspection and a refresh say of tokens issued before a forced reset.

Usage: oauth_authlib.py BASE_URL USER OTP NEW_PASSWORD OLD_ACCESS OLD_REFRESH OLD_CLIENT_ID OLD_CLIENT_SECRET
                        GRANT_USER GRANT_PASSWORD RESET_TEXT SCREENSHOT_DIR
OLD_* are tokens issued to USER before the reset, and the client they were issued to. RESET_TEXT is the
release's invalid_grant description for USER's password grant while the reset is pending.
Prints one line per check and 'N passed, N failed'.
"""
import http.server
import os
import secrets
import sys
import threading
import traceback
import urllib.parse

import requests
import urllib3
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from browserkit import browser as chromium, check, summary, wait_for
from selenium.webdriver.common.by import By

(BASE, USER, OTP, NEW_PASSWORD, OLD_ACCESS, OLD_REFRESH, OLD_ID, OLD_SECRET, GRANT_USER, GRANT_PASSWORD,
 RESET_TEXT, SHOTS) = sys.argv[1:13]
os.makedirs(SHOTS, exist_ok=True)
urllib3.disable_warnings()
ADMIN = ("admin", "admin")

# The application's redirect URI: a one-page server recording what the browser brought back.
received = []


class Callback(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/cb"):  # not the browser's /favicon.ico
            received.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html><body><h1>Signed in</h1></body></html>")

    def log_message(self, *args):
        pass


def fill_and_submit(driver, fields):
    for name, value in fields.items():
        box = driver.find_element(By.NAME, name)
        box.clear()
        box.send_keys(value)
    driver.find_element(By.CSS_SELECTOR, "form [type=submit]").click()


def main():
    server = http.server.HTTPServer(("127.0.0.1", 0), Callback)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    redirect_uri = f"http://127.0.0.1:{server.server_address[1]}/cb"

    meta = requests.get(f"{BASE}/oauth2/token/.well-known/openid-configuration", verify=False).json()
    check("discovery names the issuer", meta.get("issuer") == f"{BASE}/oauth2/token", meta.get("issuer"))
    reg = requests.post(meta["registration_endpoint"], auth=ADMIN, verify=False, json={
        "client_name": "authlib_app", "grant_types": ["authorization_code", "refresh_token", "password"],
        "redirect_uris": [redirect_uri]})
    check("DCR registers the application (201)", reg.status_code == 201, reg.text)
    app = reg.json()

    client = OAuth2Session(app["client_id"], app["client_secret"], scope="openid", redirect_uri=redirect_uri,
                           code_challenge_method="S256")
    client.verify = False
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(12)
    uri, state = client.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
    check("authlib sends an S256 challenge", create_s256_code_challenge(verifier) in uri, uri)

    driver = chromium(os.path.join(SHOTS, "profile"), 1280)
    try:
        driver.get(uri)
        wait_for(driver, lambda: "/authenticationendpoint/login.do" in driver.current_url, "the login page")
        driver.save_screenshot(os.path.join(SHOTS, "01-login.png"))
        fill_and_submit(driver, {"username": USER, "password": OTP})
        wait_for(driver, lambda: "Enter New Password" in driver.page_source, "the reset page")
        driver.save_screenshot(os.path.join(SHOTS, "02-reset.png"))
        fill_and_submit(driver, {"reset-password": NEW_PASSWORD, "reset-password2": NEW_PASSWORD})
        wait_for(driver, lambda: "/authenticationendpoint/login.do" in driver.current_url
                 and "Updated the password successfully" in driver.page_source, "the login page again")
        driver.save_screenshot(os.path.join(SHOTS, "03-login-again.png"))
        fill_and_submit(driver, {"username": USER, "password": NEW_PASSWORD})
        # The consent page (OAuth2AuthzEndpoint, oauth2_consent.do for an openid request): approve once.
        wait_for(driver, lambda: "/authenticationendpoint/oauth2_consent.do" in driver.current_url, "the consent page")
        check("the consent page names the application", "authlib_app" in driver.page_source, driver.current_url)
        driver.save_screenshot(os.path.join(SHOTS, "035-consent.png"))
        driver.find_element(By.CSS_SELECTOR, "button[value=approve]").click()
        wait_for(driver, lambda: received, "the application's redirect URI")
        driver.save_screenshot(os.path.join(SHOTS, "04-back-at-the-app.png"))
    except BaseException:
        driver.quit()
        raise
    back = redirect_uri.rsplit("/", 1)[0] + received[0]
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(back).query))
    check("the flow ends at the redirect URI with a code", "code" in query, back)
    check("the state comes back", query.get("state") == state, query)

    token = client.fetch_token(meta["token_endpoint"], authorization_response=back, code_verifier=verifier,
                               verify=False)
    check("the code is exchanged for tokens", "access_token" in token and "id_token" in token, token)
    jwks = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], verify=False).json())
    claims = jwt.decode(token["id_token"], jwks, claims_options={
        "iss": {"essential": True, "value": meta["issuer"]},
        "aud": {"essential": True, "value": app["client_id"]},
        "nonce": {"essential": True, "value": nonce}})
    claims.validate()
    check("the ID token's signature verifies against the JWKS", claims["sub"] == USER, dict(claims))
    info = client.get(meta["userinfo_endpoint"], verify=False).json()
    check("userinfo names the user", info.get("sub") == USER, info)

    # RP-initiated logout in the same browser (OIDCLogoutServlet): the ID token as the hint, the registered
    # redirect URI, a state; the session ends, so a new authorization request meets the login page again.
    try:
        end = meta["end_session_endpoint"] + "?" + urllib.parse.urlencode({
            "id_token_hint": token["id_token"], "post_logout_redirect_uri": redirect_uri, "state": "bye"})
        driver.get(end)
        wait_for(driver, lambda: len(received) > 1, "the application after the logout")
        driver.save_screenshot(os.path.join(SHOTS, "05-logged-out.png"))
        check("the logout returns to the application with the state", received[1] == "/cb?state=bye", received)
        foreign = meta["end_session_endpoint"] + "?" + urllib.parse.urlencode({
            "id_token_hint": token["id_token"], "post_logout_redirect_uri": "https://evil.example/", "state": "x"})
        driver.get(foreign)
        wait_for(driver, lambda: "oauth2_error.do" in driver.current_url, "the error page")
        check("a foreign post-logout URI stays on WSO2's error page",
              "oauthErrorCode=access_denied" in driver.current_url, driver.current_url)
        again, _ = client.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier,
                                                   nonce=nonce)
        driver.get(again)
        wait_for(driver, lambda: "/authenticationendpoint/login.do" in driver.current_url, "the login page")
        check("after the logout the application's next request meets the login page", len(received) == 2,
              received)
    finally:
        driver.quit()

    # The password grant: a good login, and the answer for a user whose reset is pending (USER's old tokens'
    # client is used: USER no longer has a pending reset, GRANT_USER does).
    good = OAuth2Session(app["client_id"], app["client_secret"])
    good.verify = False
    got = good.fetch_token(meta["token_endpoint"], username=USER, password=NEW_PASSWORD, grant_type="password",
                            verify=False)
    check("the password grant issues tokens", "access_token" in got, got)
    try:
        good.fetch_token(meta["token_endpoint"], username=GRANT_USER, password=GRANT_PASSWORD, grant_type="password",
                         verify=False)
        check("a pending reset refuses the password grant", False, "tokens issued")
    except Exception as e:  # authlib's OAuthError
        check("a pending reset refuses the password grant", getattr(e, "error", "") == "invalid_grant"
              and getattr(e, "description", "") == RESET_TEXT, repr(e))
    bad = OAuth2Session(app["client_id"], "wrong-secret")
    bad.verify = False
    try:
        bad.fetch_token(meta["token_endpoint"], username=USER, password=NEW_PASSWORD, grant_type="password",
                            verify=False)
        check("a wrong client secret is refused", False, "tokens issued")
    except Exception as e:
        check("a wrong client secret is refused", getattr(e, "error", "") == "invalid_client", repr(e))

    # Tokens issued before the forced reset: inactive, and their refresh token refused.
    seen = requests.post(meta["introspection_endpoint"], auth=ADMIN, verify=False, data={"token": OLD_ACCESS}).json()
    check("introspection: the pre-reset token is inactive", seen == {"active": False}, seen)
    old = OAuth2Session(OLD_ID, OLD_SECRET)
    old.verify = False
    try:
        old.refresh_token(meta["token_endpoint"], refresh_token=OLD_REFRESH, verify=False)
        check("the pre-reset refresh token is refused", False, "refreshed")
    except Exception as e:
        check("the pre-reset refresh token is refused", getattr(e, "error", "") == "invalid_grant", repr(e))
    # Revocation (RFC 7009) of the new tokens, then introspection says so.
    client.revoke_token(meta["revocation_endpoint"], token=token["access_token"], verify=False)
    seen = requests.post(meta["introspection_endpoint"], auth=ADMIN, verify=False,
                         data={"token": token["access_token"]}).json()
    check("a revoked token is inactive", seen == {"active": False}, seen)
    server.shutdown()


if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        check("the script ran to its end", False)
    sys.exit(summary())
