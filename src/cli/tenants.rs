//! `forcereset tenant …`: tenants from the command line (add, list, show, activate, deactivate), acting as the
//! super tenant's system, as WSO2's tenant management is the super tenant's alone.

use std::io::Write;

use anyhow::Context;
use clap::Subcommand;

use super::{PasswordArgs, read_password};
use crate::app::{Actor, App, TenantRefusal, TenantSpec};
use crate::store::TenantRecord;
use crate::util::format_utc;

#[derive(Subcommand, Debug)]
pub enum TenantCommand {
    /// Add a tenant with its admin (who signs in as ADMIN@DOMAIN); it is active at once.
    #[command(
        after_help = "Example:\n  forcereset tenant add wso2.com --admin kim --password 'Kim@12345' --email kim@wso2.com"
    )]
    Add {
        /// The tenant domain (lower-case letters, digits, '.', '-', '_')
        domain: String,
        /// The tenant admin's name inside the tenant
        #[arg(long, value_name = "NAME")]
        admin: String,
        #[command(flatten)]
        password: PasswordArgs,
        /// The tenant admin's e-mail address
        #[arg(long, value_name = "ADDRESS")]
        email: String,
        /// The tenant admin's first name
        #[arg(long, value_name = "NAME", default_value = "")]
        first_name: String,
        /// The tenant admin's last name
        #[arg(long, value_name = "NAME", default_value = "")]
        last_name: String,
    },
    /// List the tenants, carbon.super included.
    #[command(after_help = "Example:\n  forcereset tenant list")]
    List,
    /// Show one tenant.
    #[command(after_help = "Example:\n  forcereset tenant show wso2.com")]
    Show {
        /// The tenant domain
        domain: String,
    },
    /// Activate a tenant: its users can sign in again.
    #[command(after_help = "Example:\n  forcereset tenant activate wso2.com")]
    Activate {
        /// The tenant domain
        domain: String,
    },
    /// Deactivate a tenant: its users can no longer sign in or reset a password.
    #[command(after_help = "Example:\n  forcereset tenant deactivate wso2.com")]
    Deactivate {
        /// The tenant domain
        domain: String,
    },
}

pub fn run(app: &App, sys: &Actor, cmd: TenantCommand) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    run_to(app, sys, cmd, &mut out)?;
    out.flush().context("cannot write to standard output")
}

fn failure(app: &App, e: TenantRefusal) -> anyhow::Error {
    anyhow::anyhow!("{}", e.message(app.profile().tenancy.texts))
}

fn describe(t: &TenantRecord, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(out, "domain:   {}", t.domain)?;
    writeln!(out, "id:       {}", t.id.get())?;
    writeln!(out, "uuid:     {}", t.uuid)?;
    writeln!(out, "active:   {}", t.active)?;
    if !t.admin.is_empty() {
        writeln!(out, "admin:    {}@{}", t.admin, t.domain)?;
    }
    if !t.email.is_empty() {
        writeln!(out, "email:    {}", t.email)?;
    }
    writeln!(out, "created:  {}", format_utc(t.created_at))
}

pub fn run_to(app: &App, sys: &Actor, cmd: TenantCommand, out: &mut impl Write) -> anyhow::Result<()> {
    match cmd {
        TenantCommand::Add {
            domain,
            admin,
            password,
            email,
            first_name,
            last_name,
        } => {
            let spec = TenantSpec {
                domain,
                admin,
                password: read_password(&password)?,
                email,
                first_name,
                last_name,
            };
            let made = app.add_tenant(sys, &spec).map_err(|e| failure(app, e))?;
            describe(&made, out)?;
        }
        TenantCommand::List => {
            let (tenants, _) = app.list_tenants(sys, 0, -1).map_err(|e| failure(app, e))?;
            for t in tenants {
                let state = if t.active { "active" } else { "inactive" };
                writeln!(out, "{}\t{}\t{state}", t.id.get(), t.domain)?;
            }
        }
        TenantCommand::Show { domain } => match app.find_tenant(sys, &domain).map_err(|e| failure(app, e))? {
            Some(t) => describe(&t, out)?,
            None => return Err(failure(app, TenantRefusal::UnknownDomain(domain))),
        },
        TenantCommand::Activate { domain } => {
            let t = app.set_tenant_active(sys, &domain, true).map_err(|e| failure(app, e))?;
            writeln!(out, "activated {}", t.domain)?;
        }
        TenantCommand::Deactivate { domain } => {
            let t = app
                .set_tenant_active(sys, &domain, false)
                .map_err(|e| failure(app, e))?;
            writeln!(out, "deactivated {}", t.domain)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::system_clock;
    use crate::cli::PasswordArgs;
    use crate::config::Config;
    use crate::store::Store;

    fn app() -> App {
        let app = App::new(Config::defaults(), Store::open_in_memory().unwrap(), system_clock());
        app.bootstrap().unwrap();
        app
    }

    fn run_text(app: &App, cmd: TenantCommand) -> anyhow::Result<String> {
        let mut out = Vec::new();
        run_to(app, &Actor::System, cmd, &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    fn add(domain: &str) -> TenantCommand {
        TenantCommand::Add {
            domain: domain.into(),
            admin: "kim".into(),
            password: PasswordArgs {
                password: Some("Kim@12345".into()),
                password_stdin: false,
            },
            email: "kim@wso2.com".into(),
            first_name: "Kim".into(),
            last_name: String::new(),
        }
    }

    #[test]
    fn add_list_show_deactivate_activate() {
        let app = app();
        let added = run_text(&app, add("wso2.com")).unwrap();
        assert!(
            added.starts_with("domain:   wso2.com\nid:       1\nuuid:     "),
            "{added}"
        );
        assert!(added.contains("\nactive:   true\nadmin:    kim@wso2.com\nemail:    kim@wso2.com\n"));
        assert_eq!(
            run_text(&app, TenantCommand::List).unwrap(),
            "-1234\tcarbon.super\tactive\n1\twso2.com\tactive\n"
        );
        assert_eq!(
            run_text(
                &app,
                TenantCommand::Deactivate {
                    domain: "wso2.com".into()
                }
            )
            .unwrap(),
            "deactivated wso2.com\n"
        );
        let shown = run_text(
            &app,
            TenantCommand::Show {
                domain: "WSO2.com".into(),
            },
        )
        .unwrap();
        assert!(shown.contains("active:   false"), "{shown}");
        assert_eq!(
            run_text(
                &app,
                TenantCommand::Activate {
                    domain: "wso2.com".into()
                }
            )
            .unwrap(),
            "activated wso2.com\n"
        );
    }

    #[test]
    fn refusals_are_one_line_in_the_release_s_words() {
        let app = app();
        run_text(&app, add("wso2.com")).unwrap();
        let again = run_text(&app, add("wso2.com")).unwrap_err().to_string();
        assert_eq!(
            again,
            "A tenant with same domain wso2.com already exist. Please use a different domain name."
        );
        let bad = run_text(&app, add("Bad Domain")).unwrap_err().to_string();
        assert!(
            bad.starts_with("The tenant domain Bad Domain contains one or more illegal characters."),
            "{bad}"
        );
        let unknown = run_text(
            &app,
            TenantCommand::Show {
                domain: "nope.com".into(),
            },
        )
        .unwrap_err()
        .to_string();
        assert_eq!(unknown, "Tenant cannot be found for the provided domain: nope.com.");
    }
}
