//! Filling a stopped server's data directory with users, fast: straight through `Store::write` in large
//! transactions, every user sharing one precomputed argon2id hash (hashing 100k passwords would take an hour of
//! CPU and measure nothing the benchmark is about).

use forcereset::store::TenantId;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use forcereset::domain::{DEFAULT_PROFILE, claims, password};
use forcereset::store::{Store, StoreError};

/// The password of every seeded user (and of the login user).
pub const PASSWORD: &str = "Bench@1234";
/// The user the cached-login scenario logs in as, again and again (never reset, never locked).
pub const LOGIN_USER: &str = "benchlogin";
/// Users per transaction.
const CHUNK: usize = 5_000;

/// The name of seeded user `i`.
pub fn user_name(i: usize) -> String {
    format!("user{i:06}")
}

/// The name of login user `i`: users only the login scenarios use, each logging in once per run, so that no
/// login is answered from the verified-password cache.
pub fn login_user_name(i: usize) -> String {
    format!("login{i:05}")
}

/// The name of expired user `i`: a password last set at the epoch (expired under the bench's password expiry),
/// changed once by the expiry scenario.
pub fn expired_user_name(i: usize) -> String {
    format!("expired{i:05}")
}

/// The password the expiry scenario changes to.
pub const NEW_PASSWORD: &str = "Bench@5678";

/// The domain of bench tenant `i`.
pub fn tenant_domain(i: usize) -> String {
    format!("t{i:03}.bench")
}

/// Open the data directory like `forcereset` does, add `tenants` tenants through the use case a tenant admin's
/// `addTenant` runs (each with its admin `admin@<domain>`, password [`PASSWORD`], the release's dialect and the
/// templates), then `per_tenant` users in each, as [`seed`] adds them. Returns the time spent.
pub fn seed_tenants(config_path: &Path, tenants: usize, per_tenant: usize) -> anyhow::Result<Duration> {
    let loaded = forcereset::config::Config::load(config_path)?;
    let db = loaded.config.emulator.data_dir.join(forcereset::cli::DB_FILE);
    let app = forcereset::cli::open_app(loaded.config)?;
    let now = app.now();
    let started = Instant::now();
    let mut ids = Vec::with_capacity(tenants);
    for i in 0..tenants {
        let domain = tenant_domain(i);
        let made = app
            .add_tenant(
                &forcereset::app::Actor::System,
                &forcereset::app::TenantSpec {
                    domain: domain.clone(),
                    admin: "admin".into(),
                    password: forcereset::domain::secret::Secret::new(PASSWORD),
                    email: format!("admin@{domain}"),
                    first_name: "Bench".into(),
                    last_name: "Admin".into(),
                },
            )
            .map_err(|e| anyhow::anyhow!("cannot add tenant {domain}: {e}"))?;
        ids.push(made.id);
    }
    drop(app);
    let store = Store::open(&db).with_context(|| format!("cannot open {}", db.display()))?;
    let hash = password::hash(PASSWORD, rand::random()).map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
    let bar = indicatif::ProgressBar::new((tenants * per_tenant) as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("  seeding tenants' users {bar:40} {pos}/{len} {per_sec} eta {eta}")
    {
        bar.set_style(style);
    }
    for tenant in ids {
        store
            .write::<_, StoreError>(tenant, |tx| add_users(tx, &hash, 0..per_tenant, now))
            .with_context(|| format!("cannot seed the users of tenant {}", tenant.get()))?;
        bar.inc(per_tenant as u64);
    }
    bar.finish_and_clear();
    Ok(started.elapsed())
}

/// Users `range` with the bench's claims, in one transaction.
fn add_users(
    tx: &forcereset::store::Tx<'_>,
    hash: &str,
    range: std::ops::Range<usize>,
    now: i64,
) -> Result<(), StoreError> {
    for i in range {
        let name = user_name(i);
        tx.insert_user(&name, hash, now)?;
        tx.set_claim_value(&name, DEFAULT_PROFILE, claims::EMAIL, &format!("{name}@example.com"))?;
        tx.set_claim_value(&name, DEFAULT_PROFILE, claims::GIVEN_NAME, "Bench")?;
        tx.set_claim_value(&name, DEFAULT_PROFILE, claims::LAST_NAME, &format!("User {i}"))?;
        tx.set_claim_value(
            &name,
            DEFAULT_PROFILE,
            claims::LAST_PASSWORD_UPDATE_TIME,
            &now.to_string(),
        )?;
    }
    Ok(())
}

/// Open the data directory like `forcereset` does (migrations, bootstrap), then add users `from..to`, and the
/// login users (`benchlogin` and `login_users` numbered ones) if absent. Returns the time spent inserting.
pub fn seed(config_path: &Path, from: usize, to: usize, login_users: usize) -> anyhow::Result<Duration> {
    let loaded = forcereset::config::Config::load(config_path)?;
    let db = loaded.config.emulator.data_dir.join(forcereset::cli::DB_FILE);
    // Migrations and the bootstrap as `forcereset` runs them; then straight into the store, below the use cases.
    let app = forcereset::cli::open_app(loaded.config)?;
    let now = app.now();
    drop(app);
    let store = Store::open(&db).with_context(|| format!("cannot open {}", db.display()))?;
    let hash = password::hash(PASSWORD, rand::random()).map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
    let started = Instant::now();
    store
        .write::<_, StoreError>(TenantId::SUPER, |tx| {
            // Every password has its update time (the server runs with password expiry on), except the expired
            // users', whose is the epoch.
            let fresh = now.to_string();
            let users = std::iter::once((LOGIN_USER.to_string(), fresh.as_str()))
                .chain((0..login_users).map(|i| (login_user_name(i), fresh.as_str())))
                .chain((0..login_users).map(|i| (expired_user_name(i), "0")));
            for (name, updated) in users {
                if !tx.user_exists(&name)? {
                    tx.insert_user(&name, &hash, now)?;
                }
                tx.set_claim_value(&name, DEFAULT_PROFILE, claims::LAST_PASSWORD_UPDATE_TIME, updated)?;
            }
            Ok(())
        })
        .context("cannot add the login users")?;
    let bar = indicatif::ProgressBar::new((to.saturating_sub(from)) as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("  seeding users {bar:40} {pos}/{len} {per_sec} eta {eta}")
    {
        bar.set_style(style);
    }
    let mut start = from;
    while start < to {
        let end = (start + CHUNK).min(to);
        store
            .write::<_, StoreError>(TenantId::SUPER, |tx| add_users(tx, &hash, start..end, now))
            .with_context(|| format!("cannot seed users {start}..{end}"))?;
        bar.inc((end - start) as u64);
        start = end;
    }
    bar.finish_and_clear();
    Ok(started.elapsed())
}
