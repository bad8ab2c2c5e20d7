#!/usr/bin/env python3
"""Check forcereset's WSDLs (and golden SOAP fixtures) with real SOAP/XML toolkits.

Usage:
    check_wsdls.py SOURCE [--host-port HOST:PORT] [--user U --password P] [--fixtures [DIR]]

SOURCE is either
  * a directory holding UserProfileMgtService.wsdl, RemoteUserStoreManagerService.wsdl and
    IdentityGovernanceAdminService.wsdl, I18nEmailMgtConfigService.wsdl, TenantMgtAdminService.wsdl (the repository's wsdl/ folder): the literal {{HOST_PORT}}
    placeholder is replaced by --host-port (default localhost:9443) in a temporary copy; or
  * a base URL of a running server (https://localhost:9443 or https://localhost:9443/services):
    each WSDL is fetched from <base>/services/<Service>?wsdl. Certificates are not verified.

For each service it:
  1. parses the WSDL (well-formedness) and validates it against the WSDL 1.1 schema. The only
     tolerated schema errors are the portType operations that are robust in-only (input + fault,
     no output): Axis2 publishes them that way, the WSDL 1.1 schema has no such pattern;
  2. builds every inline xs:schema with xmlschema (strict), all together and each one lifted out of
     the WSDL text on its own (self-contained prefix declarations);
  3. loads it with zeep and checks, for the Soap11 and Soap12 (and Http) ports, the binding kind,
     the address, the exact operation set, soapAction urn:<op>, which operations have an output,
     and the fault of every operation that throws;
  4. builds (does not send) a request for every operation with client.create_message(), and a
     setUserProfile request from the UserProfileDTO/UserFieldDTO factory types, which must equal
     the seed document's sample request body and validate against the schema.

--fixtures [DIR] (default: <repo>/fixtures/soap) also validates every golden request: envelope
namespace (SOAP 1.1, or 1.2 for *.soap12.request.xml), a single Body child named after the
operation in the file name (<op>.<anything>.request.xml), schema-valid against the WSDL's
element; the seed request and its SOAP 1.2 and zeep variants carry the seed body; and every
operation of every WSDL must have a <Service>/<op>.request.xml.

Exit status 0 when every check passed. The last line reads "checks: N passed, N failed".
"""
import argparse
import io
import os
import re
import sys
import tempfile
import warnings

import requests
import xmlschema
import zeep
from lxml import etree
from zeep.transports import Transport
from zeep.wsdl.bindings.http import HttpPostBinding
from zeep.wsdl.bindings.soap import Soap11Binding, Soap12Binding

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, '..', '..'))

WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/'
XSD_NS = 'http://www.w3.org/2001/XMLSchema'
SOAP11_ENV = 'http://schemas.xmlsoap.org/soap/envelope/'
SOAP12_ENV = 'http://www.w3.org/2003/05/soap-envelope'
WSDL11_XSD = os.path.join(os.path.dirname(xmlschema.__file__), 'schemas', 'WSDL', 'wsdl.xsd')

# kind of each operation: 'inout' (output with a part), 'inonly' (robust in-only: no output),
# 'empty' (output message without part). The set of faulting operations is given per service.
SERVICES = {
    'UserProfileMgtService': {
        'tns': 'http://mgt.profile.user.identity.carbon.wso2.org',
        'fault': 'UserProfileMgtServiceUserProfileException',
        'no_fault': {'getInstance'},
        'ops': {
            'setUserProfile': 'inonly', 'getUserProfile': 'inout', 'getUserProfiles': 'inout',
            'deleteUserProfile': 'inonly', 'getProfileFieldsForInternalStore': 'inout',
            'isAddProfileEnabled': 'inout', 'isAddProfileEnabledForDomain': 'inout',
            'isReadOnlyUserStore': 'inout', 'getInstance': 'inout', 'associateID': 'inonly',
            'removeAssociateID': 'inonly', 'getNameAssociatedWith': 'inout', 'getAssociatedIDs': 'inout',
            'associateIDForUser': 'empty', 'removeAssociateIDForUser': 'empty',
            'getAssociatedIDsForUser': 'inout',
        },
    },
    'RemoteUserStoreManagerService': {
        'tns': 'http://service.ws.um.carbon.wso2.org',
        'fault': 'RemoteUserStoreManagerServiceUserStoreException',
        'no_fault': set(),
        'ops': {
            'addUser': 'inonly', 'deleteUser': 'inonly', 'isExistingUser': 'inout', 'listUsers': 'inout',
            'authenticate': 'inout', 'updateCredential': 'inonly', 'updateCredentialByAdmin': 'inonly',
            'addRole': 'inonly', 'deleteRole': 'inonly', 'isExistingRole': 'inout', 'getRoleNames': 'inout',
            'getRoleListOfUser': 'inout', 'getUserListOfRole': 'inout', 'updateRoleListOfUser': 'inonly',
            'updateUserListOfRole': 'inonly', 'updateRoleName': 'inonly', 'setUserClaimValue': 'inonly',
            'setUserClaimValues': 'inonly', 'addUserClaimValue': 'inonly', 'addUserClaimValues': 'inonly',
            'getUserClaimValue': 'inout', 'getUserClaimValues': 'inout', 'getUserClaimValuesForClaims': 'inout',
            'deleteUserClaimValue': 'inonly', 'deleteUserClaimValues': 'inonly', 'getProfileNames': 'inout',
            'getAllProfileNames': 'inout', 'isReadOnly': 'inout', 'getUserList': 'inout', 'getUserId': 'inout',
            'getTenantId': 'inout', 'getTenantIdofUser': 'inout', 'getHybridRoles': 'inout',
            'getPasswordExpirationTime': 'inout', 'getProperties': 'inout',
        },
    },
    'IdentityGovernanceAdminService': {
        'tns': 'http://governance.identity.carbon.wso2.org',
        'fault': 'IdentityGovernanceAdminServiceIdentityGovernanceException',
        'no_fault': set(),
        'ops': {'getConnectorList': 'inout', 'updateConfigurations': 'empty'},
    },
    'I18nEmailMgtConfigService': {
        'tns': 'http://mgt.email.carbon.wso2.org',
        'fault': 'I18nEmailMgtConfigServiceI18nEmailMgtServerException',
        'no_fault': set(),
        'ops': {
            'addEmailTemplateType': 'inonly', 'deleteEmailTemplateType': 'inonly', 'getEmailTemplateTypes': 'inout',
            'saveEmailTemplate': 'inonly', 'addEmailTemplate': 'inonly', 'deleteEmailTemplate': 'inonly',
            'getAllTemplatesForTenant': 'inout',
        },
    },
    'TenantMgtAdminService': {
        'tns': 'http://services.mgt.tenant.carbon.wso2.org',
        'fault': 'TenantMgtAdminServiceException',
        'no_fault': set(),
        'ops': {
            'addTenant': 'inout', 'checkDomainAvailability': 'inout', 'retrieveTenants': 'inout',
            'retrievePaginatedTenants': 'inout', 'getTenant': 'inout', 'activateTenant': 'empty',
            'deactivateTenant': 'empty', 'deleteTenant': 'empty',
        },
    },
}

UPM_DTO = '{http://mgt.profile.user.identity.carbon.wso2.org/xsd}'
FORCED = 'http://wso2.org/claims/identity/adminForcedPasswordReset'

# Body of the sample request in the seed document (fixtures/soap/setUserProfile.seed.xml).
SEED_BODY = (
    '<mgt:setUserProfile xmlns:mgt="http://mgt.profile.user.identity.carbon.wso2.org"'
    ' xmlns:xsd="http://mgt.profile.user.identity.carbon.wso2.org/xsd">'
    '<mgt:username>tom</mgt:username><mgt:profile><xsd:fieldValues>'
    '<xsd:claimUri>http://wso2.org/claims/identity/adminForcedPasswordReset</xsd:claimUri>'
    '<xsd:fieldValue>true</xsd:fieldValue></xsd:fieldValues>'
    '<xsd:profileName>default</xsd:profileName></mgt:profile></mgt:setUserProfile>')


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, cond, what, detail=''):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f'FAIL {what}' + (f': {detail}' if detail else ''))
        return cond

    def section(self, title):
        print(f'== {title}')


def canon(elem):
    """Prefix- and whitespace-independent form of an element tree."""
    children = [c for c in elem if isinstance(c.tag, str)]
    text = (elem.text or '').strip() if not children else ''
    return (elem.tag, text, tuple(canon(c) for c in children))


def local(tag):
    return tag.rsplit('}', 1)[-1]


def wsdl11_structure_errors(doc, inonly_ops):
    """Validate the WSDL document against the WSDL 1.1 schema; split known from unexpected errors."""
    schema = xmlschema.XMLSchema(WSDL11_XSD)
    known, unexpected = [], []
    for err in schema.iter_errors(doc):
        el = err.elem
        if (el is not None and el.tag == f'{{{WSDL_NS}}}operation'
                and el.getparent() is not None and el.getparent().tag == f'{{{WSDL_NS}}}portType'
                and el.get('name') in inonly_ops
                and el.find(f'{{{WSDL_NS}}}output') is None
                and el.find(f'{{{WSDL_NS}}}fault') is not None):
            known.append(el.get('name'))
        else:
            unexpected.append(err)
    return known, unexpected


def build_schema(doc):
    schemas = doc.getroot().findall(f'{{{WSDL_NS}}}types/{{{XSD_NS}}}schema')
    sources = [io.StringIO(etree.tostring(s, encoding='unicode')) for s in schemas]
    return xmlschema.XMLSchema(sources), len(schemas)


def standalone_schemas(text, doc):
    """Each inline schema cut out of the WSDL text as it is, i.e. with only its own declarations."""
    pfx = [p for p, u in doc.getroot().nsmap.items() if u == XSD_NS]
    pfx = pfx[0] if pfx else None
    tag = f'{pfx}:schema' if pfx else 'schema'
    return re.findall(rf'<{tag}\b.*?</{tag}>', text, re.S)


def check_service(ck, name, spec, wsdl_text, wsdl_location, transport, host_port):
    ck.section(name)
    tns = spec['tns']
    ops = spec['ops']
    inonly = {o for o, k in ops.items() if k == 'inonly'}

    # 1. well-formed + WSDL 1.1 schema
    try:
        doc = etree.parse(io.BytesIO(wsdl_text.encode('utf-8')))
    except etree.XMLSyntaxError as e:
        ck.ok(False, f'{name}: well-formed', str(e))
        return None
    ck.ok(True, f'{name}: well-formed')
    ck.ok('{{HOST_PORT}}' not in wsdl_text, f'{name}: no {{{{HOST_PORT}}}} left in the WSDL used')
    ck.ok(doc.getroot().get('targetNamespace') == tns, f'{name}: targetNamespace', doc.getroot().get('targetNamespace'))
    known, unexpected = wsdl11_structure_errors(doc, inonly)
    ck.ok(not unexpected, f'{name}: valid against the WSDL 1.1 schema',
          '; '.join(str(e).splitlines()[0] + f' [{e.path}]' for e in unexpected[:5]))
    ck.ok(set(known) == inonly, f'{name}: robust in-only operations are exactly input+fault',
          f'found {sorted(known)}, expected {sorted(inonly)}')

    # 2. inline schemas
    try:
        schema, n = build_schema(doc)
        ck.ok(schema.validity == 'valid', f'{name}: {n} inline schemas build together (strict)', schema.validity)
    except Exception as e:  # noqa: BLE001 - report any schema error
        ck.ok(False, f'{name}: inline schemas build together (strict)', str(e).splitlines()[0])
        return None
    for i, s_text in enumerate(standalone_schemas(wsdl_text, doc)):
        try:
            xmlschema.XMLSchema(io.StringIO(s_text), build=False)
            ck.ok(True, f'{name}: inline schema #{i} parses on its own')
        except Exception as e:  # noqa: BLE001
            ck.ok(False, f'{name}: inline schema #{i} self-contained', str(e).splitlines()[0])
    for op, kind in ops.items():
        ck.ok(f'{{{tns}}}{op}' in schema.maps.elements, f'{name}: element {op}')
        if kind == 'inout':
            ck.ok(f'{{{tns}}}{op}Response' in schema.maps.elements, f'{name}: element {op}Response')
    ck.ok(f'{{{tns}}}{spec["fault"]}' in schema.maps.elements, f'{name}: fault element {spec["fault"]}')

    # 3. zeep
    try:
        client = zeep.Client(wsdl_location, transport=transport)
    except Exception as e:  # noqa: BLE001
        ck.ok(False, f'{name}: zeep loads the WSDL', repr(e))
        return schema
    ck.ok(True, f'{name}: zeep loads the WSDL')
    zsvc = client.wsdl.services.get(name)
    if not ck.ok(zsvc is not None, f'{name}: zeep sees service {name}', str(list(client.wsdl.services))):
        return schema
    ports = {
        'Soap11': (f'{name}HttpsSoap11Endpoint', Soap11Binding, f'{name}Soap11Binding'),
        'Soap12': (f'{name}HttpsSoap12Endpoint', Soap12Binding, f'{name}Soap12Binding'),
        'Http': (f'{name}HttpsEndpoint', HttpPostBinding, f'{name}HttpBinding'),
    }
    ck.ok(set(zsvc.ports) == {p[0] for p in ports.values()}, f'{name}: port names', str(sorted(zsvc.ports)))
    for kind, (port_name, cls, binding_name) in ports.items():
        port = zsvc.ports.get(port_name)
        if not ck.ok(port is not None, f'{name}: port {port_name}'):
            continue
        b = port.binding
        ck.ok(isinstance(b, cls) and (kind != 'Soap11' or not isinstance(b, Soap12Binding)),
              f'{name}: {port_name} is a {cls.__name__}', type(b).__name__)
        ck.ok(b.name.localname == binding_name and b.name.namespace == tns,
              f'{name}: {port_name} binding name', str(b.name))
        address = f'https://{host_port}/services/{name}.{port_name}/'
        ck.ok(port.binding_options.get('address') == address, f'{name}: {port_name} address',
              f'{port.binding_options.get("address")} != {address}')
        got = set(b._operations)
        ck.ok(got == set(ops), f'{name}: {kind} operations',
              f'missing {sorted(set(ops) - got)}, extra {sorted(got - set(ops))}')
        if kind == 'Http':
            continue
        for op, okind in ops.items():
            bop = b._operations.get(op)
            if bop is None:
                continue
            ck.ok(bop.soapaction == f'urn:{op}', f'{name}: {kind} {op} soapAction', bop.soapaction)
            ck.ok((bop.output is None) == (okind == 'inonly'), f'{name}: {kind} {op} output presence ({okind})')
            faults = set(bop.abstract.fault_messages)
            want = set() if op in spec['no_fault'] else {spec['fault']}
            ck.ok(faults == want, f'{name}: {kind} {op} faults', str(sorted(faults)))

    # 4. requests built (not sent) by zeep
    for kind, env_ns in (('Soap11', SOAP11_ENV), ('Soap12', SOAP12_ENV)):
        bound = client.bind(name, ports[kind][0])
        for op in ops:
            try:
                msg = client.create_message(bound, op)
                body = msg.find(f'{{{env_ns}}}Body')
                child = body[0] if body is not None and len(body) else None
                ck.ok(msg.tag == f'{{{env_ns}}}Envelope' and child is not None and child.tag == f'{{{tns}}}{op}',
                      f'{name}: zeep {kind} request for {op}', etree.tostring(msg)[:200])
            except Exception as e:  # noqa: BLE001
                ck.ok(False, f'{name}: zeep {kind} request for {op}', repr(e))

    if name == 'UserProfileMgtService':
        seed = etree.fromstring(SEED_BODY)
        UserProfileDTO = client.get_type(UPM_DTO + 'UserProfileDTO')
        UserFieldDTO = client.get_type(UPM_DTO + 'UserFieldDTO')
        profile = UserProfileDTO(fieldValues=[UserFieldDTO(claimUri=FORCED, fieldValue='true')],
                                 profileName='default')
        for kind, env_ns in (('Soap11', SOAP11_ENV), ('Soap12', SOAP12_ENV)):
            bound = client.bind(name, ports[kind][0])
            msg = client.create_message(bound, 'setUserProfile', username='tom', profile=profile)
            body = msg.find(f'{{{env_ns}}}Body')
            child = body[0]
            ck.ok(canon(child) == canon(seed), f'{name}: zeep {kind} setUserProfile equals the seed request body',
                  etree.tostring(child).decode())
            errs = list(schema.maps.elements[child.tag].iter_errors(child))
            ck.ok(not errs, f'{name}: zeep {kind} setUserProfile body is schema-valid', str(errs[:1]))
            action = msg.find('{*}Header/{http://www.w3.org/2005/08/addressing}Action')
            ck.ok(action is None or action.text == 'urn:setUserProfile',
                  f'{name}: zeep {kind} WS-Addressing Action', etree.tostring(msg)[:300])
    return schema


def fixture_target(path, root_dir):
    rel = os.path.relpath(path, root_dir)
    parts = rel.split(os.sep)
    base = parts[-1]
    if len(parts) == 1 and base == 'setUserProfile.seed.xml':
        return 'UserProfileMgtService', 'setUserProfile', SOAP11_ENV
    if len(parts) != 2 or not base.endswith('.request.xml'):
        return None
    op = base.split('.', 1)[0]
    env = SOAP12_ENV if base.endswith('.soap12.request.xml') else SOAP11_ENV
    return parts[0], op, env


def check_fixtures(ck, fixtures_dir, schemas):
    ck.section(f'fixtures in {fixtures_dir}')
    seen = {name: set() for name in SERVICES}
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(fixtures_dir) for f in fs if f.endswith('.xml'))
    ck.ok(files, f'fixtures found in {fixtures_dir}')
    for path in files:
        rel = os.path.relpath(path, fixtures_dir)
        if rel.endswith('.response.xml'):
            check_golden_response(ck, rel, path, schemas)
            continue
        target = fixture_target(path, fixtures_dir)
        if not ck.ok(target is not None and target[0] in SERVICES, f'{rel}: named <Service>/<op>[.soap12].request.xml'):
            continue
        svc, op, env_ns = target
        spec = SERVICES[svc]
        try:
            doc = etree.parse(path)
        except etree.XMLSyntaxError as e:
            ck.ok(False, f'{rel}: well-formed', str(e))
            continue
        root = doc.getroot()
        ck.ok(root.tag == f'{{{env_ns}}}Envelope', f'{rel}: SOAP envelope namespace', root.tag)
        kids = [c for c in root if isinstance(c.tag, str)]
        names = [c.tag for c in kids]
        ck.ok(names in ([f'{{{env_ns}}}Body'], [f'{{{env_ns}}}Header', f'{{{env_ns}}}Body']),
              f'{rel}: envelope children are [Header] Body', str(names))
        body = root.find(f'{{{env_ns}}}Body')
        items = [c for c in body if isinstance(c.tag, str)] if body is not None else []
        if not ck.ok(len(items) == 1, f'{rel}: one Body child', str(len(items))):
            continue
        child = items[0]
        want = f'{{{spec["tns"]}}}{op}'
        if not ck.ok(child.tag == want, f'{rel}: Body child is {want}', child.tag):
            continue
        ck.ok(op in spec['ops'], f'{rel}: {op} is an operation of {svc}')
        schema = schemas.get(svc)
        if schema is None:
            ck.ok(False, f'{rel}: schema of {svc} available')
            continue
        errs = list(schema.maps.elements[want].iter_errors(child))
        ck.ok(not errs, f'{rel}: body valid against {svc} schema',
              '; '.join(str(e).splitlines()[0] for e in errs[:3]))
        if rel == 'setUserProfile.seed.xml' or os.path.basename(rel).startswith(('setUserProfile.soap12.',
                                                                                   'setUserProfile.zeep.')):
            ck.ok(canon(child) == canon(etree.fromstring(SEED_BODY)), f'{rel}: body is the seed sample request')
        if base_kind(rel) == 'request':
            seen[svc].add(op)
    for svc, spec in SERVICES.items():
        missing = sorted(set(spec['ops']) - seen[svc])
        ck.ok(not missing, f'fixtures: every {svc} operation has {svc}/<op>.request.xml', f'missing {missing}')


def check_golden_response(ck, rel, path, schemas):
    """A golden reply recorded by the Rust tests: 'HTTP <status>' then the body (epoch millis masked).
    200 bodies must be envelopes whose payload (if any) is valid against <op>Response; 202 bodies are empty."""
    parts = rel.split(os.sep)
    svc, op = parts[0], parts[-1].split('.', 1)[0]
    spec = SERVICES.get(svc)
    if not ck.ok(spec is not None and op in spec['ops'], f'{rel}: golden reply of an operation of {svc}'):
        return
    with open(path, encoding='utf-8') as f:
        status_line, _, body = f.read().partition('\n')
    status = status_line.split()[-1] if status_line.startswith('HTTP ') else ''
    if status == '202':
        ck.ok(body.strip() == '', f'{rel}: 202 reply has an empty body')
        return
    if not ck.ok(status == '200', f'{rel}: golden reply is HTTP 200 or 202', status_line):
        return
    try:
        root = etree.fromstring(body.strip().replace('<millis>', '0').encode())
    except etree.XMLSyntaxError as e:
        ck.ok(False, f'{rel}: well-formed', str(e))
        return
    env_ns = SOAP12_ENV if '.soap12.' in rel else SOAP11_ENV
    ck.ok(root.tag == f'{{{env_ns}}}Envelope', f'{rel}: reply envelope namespace', root.tag)
    body_el = root.find(f'{{{env_ns}}}Body')
    items = [c for c in body_el if isinstance(c.tag, str)] if body_el is not None else []
    if not items:
        ck.ok(True, f'{rel}: empty reply body (operation with an empty output message)')
        return
    want = f'{{{spec["tns"]}}}{op}Response'
    if not ck.ok(len(items) == 1 and items[0].tag == want, f'{rel}: reply payload is {want}', str([i.tag for i in items])):
        return
    errs = list(schemas[svc].maps.elements[want].iter_errors(items[0]))
    ck.ok(not errs, f'{rel}: reply valid against {svc} schema', '; '.join(str(e).splitlines()[0] for e in errs[:3]))


def base_kind(rel):
    parts = rel.split(os.sep)
    if len(parts) == 2 and parts[1].count('.') == 2 and parts[1].endswith('.request.xml'):
        return 'request'
    return 'other'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('source', help='directory with the three .wsdl files, or base URL of a running server')
    ap.add_argument('--host-port', default='localhost:9443',
                    help='value for {{HOST_PORT}} (directory mode); the expected host:port of the addresses')
    ap.add_argument('--user', help='HTTP Basic auth user for fetching ?wsdl (URL mode)')
    ap.add_argument('--password', default='', help='HTTP Basic auth password (URL mode)')
    ap.add_argument('--fixtures', nargs='?', const=os.path.join(REPO, 'fixtures', 'soap'), default=None,
                    help='also validate golden SOAP requests (default dir: <repo>/fixtures/soap)')
    args = ap.parse_args()

    ck = Checker()
    is_url = re.match(r'https?://', args.source) is not None
    session = requests.Session()
    host_port = args.host_port
    if is_url:
        if args.source.startswith('https://'):
            session.verify = False
            # REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE in the environment would override verify=False
            session.trust_env = False
            warnings.filterwarnings('ignore', message='Unverified HTTPS request')
        if args.user:
            session.auth = (args.user, args.password)
        base = args.source.rstrip('/')
        base = base[:-len('/services')] if base.endswith('/services') else base
        host_port = re.match(r'https?://([^/]+)', base).group(1)
    transport = Transport(session=session)

    schemas = {}
    with tempfile.TemporaryDirectory(prefix='forcereset-wsdl-') as tmp:
        for name, spec in SERVICES.items():
            if is_url:
                url = f'{base}/services/{name}?wsdl'
                try:
                    r = session.get(url, timeout=30)
                except requests.RequestException as e:
                    ck.ok(False, f'{name}: GET {url}', repr(e))
                    continue
                if not ck.ok(r.status_code == 200, f'{name}: GET {url} is 200', str(r.status_code)):
                    continue
                text = r.content.decode('utf-8')
                location = url
            else:
                path = os.path.join(args.source, f'{name}.wsdl')
                if not ck.ok(os.path.isfile(path), f'{name}: {path} exists'):
                    continue
                with open(path, encoding='utf-8') as f:
                    raw = f.read()
                ck.ok(raw.count('{{HOST_PORT}}') == 3, f'{name}: the file has 3 {{{{HOST_PORT}}}} addresses',
                      str(raw.count('{{HOST_PORT}}')))
                text = raw.replace('{{HOST_PORT}}', host_port)
                location = os.path.join(tmp, f'{name}.wsdl')
                with open(location, 'w', encoding='utf-8') as f:
                    f.write(text)
            schema = check_service(ck, name, spec, text, location, transport, host_port)
            if schema is not None:
                schemas[name] = schema
        if args.fixtures:
            check_fixtures(ck, args.fixtures, schemas)

    print(f'checks: {ck.passed} passed, {ck.failed} failed')
    return 0 if ck.failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
