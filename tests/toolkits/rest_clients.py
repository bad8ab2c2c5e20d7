"""Drive a running forcereset's REST APIs with Python `requests`, as WSO2's documented curl examples do.

Usage: rest_clients.py BASE_URL USER PASSWORD TARGET_USER

The requests are WSO2's documentation examples (identity-governance REST API: "Enable admin forced password
reset" for IS 5.11+, with the 5.11+ category id; the user API's resend-code), sent as `curl -k -u admin:admin`
would send them. TARGET_USER must have an e-mail address. Prints one line per check and a closing
'N passed, N failed' line; exits non-zero on any failure.
"""
import sys
import traceback
import warnings

import requests
import urllib3

warnings.filterwarnings("ignore")
urllib3.disable_warnings()

BASE, USER, PASSWORD, TARGET = sys.argv[1:5]
GOVERNANCE = BASE + "/api/server/v1/identity-governance"
CATEGORY = "QWNjb3VudCBNYW5hZ2VtZW50"  # base64url("Account Management")
CONNECTOR = "YWRtaW4tZm9yY2VkLXBhc3N3b3JkLXJlc2V0"  # base64url("admin-forced-password-reset")
LINK = "Recovery.AdminPasswordReset.RecoveryLink"
results = {"passed": 0, "failed": 0}
session = requests.Session()
session.auth = (USER, PASSWORD)
session.verify = False
# REQUESTS_CA_BUNDLE and proxies from the environment would override `verify` (requests#3829).
session.trust_env = False


def check(name, fn):
    try:
        fn()
        results["passed"] += 1
        print(f"ok   {name}")
    except Exception:  # noqa: BLE001 - report every failure and go on
        results["failed"] += 1
        print(f"FAIL {name}")
        traceback.print_exc()


def list_categories():
    # curl -k -u admin:admin https://localhost:9443/api/server/v1/identity-governance
    r = session.get(GOVERNANCE)
    assert r.status_code == 200, (r.status_code, r.text)
    ids = [c["id"] for c in r.json()]
    assert CATEGORY in ids, ids


def enable_link_mode():
    # curl -k -u admin:admin -X PATCH -H 'Content-Type: application/json' \
    #   https://localhost:9443/api/server/v1/identity-governance/<category>/connectors/<connector> -d '{…}'
    body = {
        "operation": "UPDATE",
        "properties": [
            {"name": LINK, "value": "true"},
            {"name": "Recovery.AdminPasswordReset.OTP", "value": "false"},
            {"name": "Recovery.AdminPasswordReset.Offline", "value": "false"},
        ],
    }
    r = session.patch(f"{GOVERNANCE}/{CATEGORY}/connectors/{CONNECTOR}", json=body)
    assert r.status_code == 200 and r.text == "", (r.status_code, r.text)


def read_back():
    r = session.get(f"{GOVERNANCE}/{CATEGORY}/connectors/{CONNECTOR}")
    assert r.status_code == 200, (r.status_code, r.text)
    values = {p["name"]: p["value"] for p in r.json()["properties"]}
    assert values[LINK] == "true", values


def force_reset_over_soap():
    # The documented trigger: RemoteUserStoreManagerService.setUserClaimValues(adminForcedPasswordReset=true).
    envelope = (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:ser="http://service.ws.um.carbon.wso2.org" xmlns:xsd="http://common.mgt.user.carbon.wso2.org/xsd">'
        "<soapenv:Body><ser:setUserClaimValues>"
        f"<ser:userName>{TARGET}</ser:userName><ser:claims>"
        "<xsd:claimURI>http://wso2.org/claims/identity/adminForcedPasswordReset</xsd:claimURI>"
        "<xsd:value>true</xsd:value></ser:claims><ser:profileName>default</ser:profileName>"
        "</ser:setUserClaimValues></soapenv:Body></soapenv:Envelope>"
    )
    r = session.post(
        BASE + "/services/RemoteUserStoreManagerService",
        data=envelope,
        headers={"Content-Type": "text/xml;charset=UTF-8", "SOAPAction": "urn:setUserClaimValues"},
    )
    assert r.status_code in (200, 202), (r.status_code, r.text)


def resend_code():
    # curl -k -u admin:admin -X POST -H 'Content-Type: application/json' \
    #   https://localhost:9443/api/identity/user/v1.0/resend-code -d '{"user":{…},"properties":[…]}'
    body = {
        "user": {"username": TARGET, "realm": "PRIMARY"},
        "properties": [{"key": "RecoveryScenario", "value": "ADMIN_FORCED_PASSWORD_RESET_VIA_EMAIL_LINK"}],
    }
    r = session.post(BASE + "/api/identity/user/v1.0/resend-code", json=body)
    assert r.status_code == 201 and r.text == "", (r.status_code, r.text)


def errors_are_json():
    r = session.get(GOVERNANCE + "/randomCategory")
    assert r.status_code == 404, (r.status_code, r.text)
    assert r.json()["code"] == "IDG-50008" and r.json()["traceId"], r.text
    r = session.get(GOVERNANCE, params={"limit": 10})
    assert r.status_code == 501 and r.json()["code"] == "IDG-50005", r.text
    anonymous = requests.Session()
    anonymous.trust_env = False
    r = anonymous.get(GOVERNANCE, verify=False)
    assert r.status_code == 401, (r.status_code, r.text)


check("GET identity-governance lists the categories", list_categories)
check("PATCH the reset connector turns the e-mailed link on", enable_link_mode)
check("GET the connector reads the value back", read_back)
check("setUserClaimValues forces the reset", force_reset_over_soap)
check("POST resend-code resends the link", resend_code)
check("errors are WSO2's JSON", errors_are_json)
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
