//! Tenants as the store's key: the [`TenantId`] every [`Tx`] is bound to, and [`SysTx`], the one handle that
//! works across tenants (the tenant table itself, and the mail worker's queue).
//!
//! Isolation is structural: a `Tx` holds exactly one tenant and binds it into every statement it runs, no query
//! method takes a tenant as a parameter, and a `TenantId` other than the super tenant's can only be had by
//! reading or creating the tenant through `SysTx`. Composite foreign keys (migration 12) make a row that points
//! at another tenant's user unwritable.

use rusqlite::types::{ToSql, ToSqlOutput};
use rusqlite::{Connection, OptionalExtension, params};

use super::queries::{Caches, Mode, conflict};
use super::{StoreError, Tx};

/// A tenant's numeric id, as WSO2 numbers them: the super tenant (`carbon.super`) is -1234, others 1, 2, …
/// The field is private to the store, so an id names a tenant that exists (or existed when it was read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(i32);

impl TenantId {
    /// `carbon.super` (WSO2's `MultitenantConstants.SUPER_TENANT_ID`).
    pub const SUPER: TenantId = TenantId(-1234);

    /// The number WSO2 answers with (`getTenantId`, `TenantInfoBean.tenantId`).
    pub const fn get(self) -> i32 {
        self.0
    }
}

impl ToSql for TenantId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.0))
    }
}

/// A tenant row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantRecord {
    pub id: TenantId,
    /// WSO2's tenant unique id (REST `/tenants/{id}`), a UUID.
    pub uuid: String,
    pub domain: String,
    pub active: bool,
    pub created_at: i64,
    /// The tenant admin's tenant-aware name (empty for the super tenant, whose admin is configured).
    pub admin: String,
    pub email: String,
}

/// Which domains a tenant page holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainMatch<'a> {
    Any,
    Equals(&'a str),
    Contains(&'a str),
    StartsWith(&'a str),
    EndsWith(&'a str),
}

/// A page of tenants: `limit` < 0 = no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantPage<'a> {
    pub domain: DomainMatch<'a>,
    pub descending: bool,
    pub offset: i64,
    pub limit: i64,
}

/// What a new tenant is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTenant<'a> {
    pub domain: &'a str,
    pub admin: &'a str,
    pub email: &'a str,
    pub now: i64,
}

const TENANT_COLUMNS: &str = "id, uuid, domain, active, created_at, admin, email";

fn tenant_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TenantRecord> {
    Ok(TenantRecord {
        id: TenantId(r.get(0)?),
        uuid: r.get(1)?,
        domain: r.get(2)?,
        active: r.get(3)?,
        created_at: r.get(4)?,
        admin: r.get(5)?,
        email: r.get(6)?,
    })
}

/// An open transaction that is not bound to a tenant: tenants themselves, and the outbox as a whole. It has no
/// user, role, claim or template queries; for those it lends a [`Tx`] bound to one tenant, in the same
/// transaction ([`SysTx::in_tenant`]).
pub struct SysTx<'a> {
    conn: &'a Connection,
    caches: &'a Caches,
    mode: Mode,
}

impl<'a> SysTx<'a> {
    pub(super) fn new(conn: &'a Connection, caches: &'a Caches, mode: Mode) -> SysTx<'a> {
        SysTx { conn, caches, mode }
    }

    pub(super) fn conn(&self) -> &'a Connection {
        self.conn
    }

    /// The same transaction, bound to one tenant.
    pub fn in_tenant(&self, tenant: TenantId) -> Tx<'a> {
        Tx::new(self.conn, self.caches, self.mode, tenant)
    }

    /// The tenant with this domain (case-insensitive, as WSO2 lower-cases domains).
    pub fn tenant_by_domain(&self, domain: &str) -> Result<Option<TenantRecord>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {TENANT_COLUMNS} FROM tenants WHERE domain = lower(?1)"
            ))?
            .query_row([domain], tenant_row)
            .optional()?)
    }

    /// The tenant with this unique id (a UUID).
    pub fn tenant_by_uuid(&self, uuid: &str) -> Result<Option<TenantRecord>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE uuid = ?1"))?
            .query_row([uuid], tenant_row)
            .optional()?)
    }

    /// The tenant with this numeric id.
    pub fn tenant(&self, id: TenantId) -> Result<Option<TenantRecord>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE id = ?1"))?
            .query_row([id], tenant_row)
            .optional()?)
    }

    /// The tenant whose admin registered OAuth client `client_id` (client ids are unique across tenants), with
    /// its domain: `/oauth2/authorize` without `/t/{domain}/` runs in the client's tenant.
    pub fn tenant_of_client(&self, client_id: &str) -> Result<Option<TenantRecord>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {TENANT_COLUMNS} FROM tenants WHERE id = (SELECT tenant_id FROM oauth_apps WHERE client_id = ?1)"
            ))?
            .query_row([client_id], tenant_row)
            .optional()?)
    }

    /// Tenants by domain; `limit` < 0 = no limit.
    pub fn tenants(&self, offset: i64, limit: i64) -> Result<Vec<TenantRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {TENANT_COLUMNS} FROM tenants ORDER BY domain LIMIT ?2 OFFSET ?1"
        ))?;
        let rows = stmt.query_map(params![offset, limit], tenant_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One page of the tenants other than the super tenant (WSO2 keeps it out of `UM_TENANT`, so its lists never
    /// show it) whose domain matches, by domain ascending or descending, and how many match in all.
    pub fn tenant_page(&self, page: &TenantPage<'_>) -> Result<(Vec<TenantRecord>, i64), StoreError> {
        // Substring tests, not LIKE: `_` is a legal domain character.
        let (clause, value) = match page.domain {
            DomainMatch::Any => ("1 = 1 OR ?1 IS NULL", ""),
            DomainMatch::Equals(v) => ("domain = ?1", v),
            DomainMatch::Contains(v) => ("instr(domain, ?1) > 0", v),
            DomainMatch::StartsWith(v) => ("substr(domain, 1, length(?1)) = ?1", v),
            DomainMatch::EndsWith(v) => ("length(domain) >= length(?1) AND substr(domain, -length(?1)) = ?1", v),
        };
        let order = if page.descending { "DESC" } else { "ASC" };
        let filter = format!("id <> {} AND ({clause})", TenantId::SUPER.0);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {TENANT_COLUMNS} FROM tenants WHERE {filter} ORDER BY domain {order} LIMIT ?3 OFFSET ?2"
        ))?;
        let rows = stmt.query_map(params![value, page.offset, page.limit], tenant_row)?;
        let tenants = rows.collect::<Result<_, _>>()?;
        let total = self
            .conn
            .prepare_cached(&format!("SELECT count(*) FROM tenants WHERE {filter}"))?
            .query_row([value], |r| r.get(0))?;
        Ok((tenants, total))
    }

    pub fn count_tenants(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT count(*) FROM tenants")?
            .query_row([], |r| r.get(0))?)
    }

    /// Add a tenant (active) with the next id; Conflict when the domain is taken. Its version rows come with it
    /// (trigger `tenant_added`).
    pub fn insert_tenant(&self, t: &NewTenant<'_>) -> Result<TenantRecord, StoreError> {
        let uuid = crate::util::uuid_v4(&mut rand::rng());
        let id: i32 = self
            .conn
            .prepare_cached(
                "INSERT INTO tenants (id, uuid, domain, active, created_at, admin, email)
                 SELECT max(0, coalesce(max(id), 0)) + 1, ?1, lower(?2), 1, ?3, ?4, ?5 FROM tenants
                 RETURNING id",
            )?
            .query_row(params![uuid, t.domain, t.now, t.admin, t.email], |r| r.get(0))
            .map_err(conflict)?;
        Ok(TenantRecord {
            id: TenantId(id),
            uuid,
            domain: t.domain.to_ascii_lowercase(),
            active: true,
            created_at: t.now,
            admin: t.admin.to_string(),
            email: t.email.to_string(),
        })
    }

    /// Activate or deactivate a tenant; false if there is no such tenant.
    pub fn set_tenant_active(&self, id: TenantId, active: bool) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("UPDATE tenants SET active = ?2 WHERE id = ?1")?
            .execute(params![id, active])?
            == 1)
    }
}

#[cfg(test)]
mod tests;
