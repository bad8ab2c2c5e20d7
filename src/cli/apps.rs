//! `forcereset app …`: OAuth2 applications from the command line (add, list, show, delete). `add` prints the
//! client secret once: only a hash of it is kept.

use std::io::Write;

use anyhow::{Context, bail};
use clap::Subcommand;

use crate::app::{Actor, App, AppSpec, Application, OAuthFailure};
use crate::util::format_utc;

#[derive(Subcommand, Debug)]
pub enum AppCommand {
    /// Register an application and print its client id and secret (the secret is shown this once).
    #[command(after_help = "Example:\n  forcereset app add shop --redirect-uri https://shop.example/cb")]
    Add {
        /// The application's name (WSO2's service provider name)
        name: String,
        /// A redirect URI (repeatable; several become WSO2's `regexp=(…|…)` callback). `regexp=…` is taken as is
        #[arg(long = "redirect-uri", value_name = "URI")]
        redirect_uris: Vec<String>,
        /// A grant type it may use (repeatable; none = all of authorization_code, password, client_credentials,
        /// refresh_token)
        #[arg(long = "grant", value_name = "GRANT")]
        grants: Vec<String>,
        /// Issue JWT access tokens instead of opaque ones
        #[arg(long)]
        jwt: bool,
        /// Refuse an authorization request without PKCE
        #[arg(long)]
        pkce_mandatory: bool,
        /// Accept the PKCE `plain` method (S256 only otherwise)
        #[arg(long)]
        pkce_plain: bool,
    },
    /// List the applications.
    #[command(after_help = "Example:\n  forcereset app list")]
    List,
    /// Show one application (never its secret).
    #[command(after_help = "Example:\n  forcereset app show 8MfXUiHqjIgruXp3cefkzz6O1Zca")]
    Show {
        /// The client id, or the application's name
        app: String,
    },
    /// Delete an application with its codes and tokens.
    #[command(after_help = "Example:\n  forcereset app delete shop")]
    Delete {
        /// The client id, or the application's name
        app: String,
    },
}

pub fn run(app: &App, sys: &Actor, cmd: AppCommand) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    run_to(app, sys, cmd, &mut out)?;
    out.flush().context("cannot write to standard output")
}

fn failure(e: OAuthFailure) -> anyhow::Error {
    anyhow::anyhow!("{}", e.into_domain())
}

/// By client id, else by name.
fn find(app: &App, sys: &Actor, key: &str) -> anyhow::Result<Application> {
    match app.application(sys, key) {
        Ok(found) => Ok(found),
        Err(OAuthFailure::NoSuchApp) => match app.application_named(sys, key) {
            Ok(found) => Ok(found),
            Err(OAuthFailure::NoSuchApp) => bail!("no application with client id or name {key:?}"),
            Err(e) => Err(failure(e)),
        },
        Err(e) => Err(failure(e)),
    }
}

fn describe(a: &Application, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(out, "name:           {}", a.name)?;
    writeln!(out, "client_id:      {}", a.client_id)?;
    writeln!(out, "redirect_uris:  {}", a.callback)?;
    let grants = if a.grant_types.is_empty() {
        "(all)".to_string()
    } else {
        a.grant_types.join(" ")
    };
    writeln!(out, "grant_types:    {grants}")?;
    writeln!(out, "token_type:     {}", a.token_type)?;
    writeln!(
        out,
        "pkce:           mandatory={} plain={}",
        a.pkce_mandatory, a.pkce_plain
    )?;
    writeln!(out, "owner:          {}", a.owner)?;
    writeln!(out, "created:        {}", format_utc(a.created_at))
}

pub fn run_to(app: &App, sys: &Actor, cmd: AppCommand, out: &mut impl Write) -> anyhow::Result<()> {
    match cmd {
        AppCommand::Add {
            name,
            redirect_uris,
            grants,
            jwt,
            pkce_mandatory,
            pkce_plain,
        } => {
            let registered = app
                .register_app(
                    sys,
                    AppSpec {
                        name: Some(name),
                        redirect_uris,
                        grant_types: grants,
                        token_type: jwt.then(|| "JWT".to_string()),
                        client_secret: None,
                        pkce_mandatory: Some(pkce_mandatory),
                        pkce_plain: Some(pkce_plain),
                    },
                )
                .map_err(failure)?;
            describe(&registered.app, out)?;
            writeln!(out, "client_secret:  {}", registered.secret.expose())?;
            writeln!(out, "(the secret is shown this once: only its hash is kept)")?;
        }
        AppCommand::List => {
            let apps = app.applications(sys).map_err(failure)?;
            if apps.is_empty() {
                writeln!(out, "no applications")?;
            }
            for a in apps {
                writeln!(out, "{}\t{}\t{}", a.client_id, a.name, a.callback)?;
            }
        }
        AppCommand::Show { app: key } => describe(&find(app, sys, &key)?, out)?,
        AppCommand::Delete { app: key } => {
            let found = find(app, sys, &key)?;
            app.delete_app(sys, &found.client_id).map_err(failure)?;
            writeln!(out, "deleted {} ({})", found.name, found.client_id)?;
        }
    }
    Ok(())
}
