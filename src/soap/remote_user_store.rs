//! RemoteUserStoreManagerService: users, roles, credentials and claim values.

use super::Outcome;
use super::fault::ExceptionShape;
use super::xml::Element;
use crate::app::{Actor, App};
use crate::domain::DomainError;

pub const NS: &str = "http://service.ws.um.carbon.wso2.org";

pub const OPERATIONS: &[&str] = &[];

pub const EXCEPTION: ExceptionShape = ExceptionShape {
    ns: NS,
    element: "RemoteUserStoreManagerServiceUserStoreException",
    bean: "UserStoreException",
    type_ns: "http://core.user.carbon.wso2.org/xsd",
    type_name: "UserStoreException",
};

pub fn dispatch(_app: &App, _actor: &Actor, _op: &str, _payload: &Element) -> Option<Result<Outcome, DomainError>> {
    None
}
