//! The command line (clap): `serve` and the admin commands. Each command calls the same `App` use cases the
//! server does, acting as the system.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{ArgGroup, Args, Parser, Subcommand};

use crate::app::{Actor, App, system_clock};
use crate::config::Config;
use crate::domain::governance::ResetMode;
use crate::domain::secret::Secret;
use crate::store::Store;

mod apps;
mod lock;
mod mail;
mod tenants;

pub use lock::DataDirLock;

/// The database file inside the data directory.
pub const DB_FILE: &str = "forcereset.db";
/// The key recovery codes are hashed under, inside the data directory.
pub const CODE_KEY_FILE: &str = "code.key";

#[derive(Parser, Debug)]
#[command(
    name = "forcereset",
    version,
    about = "WSO2 Identity Server's admin forced password reset, in one binary",
    long_about = "A stand-in for WSO2 Identity Server's admin forced password reset: the SOAP admin services, \
                  the login and reset pages, and the reset emails, on ports 9443/9763 like the real product.",
    after_help = "Example:\n  forcereset serve\n\nExit status: 0 done; 1 the command failed (one line on stderr, \
                  'forcereset: ...'); 2 the command line was wrong (a usage message)."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// deployment.toml to read (default ./deployment.toml; embedded defaults if that file does not exist)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory holding the database and the TLS certificate (overrides [forcereset] data_dir)
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Act inside this tenant (user, role, claim, mail, app commands; default carbon.super)
    #[arg(long, global = true, value_name = "DOMAIN")]
    pub tenant: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server (HTTPS on 9443+offset, HTTP on 9763+offset).
    #[command(after_help = "Example:\n  forcereset serve --config deployment.toml --data-dir ./data")]
    Serve,
    /// Manage users.
    #[command(after_help = "Example:\n  forcereset user add tom --password-stdin")]
    #[command(subcommand)]
    User(UserCommand),
    /// Manage roles.
    #[command(after_help = "Example:\n  forcereset role list")]
    #[command(subcommand)]
    Role(RoleCommand),
    /// Read or write a user's claims.
    #[command(after_help = "Example:\n  forcereset claim get tom http://wso2.org/claims/emailaddress")]
    #[command(subcommand)]
    Claim(ClaimCommand),
    /// The outbox and built-in mailbox: reset e-mails, their delivery state, retries and .eml export.
    #[command(after_help = "Example:\n  forcereset mail list")]
    #[command(subcommand)]
    Mail(mail::MailCommand),
    /// OAuth2 applications (clients): register, list, show, delete.
    #[command(after_help = "Example:\n  forcereset app add shop --redirect-uri https://shop.example/cb")]
    #[command(subcommand)]
    App(apps::AppCommand),
    /// Tenants: add (with their admin), list, show, activate, deactivate.
    #[command(
        after_help = "Example:\n  forcereset tenant add wso2.com --admin kim --password-stdin --email kim@wso2.com"
    )]
    #[command(subcommand)]
    Tenant(tenants::TenantCommand),
    /// Inspect the configuration.
    #[command(after_help = "Example:\n  forcereset config check")]
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a user.
    #[command(
        after_help = "Example:\n  forcereset user add tom --password 'Abcd@123' --role loginrole --claim http://wso2.org/claims/emailaddress=tom@example.com"
    )]
    Add {
        /// The new user's name
        name: String,
        #[command(flatten)]
        password: PasswordArgs,
        /// A role to assign (repeatable)
        #[arg(long = "role", value_name = "ROLE")]
        roles: Vec<String>,
        /// A claim as URI=VALUE (repeatable)
        #[arg(long = "claim", value_name = "URI=VALUE")]
        claims: Vec<String>,
    },
    /// List users, optionally filtered with * wildcards.
    #[command(after_help = "Example:\n  forcereset user list --filter 't*'")]
    List {
        /// Only names matching this pattern (* matches anything)
        #[arg(long, default_value = "*")]
        filter: String,
    },
    /// Show a user's roles and claims.
    #[command(after_help = "Example:\n  forcereset user show tom")]
    Show {
        /// The user to show
        name: String,
        /// The profile whose claim values to show
        #[arg(long, default_value = "default")]
        profile: String,
    },
    /// Set a user's password as the administrator.
    #[command(after_help = "Example:\n  echo 'New@1234' | forcereset user passwd tom --password-stdin")]
    Passwd {
        /// The user whose password to set
        name: String,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// Delete a user.
    #[command(after_help = "Example:\n  forcereset user delete tom")]
    Delete {
        /// The user to delete
        name: String,
    },
    /// Force a password reset, as setting adminForcedPasswordReset=true does (same engine, same mode rules).
    ///
    /// One user, every member of a role, or every user but the super admin; --dry-run lists who would be reset.
    #[command(
        after_help = "Examples:\n  forcereset user force-reset tom\n  forcereset user force-reset --role staff --dry-run"
    )]
    #[command(group(ArgGroup::new("target").required(true).args(["name", "role", "all"])))]
    ForceReset {
        /// The user to reset
        name: Option<String>,
        /// Reset every member of this role
        #[arg(long, conflicts_with = "all")]
        role: Option<String>,
        /// Reset every user except the super admin
        #[arg(long)]
        all: bool,
        /// Only list the users that would be reset
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Args, Debug)]
pub struct PasswordArgs {
    /// The password (visible to other local users in the process list; prefer --password-stdin)
    #[arg(long, conflicts_with = "password_stdin")]
    pub(crate) password: Option<String>,
    /// Read the password from the first line of standard input
    #[arg(long)]
    pub(crate) password_stdin: bool,
}

#[derive(Subcommand, Debug)]
pub enum RoleCommand {
    /// Add a role with permission paths and members.
    #[command(after_help = "Example:\n  forcereset role add loginrole --permission /permission/admin/login --user tom")]
    Add {
        /// The new role's name
        name: String,
        /// A WSO2 permission path (repeatable); a path grants everything below it
        #[arg(long = "permission", value_name = "PATH")]
        permissions: Vec<String>,
        /// A user to assign (repeatable)
        #[arg(long = "user", value_name = "USER")]
        users: Vec<String>,
    },
    /// List roles with their permissions.
    #[command(after_help = "Example:\n  forcereset role list")]
    List,
}

#[derive(Subcommand, Debug)]
pub enum ClaimCommand {
    /// Print one claim value of a user.
    #[command(after_help = "Example:\n  forcereset claim get tom http://wso2.org/claims/oneTimePassword")]
    Get {
        /// The user whose claim to read
        user: String,
        /// The claim URI, e.g. http://wso2.org/claims/emailaddress
        uri: String,
        /// The profile to read from
        #[arg(long, default_value = "default")]
        profile: String,
    },
    /// Set one claim value of a user.
    #[command(after_help = "Example:\n  forcereset claim set tom http://wso2.org/claims/emailaddress tom@example.com")]
    Set {
        /// The user whose claim to set
        user: String,
        /// The claim URI, e.g. http://wso2.org/claims/emailaddress
        uri: String,
        /// The new value (an empty value removes the claim)
        value: String,
        /// The profile to write to
        #[arg(long, default_value = "default")]
        profile: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Validate deployment.toml and print the effective configuration, secrets masked.
    #[command(after_help = "Example:\n  forcereset config check --config deployment.toml")]
    Check,
}

/// Parse arguments, run, and turn any error into one line on stderr and exit code 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // The server logs its progress; admin commands print their result and only warnings besides.
    init_logging(if matches!(cli.command, Command::Serve) {
        "info"
    } else {
        "warn"
    });
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("forcereset: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(default_level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("FORCERESET_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let config = load_config(&cli.global)?;
    match cli.command {
        Command::Serve => serve(config),
        Command::Config(ConfigCommand::Check) => {
            print!("{}", config.render_masked());
            print!("{}", settings_in_force(&config)?);
            Ok(())
        }
        Command::User(cmd) => in_tenant(config, &cli.global, |app, sys| user(app, sys, cmd)),
        Command::Role(cmd) => in_tenant(config, &cli.global, |app, sys| role(app, sys, cmd)),
        Command::Claim(cmd) => in_tenant(config, &cli.global, |app, sys| claim(app, sys, cmd)),
        Command::Mail(cmd) => in_tenant(config, &cli.global, |app, sys| mail::run(app, sys, cmd)),
        Command::App(cmd) => in_tenant(config, &cli.global, |app, sys| apps::run(app, sys, cmd)),
        Command::Tenant(cmd) => in_tenant(config, &cli.global, |app, sys| tenants::run(app, sys, cmd)),
    }
}

/// Open the app and run `f` as the system of `--tenant` (carbon.super without it); an unknown or inactive tenant
/// is one line and exit 1.
fn in_tenant(
    config: Config,
    global: &Global,
    f: impl FnOnce(&App, &Actor) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let app = open_app(config)?;
    let actor = match global.tenant.as_deref() {
        None => Actor::System,
        Some(domain) => match app.system_in(domain)? {
            Some(actor) => actor,
            None => bail!("no active tenant {domain:?} (forcereset tenant list shows them)"),
        },
    };
    f(&app, &actor)
}

/// Read the config named by --config, else ./deployment.toml if present, else the embedded defaults; print one
/// warning line per unknown key; apply --data-dir.
pub fn load_config(global: &Global) -> anyhow::Result<Config> {
    let default_path = Path::new("deployment.toml");
    let mut config = match &global.config {
        Some(path) => report(Config::load(path)?),
        None if default_path.exists() => report(Config::load(default_path)?),
        None => {
            tracing::info!("no deployment.toml here; using the embedded defaults");
            Config::defaults()
        }
    };
    if let Some(dir) = &global.data_dir {
        config.emulator.data_dir = dir.clone();
    }
    Ok(config)
}

fn report(loaded: crate::config::Loaded) -> Config {
    for warning in &loaded.warnings {
        tracing::warn!("{warning}");
    }
    loaded.config
}

/// Open (creating if needed) the data directory and database, and run the idempotent bootstrap.
pub fn open_app(config: Config) -> anyhow::Result<App> {
    let dir = config.emulator.data_dir.clone();
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create data directory {}", dir.display()))?;
    let db = dir.join(DB_FILE);
    let store = Store::open(&db).with_context(|| format!("cannot open database {}", db.display()))?;
    let key = code_key(&dir)?;
    let templates = match &config.emulator.email_templates {
        Some(path) => {
            let (templates, warnings) = crate::mail::templates::Templates::load(Some(path))
                .with_context(|| "[forcereset] email_templates".to_string())?;
            for warning in warnings {
                tracing::warn!("{warning}");
            }
            templates
        }
        None => crate::mail::templates::Templates::embedded(),
    };
    let admin = config.super_admin.username.clone();
    let app = App::new(config, store, system_clock())
        .with_code_key(key)
        .with_key_dir(dir.clone())
        .with_templates(templates);
    let report = app.bootstrap().context("bootstrap failed")?;
    if report.admin_user_created {
        tracing::info!(user = %admin, "created the super admin account");
    }
    Ok(app)
}

/// The key recovery codes are hashed under: `<data_dir>/code.key`, made on first start (owner-only on Unix) and
/// kept, so pending codes survive restarts while a copied database alone reveals nothing.
fn code_key(dir: &Path) -> anyhow::Result<[u8; 32]> {
    use rand::RngCore;
    let path = dir.join(CODE_KEY_FILE);
    if let Ok(bytes) = std::fs::read(&path) {
        return <[u8; 32]>::try_from(bytes.as_slice())
            .map_err(|_| anyhow::anyhow!("{} is not a 32-byte key; delete it to make a new one", path.display()));
    }
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    std::io::Write::write_all(&mut file, &key).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(key)
}

fn serve(config: Config) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        // In this order: a port in use or a data directory another server holds must leave nothing created behind
        // (no data directory, database, admin or certificate).
        let bound = crate::http::bind(&config).await?;
        let _lock = DataDirLock::acquire(&config.emulator.data_dir)?;
        let app = Arc::new(open_app(config.clone())?);
        log_overrides(&app)?;
        let services = crate::routes::Services::serve(bound, app, &config).await?;
        tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "forcereset is ready");
        services.run_until_signal().await;
        Ok(())
    })
}

/// One line per deployment.toml value a value stored through the console or `updateConfigurations` overrides.
fn log_overrides(app: &App) -> anyhow::Result<()> {
    for s in app.setting_sources(&Actor::System)? {
        if let Some(stored) = &s.stored {
            tracing::warn!(
                "{} = {stored} (stored through the console or updateConfigurations) overrides deployment.toml {} = {}",
                s.property,
                s.file_key,
                s.file_value
            );
        }
    }
    Ok(())
}

/// `config check`'s account of the governance values in force: each with its source, read from the data
/// directory's database when there is one (never created here).
fn settings_in_force(config: &Config) -> anyhow::Result<String> {
    let db = config.emulator.data_dir.join(DB_FILE);
    let mut out =
        String::from("\n# In force on this data directory: the resident IdP's governance values. A value stored\n");
    out.push_str("# through the console or updateConfigurations wins over deployment.toml, as in WSO2.\n");
    if !db.exists() {
        out.push_str(&format!(
            "# {} does not exist yet: deployment.toml's values above are in force.\n",
            db.display()
        ));
        return Ok(out);
    }
    let store = Store::open(&db).with_context(|| format!("cannot open database {}", db.display()))?;
    let app = App::new(config.clone(), store, system_clock());
    let sources = app.setting_sources(&Actor::System)?;
    let width = sources
        .iter()
        .map(|s| s.property.len() + s.value().len())
        .max()
        .unwrap_or(0)
        + 3;
    for s in &sources {
        let pair = format!("{} = {}", s.property, s.value());
        let source = match &s.stored {
            Some(_) => format!("stored: overrides deployment.toml {} = {}", s.file_key, s.file_value),
            None => format!("deployment.toml {}", s.file_key),
        };
        out.push_str(&format!("# {pair:<width$} {source}\n"));
    }
    Ok(out)
}

pub(crate) fn read_password(args: &PasswordArgs) -> anyhow::Result<Secret> {
    if let Some(p) = &args.password {
        return Ok(Secret::new(p.clone()));
    }
    if !args.password_stdin && std::io::stdin().is_terminal() {
        bail!("give the password with --password or --password-stdin");
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from stdin")?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        bail!("no password on standard input");
    }
    Ok(Secret::new(password))
}

fn parse_claim(arg: &str) -> anyhow::Result<(String, String)> {
    match arg.split_once('=') {
        Some((uri, value)) if !uri.is_empty() => Ok((uri.to_string(), value.to_string())),
        _ => bail!("--claim {arg:?}: expected URI=VALUE, e.g. http://wso2.org/claims/emailaddress=tom@example.com"),
    }
}

fn user(app: &App, sys: &Actor, cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Add {
            name,
            password,
            roles,
            claims,
        } => {
            let claims = claims
                .iter()
                .map(|c| parse_claim(c))
                .collect::<anyhow::Result<Vec<_>>>()?;
            app.add_user(sys, &name, &read_password(&password)?, &roles, &claims, "default")?;
            println!("added user {name}");
        }
        UserCommand::List { filter } => {
            for name in app.list_users(sys, &filter, -1)? {
                println!("{name}");
            }
        }
        UserCommand::Show { name, profile } => {
            let view = app.user_view(sys, &name, &profile)?;
            println!("user: {}", view.name);
            println!("roles: {}", view.roles.join(", "));
            println!("claims ({profile}):");
            for (uri, value) in view.claims {
                println!("  {uri} = {value}");
            }
            println!(
                "password expires: {}",
                expiry_words(app.password_expiry(sys, &view.name)?, app.now())
            );
        }
        UserCommand::Passwd { name, password } => {
            app.set_password_by_admin(sys, &name, &read_password(&password)?)?;
            println!("password of {name} updated");
        }
        UserCommand::Delete { name } => {
            app.delete_user(sys, &name)?;
            println!("deleted user {name}");
        }
        UserCommand::ForceReset {
            name, role, dry_run, ..
        } => force_reset(app, sys, name, role.as_deref(), dry_run)?,
    }
    Ok(())
}

/// When a password expires, in words (`user show`).
fn expiry_words(expiry: crate::domain::expiry::Expiry, now: crate::domain::Millis) -> String {
    use crate::domain::expiry::{Exemption, Expiry};
    match expiry {
        Expiry::Off => "never (password expiry is off)".to_string(),
        Expiry::Exempt(Exemption::Rule) => "never (an expiry rule exempts this user)".to_string(),
        Expiry::Exempt(Exemption::NoApplicableRule) => {
            "never (no expiry rule applies and skipIfNoApplicableRules is on)".to_string()
        }
        Expiry::NoRecord { expired: true } => {
            "expired (no lastPasswordUpdateTime: the user must change it at the next sign-in)".to_string()
        }
        Expiry::NoRecord { expired: false } => "not recorded (no lastPasswordUpdateTime)".to_string(),
        Expiry::At(at) if at <= now => format!("{} (expired)", crate::util::format_utc(at)),
        Expiry::At(at) => crate::util::format_utc(at),
    }
}

/// How a mode reaches the user, in words, with the property that turns it on.
fn mode_words(mode: ResetMode) -> &'static str {
    match mode {
        ResetMode::EmailLink => "a recovery link by e-mail (Recovery.AdminPasswordReset.RecoveryLink)",
        ResetMode::EmailOtp => "a one-time password by e-mail (Recovery.AdminPasswordReset.OTP)",
        ResetMode::Offline => {
            "an offline one-time password in the user's One Time Password claim (Recovery.AdminPasswordReset.Offline)"
        }
    }
}

/// What a forced reset did, without claiming more than happened: a mail is queued (or kept in the built-in
/// mailbox), not sent, when the command returns.
fn describe(app: &App, sys: &Actor, outcome: &crate::app::ResetOutcome) -> String {
    let Some(id) = outcome.mail_id else {
        return match outcome.mode {
            ResetMode::Offline => "one-time password stored in the user's One Time Password claim".to_string(),
            ResetMode::EmailLink | ResetMode::EmailOtp => "no mail queued".to_string(),
        };
    };
    let what = match outcome.mode {
        ResetMode::EmailLink => "recovery link",
        ResetMode::EmailOtp | ResetMode::Offline => "one-time password",
    };
    match app.mail(sys, id) {
        Ok(mail) if mail.status == crate::store::MailStatus::Mailbox => format!(
            "{what} e-mail to {} kept in the built-in mailbox as mail #{id}: no SMTP server is configured \
             (`forcereset mail show {id}`)",
            mail.recipient
        ),
        Ok(mail) => format!(
            "{what} e-mail to {} queued as mail #{id}; `forcereset mail list` shows when it is delivered",
            mail.recipient
        ),
        Err(_) => format!("{what} e-mail queued as mail #{id}"),
    }
}

/// `user force-reset`: one user, a role's members or everyone but the super admin; `--dry-run` says who and how.
fn force_reset(app: &App, sys: &Actor, name: Option<String>, role: Option<&str>, dry_run: bool) -> anyhow::Result<()> {
    if dry_run {
        let targets = match name {
            Some(name) => vec![name],
            None => app.reset_targets(sys, role)?,
        };
        for user in &targets {
            println!("would reset {user}");
        }
        match app.reset_settings(sys)?.mode() {
            Some(mode) => println!("{} user(s) would be reset, each by {}", targets.len(), mode_words(mode)),
            None => println!(
                "{} user(s) selected, but no reset mode is enabled, so none would be reset (enable \
                 Recovery.AdminPasswordReset.RecoveryLink, OTP or Offline)",
                targets.len()
            ),
        }
        return Ok(());
    }
    match name {
        Some(name) => {
            let outcome = app.force_reset(sys, &name)?;
            println!("forced a password reset of {name}: {}", describe(app, sys, &outcome));
            Ok(())
        }
        None => bulk_force_reset(app, sys, role),
    }
}

/// Reset many users, one transaction each, with a progress bar and a per-user summary: one user's failure (no
/// e-mail address, say) does not stop the others.
fn bulk_force_reset(app: &App, sys: &Actor, role: Option<&str>) -> anyhow::Result<()> {
    let targets = app.reset_targets(sys, role)?;
    let bar = indicatif::ProgressBar::new(targets.len() as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}") {
        bar.set_style(style);
    }
    let mut failures = Vec::new();
    let mut mode = None;
    for user in &targets {
        bar.set_message(user.clone());
        match app.force_reset(sys, user) {
            Ok(outcome) => mode = Some(outcome.mode),
            Err(e) => failures.push((user.clone(), e.to_string())),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    for (user, error) in &failures {
        println!("FAILED {user}: {error}");
    }
    let how = mode.map(|m| format!(", by {}", mode_words(m))).unwrap_or_default();
    println!(
        "{} reset, {} failed{how}",
        targets.len() - failures.len(),
        failures.len()
    );
    if mode.is_some_and(|m| m != ResetMode::Offline) {
        println!("their mails are queued: `forcereset mail list` shows when each is delivered");
    }
    if failures.is_empty() {
        Ok(())
    } else {
        bail!("{} of {} forced resets failed", failures.len(), targets.len())
    }
}

fn role(app: &App, sys: &Actor, cmd: RoleCommand) -> anyhow::Result<()> {
    match cmd {
        RoleCommand::Add {
            name,
            permissions,
            users,
        } => {
            app.add_role(sys, &name, &permissions, &users)?;
            println!("added role {name}");
        }
        RoleCommand::List => {
            for name in app.role_names(sys)? {
                let perms = app.role_permissions(sys, &name).unwrap_or_default();
                println!("{name}\t{}", perms.join(" "));
            }
        }
    }
    Ok(())
}

fn claim(app: &App, sys: &Actor, cmd: ClaimCommand) -> anyhow::Result<()> {
    match cmd {
        ClaimCommand::Get { user, uri, profile } => match app.claim_value(sys, &user, &uri, &profile)? {
            Some(value) => println!("{value}"),
            None => bail!("{user} has no value for {uri} in profile {profile}"),
        },
        ClaimCommand::Set {
            user,
            uri,
            value,
            profile,
        } => {
            app.set_claims(sys, &user, &profile, &[(uri.clone(), value)])?;
            println!("set {uri} of {user}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    /// Every command shows its examples, one per line, and every argument says what it is.
    #[test]
    fn every_command_has_examples_and_every_argument_a_description() {
        fn walk(cmd: &clap::Command, path: &str, problems: &mut Vec<String>) {
            let path = format!("{path} {}", cmd.get_name());
            for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
                let id = arg.get_id().as_str();
                if id != "help" && id != "version" && arg.get_help().is_none() && arg.get_long_help().is_none() {
                    problems.push(format!("{path}: argument {id} has no description"));
                }
            }
            let subs: Vec<&clap::Command> = cmd.get_subcommands().collect();
            if subs.is_empty() || cmd.get_name() == "forcereset" {
                let after = cmd.get_after_help().map(|h| h.to_string()).unwrap_or_default();
                if !after.starts_with("Example") {
                    problems.push(format!("{path}: no examples"));
                }
            }
            for sub in subs {
                walk(sub, &path, problems);
            }
        }
        let mut problems = Vec::new();
        walk(&Cli::command(), "", &mut problems);
        assert!(problems.is_empty(), "{problems:#?}");

        let mut cmd = Cli::command();
        let help = cmd
            .find_subcommand_mut("user")
            .and_then(|u| u.find_subcommand_mut("force-reset"))
            .unwrap()
            .render_long_help()
            .to_string();
        assert!(help.contains("\n  forcereset user force-reset tom\n"), "{help}");
        assert!(
            help.contains("\n  forcereset user force-reset --role staff --dry-run"),
            "{help}"
        );
    }

    /// A force-reset without a target says every way to name one.
    #[test]
    fn force_reset_without_a_target_names_all_three_ways() {
        let err = Cli::try_parse_from(["forcereset", "user", "force-reset"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let text = err.to_string();
        assert!(text.contains("<NAME|--role <ROLE>|--all>"), "{text}");
        assert!(Cli::try_parse_from(["forcereset", "user", "force-reset", "tom", "--all"]).is_err());
    }

    #[test]
    fn claims_parse_as_uri_equals_value() {
        assert_eq!(
            parse_claim("http://wso2.org/claims/emailaddress=a=b@c").unwrap(),
            ("http://wso2.org/claims/emailaddress".to_string(), "a=b@c".to_string())
        );
        assert!(parse_claim("novalue").is_err());
        assert!(parse_claim("=x").is_err());
    }
}
