"""Third-party SCIM clients against forcereset's /scim2 (run by tests/it/scim.rs).

Part 1: scim2-client + scim2-models drive user CRUD, group CRUD with members, and the forced reset in every mode
(offline, e-mailed OTP, e-mailed link), switched through IdentityGovernanceAdminService.updateConfigurations as WSO2's own tests do.
Part 2: scim2-tester runs its compliance checks; every check that does not pass is printed so that the Rust test
can compare it with the list documented in docs/COMPATIBILITY.md (WSO2's own behaviour).

Usage: scim_clients.py BASE_URL WSO2_URN   (BASE_URL = https://localhost:PORT, WSO2_URN = where
forcePasswordReset lives in the emulated release). Prints one JSON object per line; exits non-zero on a failed
part-1 step.
"""

import json
import sys
import warnings

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import Email
from scim2_models import EnterpriseUser
from scim2_models import Extension
from scim2_models import Group
from scim2_models import GroupMember
from scim2_models import Name
from scim2_models import PatchOp
from scim2_models import PatchOperation
from scim2_models import User
from scim2_models.annotations import Mutability
from scim2_models.annotations import Returned
from scim2_models.urn import URN
from scim2_tester import Status
from scim2_tester import check_server
from typing import Annotated

warnings.simplefilter("ignore", DeprecationWarning)

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
SYSTEM = "urn:scim:wso2:schema"


class Wso2Enterprise(Extension):
    """5.11 – 7.0: the enterprise URN with WSO2's own attributes (SCIM2 scim2-schema-extension.config)."""

    __schema__ = URN(ENTERPRISE)
    employee_number: str | None = None
    cost_center: str | None = None
    organization: str | None = None
    division: str | None = None
    department: str | None = None
    ask_password: bool | None = None
    verify_email: bool | None = None
    account_locked: bool | None = None
    account_state: Annotated[str | None, Mutability.read_only] = None
    locked_reason: Annotated[str | None, Mutability.read_only] = None
    failed_login_attempts: int | None = None
    failed_login_lockout_count: int | None = None
    failed_login_attempts_before_success: int | None = None
    failed_password_recovery_attempts: int | None = None
    unlock_time: str | None = None
    last_password_update_time: Annotated[str | None, Mutability.read_only] = None
    last_login_time: Annotated[str | None, Mutability.read_only] = None
    account_disabled: bool | None = None
    email_verified: bool | None = None
    country: str | None = None
    force_password_reset: bool | None = None
    one_time_password: Annotated[str | None, Mutability.read_only, Returned.request] = None
    is_read_only_user: Annotated[bool | None, Mutability.read_only, Returned.request] = None


class Wso2System(Extension):
    """7.1, 7.2: the same attributes under the system schema."""

    __schema__ = URN(SYSTEM)
    ask_password: bool | None = None
    verify_email: bool | None = None
    account_locked: bool | None = None
    account_state: Annotated[str | None, Mutability.read_only] = None
    locked_reason: Annotated[str | None, Mutability.read_only] = None
    failed_login_attempts: int | None = None
    failed_login_lockout_count: int | None = None
    failed_login_attempts_before_success: int | None = None
    failed_password_recovery_attempts: int | None = None
    unlock_time: str | None = None
    last_password_update_time: Annotated[str | None, Mutability.read_only] = None
    last_login_time: Annotated[str | None, Mutability.read_only] = None
    account_disabled: bool | None = None
    email_verified: bool | None = None
    country: str | None = None
    force_password_reset: bool | None = None
    one_time_password: Annotated[str | None, Mutability.read_only, Returned.request] = None
    is_read_only_user: Annotated[bool | None, Mutability.read_only, Returned.request] = None


class CustomUser(Extension):
    """7.1+: the custom schema every User lists and a fresh server maps nothing to."""

    __schema__ = URN("urn:scim:schemas:extension:custom:User")


class Wso2Custom(Extension):
    """6.0 – 7.0: `urn:scim:wso2:schema` is then the (empty) custom schema."""

    __schema__ = URN(SYSTEM)


GOV_ENVELOPE = """<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" \
xmlns:gov="http://governance.identity.carbon.wso2.org" \
xmlns:m="http://model.common.application.identity.carbon.wso2.org/xsd"><s:Body><gov:updateConfigurations>{props}\
</gov:updateConfigurations></s:Body></s:Envelope>"""


def enable(http, mode):
    props = "".join(
        f"<gov:configurations><m:name>Recovery.AdminPasswordReset.{m}</m:name>"
        f"<m:value>{'true' if m == mode else 'false'}</m:value></gov:configurations>"
        for m in ("RecoveryLink", "OTP", "Offline")
    )
    r = http.post(
        "/services/IdentityGovernanceAdminService",
        content=GOV_ENVELOPE.format(props=props),
        headers={"Content-Type": "text/xml;charset=UTF-8", "SOAPAction": '"urn:updateConfigurations"'},
    )
    assert r.status_code == 200, r.text


def say(**fields):
    print(json.dumps(fields), flush=True)


def main():
    base, urn = sys.argv[1], sys.argv[2]
    root = Client(base_url=base, auth=("admin", "admin"), verify=False)
    http = Client(base_url=base + "/scim2", auth=("admin", "admin"), verify=False)
    ext = Wso2System if urn == SYSTEM else Wso2Enterprise
    model = User[EnterpriseUser | Wso2System | CustomUser] if urn == SYSTEM else User[Wso2Enterprise | Wso2Custom]
    client = SyncSCIMClient(http, resource_models=[model, Group])

    # ---- part 1: CRUD ----
    kim = model(user_name="kim", password="Kim@12345", name=Name(given_name="Kim", family_name="Berry"),
                emails=[Email(type="work", value="kim@work.example")])
    created = client.create(kim)
    assert created.id and created.user_name == "kim", created
    read = client.query(model, created.id)
    assert read.name.given_name == "Kim", read
    found = client.query(model, query_parameters={"filter": 'userName eq "kim"'})
    assert found.total_results == 1 and found.resources[0].id == created.id, found
    read.name = Name(given_name="Kimberly", family_name="Berry")
    read.password = None
    replaced = client.replace(read)
    assert replaced.name.given_name == "Kimberly", replaced
    patched = client.modify(model, created.id, PatchOp[model](operations=[
        PatchOperation[model](op=PatchOperation.Op.add, path="nickName", value="K")]))
    assert patched.nick_name == "K", patched
    client.delete(model, created.id)
    gone = client.query(model, created.id, raise_scim_errors=False)
    assert getattr(gone, "status", None) in (404, "404"), gone
    say(part="crud", ok=True)

    # ---- part 1: groups with members ----
    gina = client.create(model(user_name="gina", password="Pass@1234"))
    team = client.create(Group(display_name="team", members=[GroupMember(value=gina.id, display="gina")]))
    assert team.id and team.display_name == "PRIMARY/team", team
    assert [m.value for m in team.members] == [gina.id], team
    found = client.query(Group, query_parameters={"filter": 'displayName eq "team"'})
    assert found.total_results == 1 and found.resources[0].id == team.id, found
    read = client.query(Group, team.id)
    read.display_name = "crew"
    read.members = None
    replaced = client.replace(read)
    assert replaced.id == team.id and replaced.display_name == "PRIMARY/crew" and not replaced.members, replaced
    patched = client.modify(Group, team.id, PatchOp[Group](operations=[PatchOperation[Group](
        op=PatchOperation.Op.add, path="members", value=[GroupMember(value=gina.id)])]))
    assert [m.value for m in patched.members] == [gina.id], patched
    member = client.query(model, gina.id, check_response_payload=False)
    assert [g["value"] for g in member.get("groups", [])] == [team.id], member
    client.delete(Group, team.id)
    gone = client.query(Group, team.id, raise_scim_errors=False)
    assert getattr(gone, "status", None) in (404, "404"), gone
    client.delete(model, gina.id)
    say(part="groups", ok=True)

    # ---- part 1: the forced reset in every mode ----
    # An e-mail without a type is WSO2's `emailaddress` claim, where the reset mail goes; WSO2 returns it as a
    # bare string in `emails`, which scim2-models rejects: these answers are read unvalidated.
    for i, mode in enumerate(("Offline", "OTP", "RecoveryLink")):
        enable(root, mode)
        user = client.create(model(user_name=f"reset{i}", password="Pass@1234",
                                   emails=[Email(value=f"reset{i}@example.com")]), check_response_payload=False)
        op = PatchOp[model](operations=[PatchOperation[model](
            op=PatchOperation.Op.replace_, path=f"{urn}:forcePasswordReset", value=True)])
        after = client.modify(model, user["id"], op, check_response_payload=False)
        assert after[urn]["accountLocked"] is True, after
        assert "forcePasswordReset" not in after[urn], "the trigger is never stored"
        otp = client.query(model, user["id"], query_parameters={"attributes": [f"{urn}:oneTimePassword"]},
                           check_response_payload=False)
        code = otp.get(urn, {}).get("oneTimePassword")
        assert (code is not None) == (mode == "Offline"), (mode, otp)
        say(part="reset", mode=mode, ok=True)

    # ---- part 2: scim2-tester ----
    tester = SyncSCIMClient(Client(base_url=base + "/scim2", auth=("admin", "admin"), verify=False),
                            resource_models=[model, Group])
    for r in check_server(tester):
        say(part="tester", status=r.status.name, title=r.title, reason=(r.reason or "")[:300])


if __name__ == "__main__":
    main()
