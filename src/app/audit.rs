//! The audit log: every state change of a use case is recorded in its transaction; this reads it back.

use super::{Actor, App, page_bounds};
use crate::domain::{DomainError, permissions};
use crate::store::AuditRecord;

impl App {
    /// A page of the audit log, newest first.
    pub fn audit_log(&self, actor: &Actor, offset: i64, limit: i64) -> Result<Vec<AuditRecord>, DomainError> {
        actor.require(permissions::AUDIT_VIEW)?;
        let (offset, limit) = page_bounds(offset, limit);
        Ok(self.store.read(actor.tenant(), |tx| tx.audit_page(offset, limit))?)
    }
}
