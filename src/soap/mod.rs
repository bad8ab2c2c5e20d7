//! The only module that knows XML: envelopes, WSDL serving, faults, and one submodule per admin service mapping
//! operations to `App` use cases.
//!
//! Each service is a table of [`Op`]s (`user_profile::SERVICE`, `email_templates::SERVICE`, …): an operation's name, the permission its
//! services.xml requires, the payload children it accepts, whether it is a bounded read, and the function that
//! decodes it, calls one use case and encodes the answer. Adding an operation is one row and one function.
//!
//! A call flows: [`prepare`] parses the envelope (bounded, no DOCTYPE), names the operation from the Body's first
//! element and looks it up once, cross-checking the SOAPAction and URL; the caller is then resolved to an
//! [`Actor`] by [`endpoint`] (Basic credentials or the `JSESSIONID` session); [`execute`] checks the operation's
//! permission and runs it. Every error becomes a fault through [`fault::from_domain`].

pub mod decode;
mod email_templates;
pub mod endpoint;
pub mod envelope;
pub mod fault;
mod governance;
mod remote_user_store;
mod tenant_mgt;
mod user_profile;
pub mod writer;
pub mod wsdl;
pub mod xml;

use crate::app::{Actor, App, Tenant};
use crate::domain::DomainError;
use crate::domain::profile::Profile;
use decode::Fields;
use envelope::Framing;
use xml::Element;

/// One operation of an admin service.
pub struct Op {
    /// The operation element's local name (and the WSDL operation).
    pub name: &'static str,
    /// The permission services.xml requires before the operation runs; the use case may check more.
    pub permission: &'static str,
    /// The payload children the operation accepts; anything else is refused before it runs.
    pub fields: &'static [&'static str],
    /// A bounded read that writes nothing: a session caller's call runs on the reactor ([`Prepared::is_quick`]).
    pub quick: bool,
    /// Decode the payload, call the use case, encode the answer.
    pub run: fn(&Cx<'_>) -> Result<Outcome, DomainError>,
    /// Whether the emulated release has the operation (else Axis2's "operation not found").
    pub available: fn(&Profile) -> bool,
}

fn always(_: &Profile) -> bool {
    true
}

/// An operation that writes, or reads an amount that grows with the store: it runs on a blocking thread.
pub const fn op(
    name: &'static str,
    permission: &'static str,
    fields: &'static [&'static str],
    run: fn(&Cx<'_>) -> Result<Outcome, DomainError>,
) -> Op {
    Op {
        name,
        permission,
        fields,
        quick: false,
        run,
        available: always,
    }
}

/// A bounded read of one user's data or of constants, writing nothing.
pub const fn quick(
    name: &'static str,
    permission: &'static str,
    fields: &'static [&'static str],
    run: fn(&Cx<'_>) -> Result<Outcome, DomainError>,
) -> Op {
    Op {
        quick: true,
        ..op(name, permission, fields, run)
    }
}

impl Op {
    /// The operation exists only in the releases `available` names.
    pub const fn when(self, available: fn(&Profile) -> bool) -> Op {
        Op { available, ..self }
    }
}

/// What an operation runs with.
pub struct Cx<'a> {
    pub app: &'a App,
    pub actor: &'a Actor,
    /// The operation's name, for its response element.
    pub op: &'static str,
    /// The payload's children, in the service's namespace.
    pub f: Fields<'a>,
}

/// An admin service: its name, namespace, fault shape and operations.
pub struct ServiceDef {
    pub name: &'static str,
    /// The target namespace of the operation elements.
    pub namespace: &'static str,
    /// The fault element and the exception bean inside it.
    pub exception: fault::ExceptionShape,
    /// Every operation is `superTenantService` in services.xml: KERNEL `TenantAuthorizationHandler` refuses a
    /// caller of another tenant before the permission check.
    pub super_tenant: bool,
    pub ops: &'static [Op],
}

/// The admin services this server hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    UserProfileMgt,
    RemoteUserStoreManager,
    IdentityGovernanceAdmin,
    I18nEmailMgtConfig,
    TenantMgtAdmin,
}

impl Service {
    pub const ALL: [Service; 5] = [
        Service::UserProfileMgt,
        Service::RemoteUserStoreManager,
        Service::IdentityGovernanceAdmin,
        Service::I18nEmailMgtConfig,
        Service::TenantMgtAdmin,
    ];

    pub fn def(self) -> &'static ServiceDef {
        match self {
            Service::UserProfileMgt => &user_profile::SERVICE,
            Service::RemoteUserStoreManager => &remote_user_store::SERVICE,
            Service::IdentityGovernanceAdmin => &governance::SERVICE,
            Service::I18nEmailMgtConfig => &email_templates::SERVICE,
            Service::TenantMgtAdmin => &tenant_mgt::SERVICE,
        }
    }

    pub fn from_name(name: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|s| s.name() == name)
    }

    pub fn name(self) -> &'static str {
        self.def().name
    }

    /// The target namespace of the operation elements.
    pub fn namespace(self) -> &'static str {
        self.def().namespace
    }

    /// The fault element and the exception bean inside it.
    pub fn exception(self) -> fault::ExceptionShape {
        self.def().exception
    }

    /// The operation named `name`, if the service has it.
    pub fn op(self, name: &str) -> Option<&'static Op> {
        self.def().ops.iter().find(|o| o.name == name)
    }
}

/// What a successful operation produced.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Robust in-only: HTTP 202 with an empty body, as Axis2 answers void operations.
    Accepted,
    /// A response payload element (serialised), to be wrapped in the client's envelope; HTTP 200.
    Payload(String),
}

/// One admin-service request, as the HTTP side hands it over.
#[derive(Debug)]
pub struct Call<'a> {
    pub service: Service,
    /// The operation named by the URL (HTTP binding `/services/Svc/op`), if any.
    pub path_operation: Option<&'a str>,
    pub soap_action: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
}

/// The answer, for the HTTP side to send: 202 with no body, 200 with a response envelope, 500 with a fault.
#[derive(Debug, PartialEq, Eq)]
pub enum Reply {
    Accepted,
    Response { content_type: &'static str, body: String },
    Fault { content_type: &'static str, body: String },
}

impl Reply {
    fn fault(framing: Framing, f: &fault::Fault) -> Reply {
        Reply::Fault {
            content_type: framing.content_type(),
            body: envelope::fault(framing, f),
        }
    }

    /// The body sent (empty for `Accepted`).
    pub fn body(&self) -> &str {
        match self {
            Reply::Accepted => "",
            Reply::Response { body, .. } | Reply::Fault { body, .. } => body,
        }
    }
}

/// A call whose envelope has been read and whose operation is known, not yet authorized or run.
#[derive(Debug)]
pub struct Prepared {
    service: Service,
    framing: Framing,
    payload: Element,
    op: &'static Op,
}

impl std::fmt::Debug for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Op").field("name", &self.name).finish_non_exhaustive()
    }
}

impl Prepared {
    /// Whether the operation reads a bounded amount (one user's data, the dialect, the governance connector) and
    /// writes nothing. For a caller who holds a live session (no argon2) [`execute`] may then run on a reactor
    /// thread, inside [`App::quick`]: handing a call to a blocking thread and back costs two thread wake-ups,
    /// more than such a read itself.
    pub fn is_quick(&self) -> bool {
        self.op.quick
    }

    /// The fault a caller who cannot be authenticated gets, in the request's SOAP version.
    pub fn refuse(&self, error: &DomainError) -> Reply {
        Reply::fault(self.framing, &fault::from_domain(self.service, error))
    }
}

/// Read the envelope and check the operation against the service (as the emulated release has it), SOAPAction
/// and URL. CPU only: no store, no argon2.
pub fn prepare(call: Call<'_>, profile: &Profile) -> Result<Prepared, Reply> {
    let guess = Framing::from_content_type(call.content_type);
    let request = match envelope::parse(call.body, call.content_type, call.path_operation.is_some()) {
        Ok(r) => r,
        Err(e) => {
            tracing::debug!(service = call.service.name(), error = %e, "unreadable SOAP request");
            return Err(Reply::fault(e.framing(guess), &fault::from_envelope(&e)));
        }
    };
    match check_operation(&call, &request.payload, profile) {
        Ok(op) => Ok(Prepared {
            service: call.service,
            framing: request.framing,
            payload: request.payload,
            op,
        }),
        Err(f) => Err(Reply::fault(request.framing, &f)),
    }
}

/// Run a prepared call for an authenticated actor, in KERNEL's handler order (`module.xml` of
/// `org.wso2.carbon.server.admin`, 5.9–7.2): the request's tenant against the caller's (`AuthenticationHandler`,
/// 50977), then a super-tenant service against a tenant caller (`TenantAuthorizationHandler`), then the
/// operation's permission (`AuthorizationHandler`, 50978), then its payload checks and use case. `addressed` is
/// the tenant of a `/t/{domain}/` URL, if any. Blocking unless [`Prepared::is_quick`].
pub fn execute(app: &App, actor: &Actor, addressed: Option<&Tenant>, call: Prepared) -> Reply {
    let Prepared {
        service,
        framing,
        payload,
        op,
    } = call;
    if let Some(refused) = tenant_refusal(app, actor, addressed, service) {
        return Reply::fault(framing, &refused);
    }
    let cx = Cx {
        app,
        actor,
        op: op.name,
        f: Fields::new(&payload, service.namespace()),
    };
    let result = actor
        .require(op.permission)
        .and_then(|()| cx.f.only(op.fields))
        .and_then(|()| (op.run)(&cx));
    match result {
        Ok(Outcome::Accepted) => Reply::Accepted,
        Ok(Outcome::Payload(xml)) => Reply::Response {
            content_type: framing.content_type(),
            body: envelope::wrap(framing, &xml),
        },
        Err(e) => Reply::fault(framing, &fault::from_domain(service, &e)),
    }
}

/// The tenant checks before the permission check: a tenant-qualified URL naming another tenant than the caller's
/// (carbon.super's URL is everyone's: KERNEL checks only a non-super current tenant), and a super-tenant service.
fn tenant_refusal(app: &App, actor: &Actor, addressed: Option<&Tenant>, service: Service) -> Option<fault::Fault> {
    if let Some(url) = addressed
        && url.id != crate::store::TenantId::SUPER
        && url.id != actor.tenant()
    {
        return Some(match app.tenant_domain(actor.tenant()) {
            Ok(Some(domain)) => fault::tenant_mismatch(actor.name(), &domain, &url.domain),
            // The caller's tenant went away under its session: as any other internal failure.
            Ok(None) => fault::from_domain(service, &DomainError::Internal),
            Err(e) => fault::from_domain(service, &e),
        });
    }
    if service.def().super_tenant && actor.tenant() != crate::store::TenantId::SUPER {
        return Some(fault::super_tenant_service());
    }
    None
}

/// The operation must belong to this service, in its namespace, and agree with the SOAPAction and URL if given.
fn check_operation(call: &Call<'_>, payload: &Element, profile: &Profile) -> Result<&'static Op, fault::Fault> {
    let service = call.service;
    let name = payload.name.as_str();
    let op = match service.op(name) {
        Some(op) if payload.ns.as_deref() == Some(service.namespace()) && (op.available)(profile) => op,
        _ => return Err(fault::operation_not_found(service, name)),
    };
    if let Some(path_op) = call.path_operation
        && path_op != name
    {
        return Err(fault::client(format!(
            "The operation {path_op} in the URL does not match the element {name} in the body"
        )));
    }
    let action = call
        .soap_action
        .map(|a| a.trim().trim_matches('"'))
        .filter(|a| !a.is_empty());
    if let Some(action) = action {
        let named = action.strip_prefix("urn:").unwrap_or(action);
        if named != name {
            return Err(fault::client(format!(
                "The SOAPAction {action} does not match the operation {name} in the body"
            )));
        }
    }
    Ok(op)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::TenantId;

    /// Every operation listed as quick runs inside [`crate::store::Store::quick`] (writes refused) with the same
    /// reply as on a blocking thread, for every golden request of its service, in a store the other golden
    /// requests fill; and every listed operation has such a request.
    /// Each operation is listed once per service, and its permission is a valid WSO2 path.
    #[test]
    fn operation_tables_are_well_formed() {
        for service in Service::ALL {
            let ops = service.def().ops;
            for op in ops {
                assert_eq!(ops.iter().filter(|o| o.name == op.name).count(), 1, "{}", op.name);
                assert!(
                    crate::domain::permissions::normalize(op.permission).is_some(),
                    "{}",
                    op.permission
                );
            }
        }
    }

    #[test]
    fn quick_operations_only_read_and_answer_as_they_would_on_a_blocking_thread() {
        let app = App::for_tests();
        let admin = app.actor_for(TenantId::SUPER, "admin").unwrap().unwrap();
        let mut covered = Vec::new();
        for service in Service::ALL {
            let dir = format!("{}/fixtures/soap/{}", env!("CARGO_MANIFEST_DIR"), service.name());
            let mut names: Vec<String> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter_map(|n| n.strip_suffix(".request.xml").map(str::to_string))
                .collect();
            names.sort();
            for name in names {
                let body = std::fs::read(format!("{dir}/{name}.request.xml")).unwrap();
                let content_type = if name.ends_with(".soap12") {
                    "application/soap+xml; charset=UTF-8"
                } else {
                    "text/xml; charset=UTF-8"
                };
                let prepare = || {
                    prepare(
                        Call {
                            service,
                            path_operation: None,
                            soap_action: None,
                            content_type: Some(content_type),
                            body: &body,
                        },
                        app.profile(),
                    )
                    .unwrap_or_else(|r| panic!("{name}: {}", r.body()))
                };
                let call = prepare();
                let op = call.payload.name.clone();
                if call.is_quick() {
                    let quick = app.quick(|| execute(&app, &admin, None, call));
                    let blocking = execute(&app, &admin, None, prepare());
                    assert_eq!(quick, blocking, "{name}");
                    covered.push((service, op));
                } else {
                    execute(&app, &admin, None, call);
                }
            }
        }
        for service in Service::ALL {
            for op in service.def().ops.iter().filter(|o| o.quick) {
                assert!(
                    covered.iter().any(|(s, o)| *s == service && o == op.name),
                    "{}: no golden request",
                    op.name
                );
            }
        }
        assert!(
            covered.iter().any(|(_, op)| op == "getUserProfile"),
            "the operation the benchmark measures"
        );
    }
}
