//! Tenants as data: add one (with everything a new WSO2 tenant starts with), list, look up, activate and
//! deactivate. Tenant management is the super tenant's business (every `TenantMgtAdminService` operation is a
//! `superTenantService`); the use cases run on [`crate::store::SysTx`], and adding a tenant is one transaction.

use super::{ADMIN_ROLE, Actor, App, dialects};
use crate::domain::profile::tenancy::{AddTenantReturns, TenantTexts};
use crate::domain::secret::Secret;
use crate::domain::tenant::{self, DomainRefusal};
use crate::domain::{DEFAULT_PROFILE, DomainError, claims, permissions};
use crate::store::{NewTenant, StoreError, SysTx, TenantId, TenantPage, TenantRecord};

/// The tenant a request addresses (`/t/{domain}/…`), resolved once at the front door: an active tenant that
/// exists. Adapters find it in the request's extensions; none there means the super tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: TenantId,
    pub domain: String,
}

/// A tenant to add, as `addTenant`'s `TenantInfoBean` and the REST API's first owner give it.
#[derive(Debug, Clone)]
pub struct TenantSpec {
    pub domain: String,
    /// The tenant admin's tenant-aware name (`kim`, who signs in as `kim@abc.com`).
    pub admin: String,
    pub password: Secret,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
}

/// A tenant as the REST API shows it: its row and its admin's user id (WSO2's `adminUserId`, the owner's `id`;
/// None if the admin is gone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedTenant {
    pub tenant: TenantRecord,
    pub owner_id: Option<String>,
}

/// How a use case names one tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantKey<'a> {
    Uuid(&'a str),
    Domain(&'a str),
}

/// A tenant as `getTenant` shows it: the record and its admin's names (MT reads them from the admin's
/// `givenname` and `lastname` claims).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantDetails {
    pub record: TenantRecord,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// Why tenant management refused. Each front door words these as its release does (`soap`, `rest`, `cli`).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TenantRefusal {
    /// MT `registerTenant`: "Invalid email is provided." (REST TM-60002).
    #[error("Invalid email is provided.")]
    InvalidEmail,
    #[error("invalid tenant domain: {0:?}")]
    InvalidDomain(DomainRefusal),
    /// The domain is taken (`carbon.super` included).
    #[error("a tenant with domain {0} already exists")]
    DomainTaken(String),
    /// No admin name (REST TM-60013 "Required parameter username is not specified.").
    #[error("Required parameter {0} is not specified.")]
    Missing(&'static str),
    #[error("no tenant with domain {0}")]
    UnknownDomain(String),
    #[error("no tenant with id {0}")]
    UnknownId(String),
    /// Access, password policy, store failure: as everywhere else.
    #[error(transparent)]
    Domain(#[from] DomainError),
}

impl From<StoreError> for TenantRefusal {
    fn from(e: StoreError) -> TenantRefusal {
        TenantRefusal::Domain(e.into())
    }
}

impl TenantRefusal {
    /// The release's wording, for the front doors that show one text (SOAP faults, the CLI).
    pub fn message(&self, texts: TenantTexts) -> String {
        match (self, texts) {
            (TenantRefusal::InvalidDomain(r), _) => r.message(texts),
            (TenantRefusal::DomainTaken(_), TenantTexts::Plain) => "Domain is not available to register".to_string(),
            (TenantRefusal::DomainTaken(d), TenantTexts::Coded) => {
                format!("A tenant with same domain {d} already exist. Please use a different domain name.")
            }
            (TenantRefusal::UnknownDomain(d), _) => format!("Tenant cannot be found for the provided domain: {d}."),
            (TenantRefusal::UnknownId(id), _) => format!("Tenant cannot be found for the provided id: {id}."),
            (TenantRefusal::InvalidEmail | TenantRefusal::Missing(_) | TenantRefusal::Domain(_), _) => self.to_string(),
        }
    }
}

impl App {
    /// The active tenant with this domain (any case); None for an unknown or inactive one, which WSO2's
    /// `TenantContextRewriteValve` answers "invalid tenant domain".
    pub fn resolve_tenant(&self, domain: &str) -> Result<Option<Tenant>, DomainError> {
        if domain.eq_ignore_ascii_case(tenant::SUPER_DOMAIN) {
            return Ok(Some(Tenant {
                id: TenantId::SUPER,
                domain: tenant::SUPER_DOMAIN.to_string(),
            }));
        }
        Ok(self
            .store
            .system_read(|sys| sys.tenant_by_domain(domain))?
            .filter(|t| t.active)
            .map(|t| Tenant {
                id: t.id,
                domain: t.domain,
            }))
    }

    /// The system acting inside the active tenant `domain` (the CLI's `--tenant`); None for an unknown or
    /// inactive tenant.
    pub fn system_in(&self, domain: &str) -> Result<Option<Actor>, DomainError> {
        Ok(self.resolve_tenant(domain)?.map(|t| {
            if t.id == TenantId::SUPER {
                Actor::System
            } else {
                Actor::SystemIn(t.id)
            }
        }))
    }

    /// Where a typed sign-in name lives, and its tenant-aware name: split at the last `@` (WSO2's
    /// `MultitenantUtils`), the tenant the domain names; a name whose domain names no tenant is the super
    /// tenant's whole (an e-mail user name, `tom@gmail.com`). None when the tenant is inactive: nobody signs in
    /// there. Only a name with an `@` costs a lookup.
    pub fn locate_user<'n>(&self, typed: &'n str) -> Result<Option<(TenantId, &'n str)>, DomainError> {
        Ok(self.locate_user_at(None, typed)?.map(|(t, name)| (t.id, name)))
    }

    /// [`App::locate_user`] on a page or endpoint of a tenant (`/t/{domain}/…`): a name without a tenant is that
    /// tenant's (as WSO2 6.0 on, with tenant-qualified URLs, authenticates it there); a name qualified with
    /// another tenant is nobody here (None), where WSO2 would fail the login later with a tenant mismatch.
    pub fn locate_user_at<'n>(
        &self,
        url: Option<&Tenant>,
        typed: &'n str,
    ) -> Result<Option<(Tenant, &'n str)>, DomainError> {
        let here = || {
            url.cloned().unwrap_or(Tenant {
                id: TenantId::SUPER,
                domain: tenant::SUPER_DOMAIN.to_string(),
            })
        };
        let (name, Some(domain)) = tenant::split_user(typed) else {
            return Ok(Some((here(), typed)));
        };
        let named = if domain.eq_ignore_ascii_case(tenant::SUPER_DOMAIN) {
            Tenant {
                id: TenantId::SUPER,
                domain: tenant::SUPER_DOMAIN.to_string(),
            }
        } else {
            match self.store.system_read(|sys| sys.tenant_by_domain(domain))? {
                Some(t) if t.active => Tenant {
                    id: t.id,
                    domain: t.domain,
                },
                Some(_) => return Ok(None),
                // Not a tenant: the whole is a name (an e-mail user name) of the tenant here.
                None => return Ok(Some((here(), typed))),
            }
        };
        match url {
            Some(u) if u.id != named.id => Ok(None),
            _ => Ok(Some((named, name))),
        }
    }

    /// `checkDomainAvailability` (MT 4.8.1 on): false for carbon.super and a taken domain; a domain the rules
    /// refuse is a refusal, as MT's `validateDomain` throws.
    pub fn domain_available(&self, actor: &Actor, domain: &str) -> Result<bool, TenantRefusal> {
        self.require_tenant_admin(actor, permissions::TENANTS_MANAGE)?;
        if domain == tenant::SUPER_DOMAIN {
            return Ok(false);
        }
        tenant::check_domain(domain, &self.settings.profile.tenancy, None).map_err(TenantRefusal::InvalidDomain)?;
        Ok(self.store.system_read(|sys| sys.tenant_by_domain(domain))?.is_none())
    }

    /// Is this tenant there and active? (A session, a token or a link of a deactivated tenant means nothing.)
    pub(super) fn tenant_is_active(&self, tenant: TenantId) -> Result<bool, DomainError> {
        if tenant == TenantId::SUPER {
            return Ok(true);
        }
        Ok(self
            .store
            .system_read(|sys| sys.tenant(tenant))?
            .is_some_and(|t| t.active))
    }

    /// The domain of a tenant by id (what the console's header names, `kim@a.com`, and the SOAP tenant-mismatch
    /// fault); the super tenant's without a lookup, None for no such tenant. A read only: whoever holds a session of the tenant may know its name.
    pub fn tenant_domain(&self, tenant: TenantId) -> Result<Option<String>, DomainError> {
        if tenant == TenantId::SUPER {
            return Ok(Some(tenant::SUPER_DOMAIN.to_string()));
        }
        Ok(self.store.system_read(|sys| sys.tenant(tenant))?.map(|t| t.domain))
    }

    /// Who may manage tenants: a super-tenant actor holding the permission.
    fn require_tenant_admin(&self, actor: &Actor, permission: &str) -> Result<(), TenantRefusal> {
        if actor.tenant() != TenantId::SUPER {
            return Err(DomainError::AccessDenied.into());
        }
        Ok(actor.require(permission)?)
    }

    /// Add a tenant with its admin (holding `/permission/admin`, the tenant's whole tree), the release's claim
    /// dialect, the default e-mail templates, and governance as deployment.toml sets it (nothing stored: the file's
    /// values are every tenant's defaults until its admin changes one). Checks in MT `registerTenant`'s order:
    /// e-mail, domain, then availability. The tenant is active at once, as `addTenant` activates it.
    pub fn add_tenant(&self, actor: &Actor, spec: &TenantSpec) -> Result<TenantRecord, TenantRefusal> {
        self.require_tenant_admin(actor, permissions::TENANTS_MANAGE)?;
        if !tenant::email_is_valid(&spec.email) {
            return Err(TenantRefusal::InvalidEmail);
        }
        let profile = &self.settings.profile.tenancy;
        tenant::check_domain(&spec.domain, profile, None).map_err(TenantRefusal::InvalidDomain)?;
        let domain = spec.domain.trim().to_ascii_lowercase();
        if domain == tenant::SUPER_DOMAIN {
            return Err(TenantRefusal::DomainTaken(domain));
        }
        if spec.admin.trim().is_empty() {
            return Err(TenantRefusal::Missing("username"));
        }
        if self.store.system_read(|sys| sys.tenant_by_domain(&domain))?.is_some() {
            return Err(TenantRefusal::DomainTaken(domain));
        }
        self.username_policy.check_username(&spec.admin)?;
        self.password_policy.check_password(spec.password.expose())?;
        let hash = self.hash_password(spec.password.expose())?;
        let (dialect, _) = dialects(self.settings.profile.store.claim_dialect)?;
        let now = self.now();
        self.store.system_write(|sys| {
            let made = sys
                .insert_tenant(&NewTenant {
                    domain: &domain,
                    admin: &spec.admin,
                    email: spec.email.trim(),
                    now,
                })
                .map_err(|e| match e {
                    StoreError::Conflict => TenantRefusal::DomainTaken(domain.clone()),
                    other => other.into(),
                })?;
            let tx = sys.in_tenant(made.id);
            for meta in &dialect {
                tx.insert_claim_meta_if_absent(meta)?;
            }
            tx.insert_role(ADMIN_ROLE, now)?;
            tx.grant_permission(ADMIN_ROLE, permissions::TENANT_ADMIN)?;
            tx.insert_user(&spec.admin, &hash, now)?;
            tx.add_user_to_role(&spec.admin, ADMIN_ROLE)?;
            // MT `TenantMgtUtil.addClaimsToUserStoreManager`.
            for (uri, value) in [
                (claims::GIVEN_NAME, &spec.first_name),
                (claims::LAST_NAME, &spec.last_name),
                (claims::EMAIL, &spec.email),
            ] {
                if !value.trim().is_empty() {
                    tx.set_claim_value(&spec.admin, DEFAULT_PROFILE, uri, value.trim())?;
                }
            }
            self.seed_templates(&tx, now)?;
            self.audit(&tx, now, &Actor::System, "user.add", &spec.admin, "tenant admin")?;
            let home = sys.in_tenant(actor.tenant());
            self.audit(&home, now, actor, "tenant.add", &made.domain, "")?;
            Ok::<_, TenantRefusal>(made)
        })
    }

    /// `addTenant`: add the tenant ([`App::add_tenant`]) and answer what the release's `addTenant` returns: MT
    /// 4.7.x's theme-page token (a random UUID, `prepareStringToShowThemeMgtPage`), or from 4.9.8 the tenant's
    /// unique id.
    pub fn register_tenant(&self, actor: &Actor, spec: &TenantSpec) -> Result<String, TenantRefusal> {
        let made = self.add_tenant(actor, spec)?;
        Ok(match self.settings.profile.tenancy.add_tenant_returns {
            AddTenantReturns::ThemeToken => crate::util::uuid_v4(&mut rand::rng()),
            AddTenantReturns::TenantUuid => made.uuid,
        })
    }

    /// The tenant with this domain and its admin's names, if any (`getTenant` answers an empty bean for none).
    pub fn tenant_details(&self, actor: &Actor, domain: &str) -> Result<Option<TenantDetails>, TenantRefusal> {
        self.require_tenant_admin(actor, permissions::TENANTS_MANAGE)?;
        let Some(record) = self.store.system_read(|sys| sys.tenant_by_domain(domain.trim()))? else {
            return Ok(None);
        };
        let (first_name, last_name) = self.store.read(record.id, |tx| {
            Ok((
                tx.claim_value(&record.admin, DEFAULT_PROFILE, claims::GIVEN_NAME)?,
                tx.claim_value(&record.admin, DEFAULT_PROFILE, claims::LAST_NAME)?,
            ))
        })?;
        Ok(Some(TenantDetails {
            record,
            first_name,
            last_name,
        }))
    }

    /// Tenants by domain, and how many there are in all.
    pub fn list_tenants(
        &self,
        actor: &Actor,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<TenantRecord>, i64), TenantRefusal> {
        self.require_tenant_admin(actor, permissions::TENANTS_LIST)?;
        Ok(self
            .store
            .system_read(|sys| Ok((sys.tenants(offset.max(0), limit)?, sys.count_tenants()?)))?)
    }

    /// The tenant with this domain, if any (`getTenant` answers an empty bean for none).
    pub fn find_tenant(&self, actor: &Actor, domain: &str) -> Result<Option<TenantRecord>, TenantRefusal> {
        self.require_tenant_admin(actor, permissions::TENANTS_MANAGE)?;
        Ok(self.store.system_read(|sys| sys.tenant_by_domain(domain.trim()))?)
    }

    /// The tenant with this unique id (the REST API's `{tenant-id}`).
    pub fn tenant_by_uuid(&self, actor: &Actor, uuid: &str) -> Result<TenantRecord, TenantRefusal> {
        self.require_tenant_admin(actor, permissions::TENANTS_LIST)?;
        self.store
            .system_read(|sys| sys.tenant_by_uuid(uuid))?
            .ok_or_else(|| TenantRefusal::UnknownId(uuid.to_string()))
    }

    /// A page of the tenants (never the super tenant, which WSO2 keeps out of `UM_TENANT`) with their owners, and
    /// how many match in all.
    pub fn tenant_page(
        &self,
        actor: &Actor,
        page: &TenantPage<'_>,
    ) -> Result<(Vec<ManagedTenant>, i64), TenantRefusal> {
        self.require_tenant_admin(actor, permissions::TENANTS_LIST)?;
        Ok(self.store.system_read(|sys| {
            let (tenants, total) = sys.tenant_page(page)?;
            let listed = tenants
                .into_iter()
                .map(|t| with_owner(sys, t))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((listed, total))
        })?)
    }

    /// One tenant other than the super tenant, with its owner: UnknownId / UnknownDomain if there is none.
    pub fn managed_tenant(&self, actor: &Actor, key: TenantKey<'_>) -> Result<ManagedTenant, TenantRefusal> {
        self.require_tenant_admin(actor, permissions::TENANTS_LIST)?;
        let found = self.store.system_read(|sys| {
            let row = match key {
                TenantKey::Uuid(uuid) => sys.tenant_by_uuid(uuid)?,
                TenantKey::Domain(domain) => sys.tenant_by_domain(domain)?,
            };
            row.filter(|t| t.id != TenantId::SUPER)
                .map(|t| with_owner(sys, t))
                .transpose()
        })?;
        found.ok_or_else(|| match key {
            TenantKey::Uuid(uuid) => TenantRefusal::UnknownId(uuid.to_string()),
            TenantKey::Domain(domain) => TenantRefusal::UnknownDomain(domain.to_string()),
        })
    }

    /// Activate or deactivate a tenant by domain. The super tenant cannot be deactivated.
    pub fn set_tenant_active(&self, actor: &Actor, domain: &str, active: bool) -> Result<TenantRecord, TenantRefusal> {
        self.require_tenant_admin(actor, permissions::TENANTS_MODIFY)?;
        let now = self.now();
        self.store.system_write(|sys| {
            let found = sys
                .tenant_by_domain(domain.trim())?
                .ok_or_else(|| TenantRefusal::UnknownDomain(domain.trim().to_string()))?;
            if found.id == TenantId::SUPER && !active {
                return Err(DomainError::InvalidInput("The super tenant cannot be deactivated.".into()).into());
            }
            sys.set_tenant_active(found.id, active)?;
            let action = if active { "tenant.activate" } else { "tenant.deactivate" };
            self.audit(&sys.in_tenant(actor.tenant()), now, actor, action, &found.domain, "")?;
            Ok(TenantRecord { active, ..found })
        })
    }
}

/// A tenant and its admin's user id, read in the same transaction.
fn with_owner(sys: &SysTx<'_>, tenant: TenantRecord) -> Result<ManagedTenant, StoreError> {
    let owner_id = sys.in_tenant(tenant.id).user(&tenant.admin)?.map(|u| u.uuid);
    Ok(ManagedTenant { tenant, owner_id })
}

#[cfg(test)]
mod tests;
