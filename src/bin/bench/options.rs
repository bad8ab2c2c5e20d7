//! The bench's command-line options, below both the run and the report (which prints some of them).

use std::path::PathBuf;
use std::time::Duration;

use super::load::Timing;

/// The scenarios, by the names `--scenario` takes.
pub const SCENARIOS: &[&str] = &[
    "wsdl",
    "profile",
    "profile-basic",
    "governance",
    "templates",
    "tenant-get",
    "rest-template",
    "rest-connector",
    "rest-patch",
    "rest-tenants",
    "resend-code",
    "reset",
    "login",
    "commonauth",
    "expiry-change",
    "mixed",
    "mixed-rw",
    "large",
    "tenants",
    "scim-filter",
    "scim-reset",
    "scim-bulk",
    "scim-groups",
    "password-grant",
    "introspect",
    "jwt-issue",
    "jwt-introspect",
    "oidc-logout",
];

#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Seconds measured per scenario
    #[arg(long, default_value_t = 5.0)]
    pub duration: f64,
    /// Seconds of warm-up before each measurement (same connections, not counted)
    #[arg(long, default_value_t = 1.0)]
    pub warmup: f64,
    /// Rounds per scenario: the measured time is split into this many rounds, server and baseline alternating,
    /// so that drifting background load weighs on both alike
    #[arg(long, default_value_t = 2)]
    pub rounds: usize,
    /// Keep-alive connections for the fast scenarios (WSDL, getUserProfile, forced reset)
    #[arg(long, default_value_t = 32)]
    pub connections: usize,
    /// Connections for the argon2-bound scenarios (Basic-auth calls, logins)
    #[arg(long, default_value_t = 8)]
    pub login_connections: usize,
    /// Connections sending WSDL GETs during the mixed run
    #[arg(long, default_value_t = 4)]
    pub probe_connections: usize,
    /// WSDL GETs per second per probe connection during the mixed run (a latency probe, not a load)
    #[arg(long, default_value_t = 50.0)]
    pub probe_rate: f64,
    /// Users in the store for the main run
    #[arg(long, default_value_t = 1_000)]
    pub users: usize,
    /// Login users: each login of the argon2-bound login scenarios uses the next one, so none is answered from
    /// the verified-password cache (keep it above the number of logins a run makes)
    #[arg(long, default_value_t = 10_000)]
    pub login_users: usize,
    /// Users in the store for the large-store comparison (0 skips it)
    #[arg(long, default_value_t = 100_000)]
    pub large_users: usize,
    /// Tenants for the tenant comparison: `large_users` users spread over this many tenants, against one tenant
    /// of `large_users` (0 or 1 skips it)
    #[arg(long, default_value_t = 100)]
    pub tenants: usize,
    /// Warm restarts timed for the start-up figure (the median is reported)
    #[arg(long, default_value_t = 5)]
    pub starts: usize,
    /// Only these scenarios (comma-separated): wsdl, profile, profile-basic, governance, templates, tenant-get,
    /// rest-template, rest-connector, rest-patch, rest-tenants, resend-code, reset, login, commonauth, expiry-change,
    /// mixed, mixed-rw, large, tenants,
    /// scim-filter, scim-reset, scim-bulk, scim-groups, password-grant, introspect, jwt-issue, jwt-introspect,
    /// oidc-logout
    #[arg(long, value_delimiter = ',')]
    pub scenario: Vec<String>,
    /// Plain HTTP (admin services allowed over HTTP) instead of HTTPS, for the server and the baseline alike
    #[arg(long)]
    pub plain: bool,
    /// Where to create the scratch directory (default: the system temp dir). Put it on the disk you care about:
    /// forced resets are fsync-bound.
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
    /// Keep the scratch directory (data, logs, baseline spec) after the run
    #[arg(long)]
    pub keep: bool,
    /// The forcereset binary to run (default: build and use target/<profile>/forcereset)
    #[arg(long, value_name = "FILE")]
    pub server_bin: Option<PathBuf>,
}

impl Options {
    /// Was scenario `name` asked for (all are, when none is named)?
    pub fn wants(&self, name: &str) -> bool {
        self.scenario.is_empty() || self.scenario.iter().any(|s| s == name)
    }

    pub fn timing(&self) -> Timing {
        Timing {
            warmup: Duration::from_secs_f64(self.warmup.max(0.0)),
            duration: Duration::from_secs_f64(self.duration.max(0.1)),
        }
    }

    /// The timing of one round of a server/baseline pair.
    pub fn round_timing(&self) -> Timing {
        let timing = self.timing();
        Timing {
            warmup: timing.warmup,
            duration: timing.duration.div_f64(self.rounds.max(1) as f64),
        }
    }
}
