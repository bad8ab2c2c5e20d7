//! The only module that knows XML: envelopes, WSDL serving, faults, and one submodule per admin service mapping
//! operations to `App` use cases.
//!
//! A call flows: [`handle`] parses the envelope (bounded, no DOCTYPE), names the operation from the Body's first
//! element, cross-checks the SOAPAction, authenticates the caller, checks the operation's permission, and lets the
//! service module decode the payload and call the `App`. Every error becomes a fault through [`fault::from_domain`].

pub mod decode;
pub mod envelope;
pub mod fault;
mod governance;
mod remote_user_store;
mod user_profile;
pub mod writer;
pub mod wsdl;
pub mod xml;

use crate::app::{Actor, App};
use crate::config::Secret;
use crate::domain::DomainError;
use envelope::Framing;
use xml::Element;

/// The admin services this server hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    UserProfileMgt,
    RemoteUserStoreManager,
    IdentityGovernanceAdmin,
}

impl Service {
    pub const ALL: [Service; 3] = [
        Service::UserProfileMgt,
        Service::RemoteUserStoreManager,
        Service::IdentityGovernanceAdmin,
    ];

    pub fn from_name(name: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|s| s.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Service::UserProfileMgt => "UserProfileMgtService",
            Service::RemoteUserStoreManager => "RemoteUserStoreManagerService",
            Service::IdentityGovernanceAdmin => "IdentityGovernanceAdminService",
        }
    }

    /// The target namespace of the operation elements.
    pub fn namespace(self) -> &'static str {
        match self {
            Service::UserProfileMgt => user_profile::NS,
            Service::RemoteUserStoreManager => remote_user_store::NS,
            Service::IdentityGovernanceAdmin => governance::NS,
        }
    }

    /// The fault element and the exception bean inside it, as (element, bean element, bean type ns, bean type).
    pub fn exception(self) -> fault::ExceptionShape {
        match self {
            Service::UserProfileMgt => user_profile::EXCEPTION,
            Service::RemoteUserStoreManager => remote_user_store::EXCEPTION,
            Service::IdentityGovernanceAdmin => governance::EXCEPTION,
        }
    }

    fn dispatch(self, app: &App, actor: &Actor, op: &str, payload: &Element) -> Option<Result<Outcome, DomainError>> {
        match self {
            Service::UserProfileMgt => user_profile::dispatch(app, actor, op, payload),
            Service::RemoteUserStoreManager => remote_user_store::dispatch(app, actor, op, payload),
            Service::IdentityGovernanceAdmin => governance::dispatch(app, actor, op, payload),
        }
    }

    /// Operations that read a bounded amount and write nothing (see [`Prepared::is_quick`]).
    fn quick_operations(self) -> &'static [&'static str] {
        match self {
            Service::UserProfileMgt => user_profile::QUICK_OPERATIONS,
            Service::RemoteUserStoreManager => remote_user_store::QUICK_OPERATIONS,
            Service::IdentityGovernanceAdmin => governance::QUICK_OPERATIONS,
        }
    }

    fn has_operation(self, op: &str) -> bool {
        match self {
            Service::UserProfileMgt => user_profile::OPERATIONS.contains(&op),
            Service::RemoteUserStoreManager => remote_user_store::OPERATIONS.contains(&op),
            Service::IdentityGovernanceAdmin => governance::OPERATIONS.contains(&op),
        }
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

/// Who is calling, as the HTTP layer established it.
#[derive(Debug)]
pub enum Caller {
    /// Basic credentials still to be verified.
    Basic { username: String, password: Secret },
    /// A user authenticated earlier in this JSESSIONID session.
    Session(String),
}

/// One admin-service request, as the HTTP layer hands it over.
#[derive(Debug)]
pub struct Call<'a> {
    pub service: Service,
    /// The operation named by the URL (HTTP binding `/services/Svc/op`), if any.
    pub path_operation: Option<&'a str>,
    pub soap_action: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
    pub caller: Caller,
}

/// The answer: HTTP status, content type and body, and who authenticated (so HTTP can open a session).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    pub authenticated: Option<String>,
}

impl Reply {
    fn fault(framing: Framing, f: &fault::Fault) -> Reply {
        Reply {
            status: 500,
            content_type: framing.content_type(),
            body: envelope::fault(framing, f),
            authenticated: None,
        }
    }
}

/// Handle one admin-service call. Blocking (store and argon2): run it off the async reactor.
pub fn handle(app: &App, call: Call<'_>) -> Reply {
    match prepare(call) {
        Ok(prepared) => execute(app, prepared),
        Err(reply) => reply,
    }
}

/// A call whose envelope has been read and whose operation is known, not yet authenticated or run.
#[derive(Debug)]
pub struct Prepared {
    service: Service,
    framing: Framing,
    payload: Element,
    caller: Caller,
}

impl Prepared {
    /// Whether [`execute`] may run this call on a reactor thread (inside [`crate::store::Store::quick`]): the caller holds
    /// a live session, so no password is verified (no argon2), and the operation reads a bounded amount (one
    /// user's data, the dialect, the governance connector) and writes nothing. Everything else goes to a blocking
    /// thread. Handing a call over and back costs two thread wake-ups, more than such a read itself.
    pub fn is_quick(&self) -> bool {
        matches!(self.caller, Caller::Session(_))
            && self.service.quick_operations().contains(&self.payload.name.as_str())
    }
}

/// Read the envelope and check the operation against the service, SOAPAction and URL. CPU only: no store, no
/// argon2.
pub fn prepare(call: Call<'_>) -> Result<Prepared, Reply> {
    let guess = Framing::from_content_type(call.content_type);
    let request = match envelope::parse(call.body, call.content_type, call.path_operation.is_some()) {
        Ok(r) => r,
        Err(e) => {
            tracing::debug!(service = call.service.name(), error = %e, "unreadable SOAP request");
            return Err(Reply::fault(e.framing(guess), &fault::from_envelope(&e)));
        }
    };
    if let Err(f) = check_operation(&call, &request.payload) {
        return Err(Reply::fault(request.framing, &f));
    }
    Ok(Prepared {
        service: call.service,
        framing: request.framing,
        payload: request.payload,
        caller: call.caller,
    })
}

/// Authenticate the caller and run the operation. Blocking unless [`Prepared::is_quick`].
pub fn execute(app: &App, call: Prepared) -> Reply {
    let Prepared {
        service,
        framing,
        payload,
        caller,
    } = call;
    let op = payload.name.as_str();
    let actor = match &caller {
        Caller::Basic { username, password } => app.authenticate(username, password),
        Caller::Session(user) => app
            .actor_for(user)
            .and_then(|a| a.ok_or(DomainError::InvalidCredentials)),
    };
    let actor = match actor {
        Ok(a) => a,
        Err(e) => return Reply::fault(framing, &fault::from_domain(service, &e)),
    };
    let authenticated = Some(actor.name().to_string());

    match service.dispatch(app, &actor, op, &payload) {
        Some(Ok(Outcome::Accepted)) => Reply {
            status: 202,
            content_type: framing.content_type(),
            body: String::new(),
            authenticated,
        },
        Some(Ok(Outcome::Payload(xml))) => Reply {
            status: 200,
            content_type: framing.content_type(),
            body: envelope::wrap(framing, &xml),
            authenticated,
        },
        Some(Err(e)) => Reply {
            authenticated,
            ..Reply::fault(framing, &fault::from_domain(service, &e))
        },
        None => Reply::fault(framing, &fault::operation_not_found(service, op)),
    }
}

/// The operation must belong to this service, in its namespace, and agree with the SOAPAction and URL if given.
fn check_operation(call: &Call<'_>, payload: &Element) -> Result<(), fault::Fault> {
    let service = call.service;
    let op = payload.name.as_str();
    if payload.ns.as_deref() != Some(service.namespace()) || !service.has_operation(op) {
        return Err(fault::operation_not_found(service, op));
    }
    if let Some(path_op) = call.path_operation {
        if path_op != op {
            return Err(fault::client(format!(
                "The operation {path_op} in the URL does not match the element {op} in the body"
            )));
        }
    }
    let action = call
        .soap_action
        .map(|a| a.trim().trim_matches('"'))
        .filter(|a| !a.is_empty());
    if let Some(action) = action {
        let named = action.strip_prefix("urn:").unwrap_or(action);
        if named != op {
            return Err(fault::client(format!(
                "The SOAPAction {action} does not match the operation {op} in the body"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation listed as quick runs inside [`crate::store::Store::quick`] (writes refused) with the same
    /// reply as on a blocking thread, for every golden request of its service, in a store the other golden
    /// requests fill; and every listed operation has such a request.
    #[test]
    fn quick_operations_only_read_and_answer_as_they_would_on_a_blocking_thread() {
        let app = App::for_tests();
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
                    prepare(Call {
                        service,
                        path_operation: None,
                        soap_action: None,
                        content_type: Some(content_type),
                        body: &body,
                        caller: Caller::Session("admin".into()),
                    })
                    .unwrap_or_else(|r| panic!("{name}: {}", r.body))
                };
                let call = prepare();
                let op = call.payload.name.clone();
                if call.is_quick() {
                    let quick = app.store.quick(|| execute(&app, call));
                    let blocking = execute(&app, prepare());
                    assert_eq!(quick.status, blocking.status, "{name}: {}", quick.body);
                    assert_eq!(quick.body, blocking.body, "{name}");
                    covered.push((service, op));
                } else {
                    execute(&app, call);
                }
            }
        }
        for service in Service::ALL {
            for op in service.quick_operations() {
                assert!(
                    covered.iter().any(|(s, o)| *s == service && o == op),
                    "{op}: no golden request"
                );
            }
        }
        assert!(
            covered.iter().any(|(_, op)| op == "getUserProfile"),
            "the operation the benchmark measures"
        );
    }
}
