"""Drive a running forcereset through third-party SOAP toolkits: zeep, then suds.

Usage: soap_clients.py BASE_URL USER PASSWORD TARGET_USER

Both toolkits import the served WSDLs (?wsdl) and call operations through their generated clients,
exactly as a SOAP-UI or Python user of WSO2 IS would. Prints one line per check and a closing
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
EMAIL = "http://wso2.org/claims/emailaddress"
GIVEN = "http://wso2.org/claims/givenname"
results = {"passed": 0, "failed": 0}


def check(name, fn):
    try:
        fn()
        results["passed"] += 1
        print(f"ok   {name}")
    except Exception:  # noqa: BLE001 - report every failure and go on
        results["failed"] += 1
        print(f"FAIL {name}")
        traceback.print_exc()


def session():
    s = requests.Session()
    s.verify = False
    s.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=False
    s.auth = (USER, PASSWORD)
    return s


# ---------------------------------------------------------------- zeep
def zeep_checks():
    from zeep import Client, Settings
    from zeep.transports import Transport

    settings = Settings(strict=True, raw_response=False)
    transport = Transport(session=session())

    def client(svc):
        return Client(f"{BASE}/services/{svc}?wsdl", transport=transport, settings=settings)

    upm = client("UserProfileMgtService")
    rus = client("RemoteUserStoreManagerService")
    gov = client("IdentityGovernanceAdminService")

    def set_and_get_profile():
        dto_t = upm.get_type("{http://mgt.profile.user.identity.carbon.wso2.org/xsd}UserProfileDTO")
        field_t = upm.get_type("{http://mgt.profile.user.identity.carbon.wso2.org/xsd}UserFieldDTO")
        dto = dto_t(
            fieldValues=[
                field_t(claimUri=GIVEN, fieldValue="Tom", readOnly=False),
                field_t(claimUri=EMAIL, fieldValue="tom@example.com", readOnly=False),
            ],
            profileName="default",
        )
        assert upm.service.setUserProfile(username=TARGET, profile=dto) is None
        profile = upm.service.getUserProfile(username=TARGET, profileName="default")
        values = {f.claimUri: f.fieldValue for f in profile.fieldValues}
        assert values[GIVEN] == "Tom", values
        assert values[EMAIL] == "tom@example.com", values
        assert profile.profileName == "default"

    def soap12_binding():
        svc = upm.bind("UserProfileMgtService", "UserProfileMgtServiceHttpsSoap12Endpoint")
        profile = svc.getUserProfile(username=TARGET, profileName="default")
        assert any(f.claimUri == EMAIL for f in profile.fieldValues)

    def claim_value_agrees():
        assert rus.service.getUserClaimValue(userName=TARGET, claim=EMAIL, profileName="default") == "tom@example.com"

    def users_and_roles():
        users = rus.service.listUsers(filter="*", maxItemLimit=100)
        assert TARGET in users and USER in users, users
        assert rus.service.isExistingUser(userName=TARGET) is True
        assert rus.service.authenticate(userName=USER, credential=PASSWORD) is True
        assert rus.service.authenticate(userName=USER, credential="wrong-password") is False

    def fault_is_raised():
        from zeep.exceptions import Fault

        try:
            upm.service.getUserProfile(username="no-such-user-zeep", profileName="default")
        except Fault as f:
            assert "no-such-user-zeep" in f.message, f.message
        else:
            raise AssertionError("expected a SOAP fault")

    def governance_round_trip():
        connectors = gov.service.getConnectorList()
        reset = [c for c in connectors if c.name == "admin-forced-password-reset"][0]
        names = {p.name: p.value for p in reset.properties}
        assert "Recovery.AdminPasswordReset.Offline" in names, names
        prop_t = gov.get_type("{http://model.common.application.identity.carbon.wso2.org/xsd}Property")
        # As product-is IdentityGovernanceTestCase does: the account lock's Time, read back from its connector.
        gov.service.updateConfigurations(configurations=[prop_t(name="account.lock.handler.Time", value="30")])
        after = gov.service.getConnectorList()
        lock = [c for c in after if c.name == "account.lock.handler"][0]
        assert {p.name: p.value for p in lock.properties}["account.lock.handler.Time"] == "30"

    def email_templates_round_trip():
        from zeep.exceptions import Fault

        i18n = client("I18nEmailMgtConfigService")
        tmpl_t = i18n.get_type("{http://model.mgt.email.carbon.wso2.org/xsd}EmailTemplate")
        types = i18n.service.getEmailTemplateTypes()
        assert "resendAdminForcedPasswordReset" in types, types
        i18n.service.addEmailTemplateType(emailTemplateDisplayName="Zeep Notice")
        i18n.service.saveEmailTemplate(emailTemplate=tmpl_t(
            body="Hello {{user-name}}", emailContentType="text/plain", footer="--", locale="fr_FR",
            subject="Zeep subject", templateDisplayName="Zeep Notice", templateType="zeepnotice"))
        saved = [t for t in i18n.service.getAllTemplatesForTenant() if t.templateDisplayName == "Zeep Notice"]
        assert len(saved) == 1 and saved[0].subject == "Zeep subject", saved
        assert saved[0].emailContentType == "text/plain; charset=UTF-8", saved[0].emailContentType
        try:
            i18n.service.addEmailTemplateType(emailTemplateDisplayName="Zeep Notice")
        except Fault as f:
            assert f.message == "Error while adding email template type to carbon.super tenant.", f.message
        else:
            raise AssertionError("expected a SOAP fault for a duplicate type")
        i18n.service.deleteEmailTemplate(emailTemplateDisplayName="Zeep Notice", locale="fr_FR")
        i18n.service.deleteEmailTemplateType(emailTemplateDisplayName="Zeep Notice")
        assert "Zeep Notice" not in i18n.service.getEmailTemplateTypes()

    def tenants_round_trip():
        tms = client("TenantMgtAdminService")
        bean_t = tms.get_type("{http://beans.common.stratos.carbon.wso2.org/xsd}TenantInfoBean")
        # As WSO2's TenantManagementServiceClient.addTenant: getTenant, add when tenantId is 0, activate if inactive.
        assert tms.service.getTenant(tenantDomain="zeep.org").tenantId == 0
        assert tms.service.checkDomainAvailability(domainName="zeep.org") is True
        made = tms.service.addTenant(tenantInfoBean=bean_t(
            active=True, admin="kim", adminPassword="Kim@1234", email="kim@zeep.org", firstname="Kim",
            lastname="Lee", tenantDomain="zeep.org", tenantId=0))
        assert made and len(made) == 36, made
        got = tms.service.getTenant(tenantDomain="zeep.org")
        assert got.active is True and got.tenantId > 0 and got.admin == "kim", got
        assert got.adminPassword is None and got.createdDate is not None, got
        assert tms.service.checkDomainAvailability(domainName="zeep.org") is False
        assert "zeep.org" in [t.tenantDomain for t in tms.service.retrieveTenants()]
        assert tms.service.deactivateTenant(tenantDomain="zeep.org") is None
        assert tms.service.getTenant(tenantDomain="zeep.org").active is False
        tms.service.activateTenant(tenantDomain="zeep.org")
        page = tms.service.retrievePaginatedTenants(pageNumber=0)
        assert page.numberOfPages == 1 and page.tenantInfoBeans[0].active is True, page

    check("zeep: import the four served WSDLs", lambda: None)
    check("zeep: setUserProfile(UserProfileDTO) then getUserProfile", set_and_get_profile)
    check("zeep: SOAP 1.2 binding", soap12_binding)
    check("zeep: getUserClaimValue sees the profile write", claim_value_agrees)
    check("zeep: listUsers, isExistingUser, authenticate", users_and_roles)
    check("zeep: a business error arrives as a zeep Fault", fault_is_raised)
    check("zeep: getConnectorList / updateConfigurations", governance_round_trip)
    check("zeep: I18nEmailMgtConfigService types and templates", email_templates_round_trip)
    check("zeep: TenantMgtAdminService add, get, list, deactivate, activate", tenants_round_trip)


# ---------------------------------------------------------------- suds
def suds_checks():
    from suds.client import Client
    from suds.transport.https import HttpAuthenticated

    class Transport(HttpAuthenticated):
        def __init__(self, **kw):
            super().__init__(**kw)
            import ssl
            import urllib.request

            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            self._handlers = [urllib.request.HTTPSHandler(context=ctx)]

        def u2handlers(self):
            return super().u2handlers() + self._handlers

    def client(svc):
        return Client(
            f"{BASE}/services/{svc}?wsdl",
            transport=Transport(username=USER, password=PASSWORD),
            cache=None,
        )

    def profile_read():
        upm = client("UserProfileMgtService")
        profile = upm.service.getUserProfile(TARGET, "default")
        values = {f.claimUri: getattr(f, "fieldValue", None) for f in profile.fieldValues}
        assert values[EMAIL] == "tom@example.com", values

    def claim_write_and_read():
        rus = client("RemoteUserStoreManagerService")
        rus.service.setUserClaimValue(TARGET, GIVEN, "Thomas", "default")
        assert rus.service.getUserClaimValue(TARGET, GIVEN, "default") == "Thomas"

    def connectors():
        gov = client("IdentityGovernanceAdminService")
        names = [c.name for c in gov.service.getConnectorList()]
        assert "admin-forced-password-reset" in names, names

    def email_templates():
        i18n = client("I18nEmailMgtConfigService")
        t = i18n.factory.create("{http://model.mgt.email.carbon.wso2.org/xsd}EmailTemplate")
        t.body, t.emailContentType, t.footer, t.locale = "Hi {{user-name}}", "text/plain", "--", "en_GB"
        t.subject, t.templateDisplayName, t.templateType = "Suds subject", "Suds Notice", "sudsnotice"
        i18n.service.addEmailTemplate(t)
        found = [x for x in i18n.service.getAllTemplatesForTenant() if x.templateDisplayName == "Suds Notice"]
        assert found and found[0].locale == "en_GB", found
        assert "Suds Notice" in i18n.service.getEmailTemplateTypes()
        i18n.service.deleteEmailTemplateType("Suds Notice")

    def tenants():
        tms = client("TenantMgtAdminService")
        assert tms.service.getTenant("suds.org").tenantId == 0
        bean = tms.factory.create("{http://beans.common.stratos.carbon.wso2.org/xsd}TenantInfoBean")
        bean.active, bean.admin, bean.adminPassword, bean.email = True, "kim", "Kim@1234", "kim@suds.org"
        bean.firstname, bean.lastname, bean.tenantDomain, bean.tenantId = "Kim", "Lee", "suds.org", 0
        tms.service.addTenant(bean)
        got = tms.service.getTenant("suds.org")
        assert got.active is True and got.tenantDomain == "suds.org", got
        page = tms.service.retrievePaginatedTenants(0)
        assert "suds.org" in [t.tenantDomain for t in page.tenantInfoBeans], page

    check("suds: getUserProfile through the generated client", profile_read)
    check("suds: setUserClaimValue / getUserClaimValue", claim_write_and_read)
    check("suds: getConnectorList", connectors)
    check("suds: I18nEmailMgtConfigService addEmailTemplate / getAllTemplatesForTenant", email_templates)
    check("suds: TenantMgtAdminService addTenant / getTenant / retrievePaginatedTenants", tenants)


check("toolkits load", lambda: (__import__("zeep"), __import__("suds")))
zeep_checks()
suds_checks()
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
