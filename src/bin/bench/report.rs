//! The figures, printed as Markdown tables (ready for docs/BENCHMARKS.md), and the targets they are held to.

use std::path::Path;
use std::time::Duration;

use super::load::Stats;
use super::options::Options;
use super::procs::{self, Memory};

/// One side of a scenario: what the load generator saw, and the server's CPU time over the measured window.
#[derive(Debug, Clone)]
pub struct Measured {
    pub stats: Stats,
    pub connections: usize,
    /// Server CPU (user + system) over the measured window(s); zero when not sampled.
    pub cpu: Duration,
    /// Server CPU per successful request, microseconds; NaN when not sampled.
    pub cpu_us_per_req: f64,
}

impl Measured {
    pub fn new(stats: Stats, connections: usize, cpu: Duration) -> Measured {
        let cpu_us_per_req = if cpu.is_zero() || stats.ok == 0 {
            f64::NAN
        } else {
            cpu.as_secs_f64() * 1e6 / stats.ok as f64
        };
        Measured {
            stats,
            connections,
            cpu,
            cpu_us_per_req,
        }
    }

    /// Several rounds of the same measurement as one.
    pub fn merge(parts: Vec<Measured>) -> Measured {
        let connections = parts.first().map_or(0, |p| p.connections);
        let mut stats = Stats::default();
        let mut cpu = Duration::ZERO;
        for part in parts {
            stats.ok += part.stats.ok;
            stats.errors += part.stats.errors;
            stats.seconds += part.stats.seconds;
            stats.latencies_us.extend(part.stats.latencies_us);
            if stats.first_error.is_none() {
                stats.first_error = part.stats.first_error;
            }
            cpu += part.cpu;
        }
        stats.latencies_us.sort_unstable();
        Measured::new(stats, connections, cpu)
    }
}

pub struct Row {
    pub name: String,
    pub real: Measured,
    pub base: Option<Measured>,
}

impl Row {
    pub fn new(name: &str, real: Measured, base: Option<Measured>) -> Row {
        Row {
            name: name.to_string(),
            real,
            base,
        }
    }

    pub fn ratio(&self) -> Option<f64> {
        let base = self.base.as_ref()?.stats.rate();
        (base > 0.0).then(|| self.real.stats.rate() / base)
    }
}

/// The raw argon2id verify loop.
#[derive(Debug, Clone, Copy)]
pub struct RawArgon2 {
    /// Verifications per second, all threads.
    pub rate: f64,
    /// Wall time per verification per thread.
    pub per_verify_ms: f64,
    /// CPU time per verification.
    pub cpu_us: f64,
    pub threads: usize,
}

pub struct Mixed {
    pub saturator: &'static str,
    pub logins: Measured,
    pub probes: Measured,
}

pub struct Large {
    pub small_users: usize,
    pub large_users: usize,
    pub small: Measured,
    pub small_one: Measured,
    pub large: Measured,
    pub large_one: Measured,
}

/// One tenant of N users next to T tenants of N/T users: getUserProfile and forced resets.
pub struct Tenants {
    pub users: usize,
    pub tenants: usize,
    pub single_profile: Measured,
    pub multi_profile: Measured,
    pub single_reset: Measured,
    pub multi_reset: Measured,
}

/// Everything a run measured.
pub struct Report {
    pub header: Vec<String>,
    pub cold_start: Option<Duration>,
    pub warm_start: Option<Duration>,
    pub warm_starts: Vec<Duration>,
    pub start_small: Option<Duration>,
    pub start_large: Option<Duration>,
    pub seed_small: Option<Duration>,
    pub seed_large: Option<Duration>,
    pub idle: Option<Memory>,
    /// One second after the first start on an empty data dir (the super admin just hashed).
    pub idle_first: Option<Memory>,
    pub idle_large: Option<Memory>,
    pub after_load: Option<Memory>,
    pub raw_argon2: Option<RawArgon2>,
    /// The raw rate of each measurement averaged into `raw_argon2`.
    pub raw_argon2_runs: Vec<f64>,
    pub rows: Vec<Row>,
    pub mixed: Option<Mixed>,
    /// Reads measured while forced resets saturate the writer.
    pub mixed_rw: Option<Mixed>,
    pub large: Option<Large>,
    pub tenants: Option<Tenants>,
    pub skipped: Vec<String>,
    /// One-off timings with their targets (the SCIM bulk).
    pub notes: Vec<String>,
    users: usize,
}

pub fn fmt_ms(ms: f64) -> String {
    if ms.is_nan() {
        "–".into()
    } else if ms < 10.0 {
        format!("{ms:.2}")
    } else {
        format!("{ms:.1}")
    }
}

fn fmt_rate(rate: f64) -> String {
    if rate >= 100.0 {
        format!("{rate:.0}")
    } else {
        format!("{rate:.1}")
    }
}

fn fmt_us(us: f64) -> String {
    if us.is_nan() { "–".into() } else { format!("{us:.0}") }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mb(kb: u64) -> String {
    format!("{:.1} MB", kb as f64 / 1024.0)
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "**missed**" }
}

/// The 1, 5 and 15-minute load averages: other work on the machine skews every figure.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|r| r.trim_start_matches([' ', '\t', ':']).to_string())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

impl Report {
    pub fn new(opts: &Options, cores: usize, scratch: &Path) -> Report {
        let fs = procs::filesystem_of(scratch).unwrap_or_else(|| "unknown".into());
        let mut header = vec![
            format!(
                "machine: {cores} core(s), {}; scratch dir {} ({fs})",
                cpu_model(),
                scratch.display()
            ),
            format!("load average before the run: {}", loadavg()),
            format!(
                "transport: {}, keep-alive; per scenario {:.1} s measured in {} round(s), server and baseline \
                 alternating, each round after {:.1} s of warm-up; {} connections ({} for argon2-bound \
                 scenarios); {} users",
                if opts.plain {
                    "plain HTTP"
                } else {
                    "HTTPS (TLS 1.3, rustls/ring)"
                },
                opts.duration,
                opts.rounds.max(1),
                opts.warmup,
                opts.connections,
                opts.login_connections,
                opts.users
            ),
        ];
        if matches!(fs.as_str(), "tmpfs" | "ramfs") {
            header.push(
                "WARNING: the scratch dir is in memory, so fsync costs nothing and the forced-reset figure says \
                 nothing about durability; pass --work-dir on a real disk"
                    .into(),
            );
        }
        Report {
            header,
            cold_start: None,
            warm_start: None,
            warm_starts: Vec::new(),
            start_small: None,
            start_large: None,
            seed_small: None,
            seed_large: None,
            idle: None,
            idle_first: None,
            idle_large: None,
            after_load: None,
            raw_argon2: None,
            raw_argon2_runs: Vec::new(),
            rows: Vec::new(),
            mixed: None,
            mixed_rw: None,
            large: None,
            tenants: None,
            skipped: Vec::new(),
            notes: Vec::new(),
            users: opts.users,
        }
    }

    pub fn print_header(&self) {
        for line in &self.header {
            println!("{line}");
        }
        println!();
    }

    fn row(&self, prefix: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.name.starts_with(prefix))
    }

    pub fn print(&self) {
        println!("load average after the run: {}\n", loadavg());
        println!("## Throughput and latency (real server vs bare-hyper baseline, same run)\n");
        println!(
            "| scenario | conns | req/s | p50 ms | p99 ms | errors | server CPU µs/req | baseline req/s | \
             baseline p50 / p99 ms | baseline CPU µs/req | ratio |"
        );
        println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for row in &self.rows {
            let r = &row.real;
            let (b_rate, b_lat, b_cpu) = match &row.base {
                Some(b) => (
                    fmt_rate(b.stats.rate()),
                    format!("{} / {}", fmt_ms(b.stats.p50()), fmt_ms(b.stats.p99())),
                    fmt_us(b.cpu_us_per_req),
                ),
                None => ("–".into(), "–".into(), "–".into()),
            };
            println!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                row.name,
                r.connections,
                fmt_rate(r.stats.rate()),
                fmt_ms(r.stats.p50()),
                fmt_ms(r.stats.p99()),
                r.stats.errors,
                fmt_us(r.cpu_us_per_req),
                b_rate,
                b_lat,
                b_cpu,
                row.ratio().map_or("–".into(), |x| format!("{x:.2}")),
            );
        }
        if let Some(raw) = self.raw_argon2 {
            let runs: Vec<String> = self.raw_argon2_runs.iter().map(|r| fmt_rate(*r)).collect();
            println!(
                "| raw argon2id verify loop (m=19 MiB, t=2, p=1), in-process, mean of {} runs ({}) | {} \
                 threads | {} | {} | – | 0 | {} | – | – | – | – |",
                runs.len(),
                runs.join(", "),
                raw.threads,
                fmt_rate(raw.rate),
                fmt_ms(raw.per_verify_ms),
                fmt_us(raw.cpu_us)
            );
        }
        if let Some(m) = &self.mixed {
            println!(
                "| mixed: {} ({} conns) | {} | {} | {} | {} | {} | – | – | – | – | – |",
                m.saturator,
                m.logins.connections,
                m.logins.connections,
                fmt_rate(m.logins.stats.rate()),
                fmt_ms(m.logins.stats.p50()),
                fmt_ms(m.logins.stats.p99()),
                m.logins.stats.errors
            );
            println!(
                "| mixed: GET ?wsdl while those logins run (paced probe) | {} | {} | {} | {} | {} | – | – | – | – | – |",
                m.probes.connections,
                fmt_rate(m.probes.stats.rate()),
                fmt_ms(m.probes.stats.p50()),
                fmt_ms(m.probes.stats.p99()),
                m.probes.stats.errors
            );
        }
        if let Some(m) = &self.mixed_rw {
            println!(
                "| mixed-rw: forced resets ({} conns) | {} | {} | {} | {} | {} | – | – | – | – | – |",
                m.logins.connections,
                m.logins.connections,
                fmt_rate(m.logins.stats.rate()),
                fmt_ms(m.logins.stats.p50()),
                fmt_ms(m.logins.stats.p99()),
                m.logins.stats.errors
            );
            println!(
                "| mixed-rw: getUserProfile while those resets run (paced probe) | {} | {} | {} | {} | {} | – | – | – | – | – |",
                m.probes.connections,
                fmt_rate(m.probes.stats.rate()),
                fmt_ms(m.probes.stats.p50()),
                fmt_ms(m.probes.stats.p99()),
                m.probes.stats.errors
            );
        }
        if let Some(l) = &self.large {
            for (users, m) in [
                (l.small_users, &l.small),
                (l.small_users, &l.small_one),
                (l.large_users, &l.large),
                (l.large_users, &l.large_one),
            ] {
                println!(
                    "| getUserProfile (JSESSIONID), {users} users in the store | {} | {} | {} | {} | {} | {} | – | – | – | – |",
                    m.connections,
                    fmt_rate(m.stats.rate()),
                    fmt_ms(m.stats.p50()),
                    fmt_ms(m.stats.p99()),
                    m.stats.errors,
                    fmt_us(m.cpu_us_per_req),
                );
            }
        }
        for row in &self.rows {
            for (side, m) in [("server", Some(&row.real)), ("baseline", row.base.as_ref())] {
                if let Some(e) = m.and_then(|m| m.stats.first_error.as_ref()) {
                    println!("\n{} ({side}): first error: {e}", row.name);
                }
            }
        }
        if let Some(e) = self.mixed.as_ref().and_then(|m| m.logins.stats.first_error.as_ref()) {
            println!("\nmixed (logins): first error: {e}");
        }

        println!("\n## Process\n");
        println!("| figure | value |");
        println!("|---|---:|");
        if let Some(d) = self.cold_start {
            println!(
                "| start → healthy, fresh data dir (creates DB, admin, TLS certificate) | {:.1} ms |",
                ms(d)
            );
        }
        if let Some(d) = self.warm_start {
            let all: Vec<String> = self.warm_starts.iter().map(|d| format!("{:.1}", ms(*d))).collect();
            println!(
                "| start → healthy, existing data dir (median of {}: {}) | {:.1} ms |",
                self.warm_starts.len(),
                all.join(", "),
                ms(d)
            );
        }
        if let Some(d) = self.start_small {
            println!("| start → healthy, {} users | {:.1} ms |", self.users, ms(d));
        }
        if let (Some(d), Some(l)) = (self.start_large, &self.large) {
            println!("| start → healthy, {} users | {:.1} ms |", l.large_users, ms(d));
        }
        if let Some(m) = self.idle_first {
            println!(
                "| idle RSS 1 s after the first start (empty data dir) | {} |",
                mb(m.rss_kb)
            );
        }
        if let Some(m) = self.idle {
            println!("| idle RSS after start ({} users) | {} |", self.users, mb(m.rss_kb));
        }
        if let (Some(m), Some(l)) = (self.idle_large, &self.large) {
            println!("| idle RSS after start ({} users) | {} |", l.large_users, mb(m.rss_kb));
        }
        if let Some(m) = self.after_load {
            println!("| peak RSS under load (VmHWM) | {} |", mb(m.hwm_kb));
            println!("| RSS after the load stopped | {} |", mb(m.rss_kb));
        }
        if let Some(d) = self.seed_small {
            println!(
                "| seeding {} users (bulk, one shared hash) | {:.2} s |",
                self.users,
                d.as_secs_f64()
            );
        }
        if let (Some(d), Some(l)) = (self.seed_large, &self.large) {
            println!(
                "| seeding {} users into a fresh store (progress bar; one shared hash) | {:.2} s |",
                l.large_users,
                d.as_secs_f64()
            );
        }

        println!("\n## Targets\n");
        println!("| target | measured | verdict |");
        println!("|---|---|---|");
        if let Some(row) = self.row("getUserProfile (JSESSIONID)")
            && let Some(ratio) = row.ratio()
        {
            println!(
                "| getUserProfile ≥ 0.5 × bare hyper | {ratio:.2} × ({} vs {} req/s) | {} |",
                fmt_rate(row.real.stats.rate()),
                fmt_rate(row.base.as_ref().map_or(0.0, |b| b.stats.rate())),
                verdict(ratio >= 0.5)
            );
        }
        if let Some(row) = self.row("setUserProfile") {
            let rate = row.real.stats.rate();
            let ok = rate >= 2000.0 && row.real.stats.errors == 0;
            println!(
                "| ≥ 2,000 durable forced resets/s | {} /s, {} errors | {} |",
                fmt_rate(rate),
                row.real.stats.errors,
                verdict(ok)
            );
        }
        if let Some(raw) = self.raw_argon2 {
            for prefix in ["POST /api/identity", "browser login"] {
                if let Some(row) = self.row(prefix) {
                    let ratio = row.real.stats.rate() / raw.rate;
                    println!(
                        "| {} ≥ 0.9 × raw argon2 verify rate | {ratio:.2} × ({} vs {} /s); CPU per login {:.2} × a raw \
                         verification ({} vs {} µs) | {} |",
                        if prefix.starts_with("POST") {
                            "login API"
                        } else {
                            "browser login"
                        },
                        fmt_rate(row.real.stats.rate()),
                        fmt_rate(raw.rate),
                        row.real.cpu_us_per_req / raw.cpu_us,
                        fmt_us(row.real.cpu_us_per_req),
                        fmt_us(raw.cpu_us),
                        verdict(ratio >= 0.9)
                    );
                }
            }
        }
        if let Some(m) = &self.mixed {
            let p99 = m.probes.stats.p99();
            println!(
                "| WSDL GET p99 < 10 ms while logins saturate | {} ms (p50 {} ms; logins {} /s) | {} |",
                fmt_ms(p99),
                fmt_ms(m.probes.stats.p50()),
                fmt_rate(m.logins.stats.rate()),
                verdict(p99 < 10.0 && m.probes.stats.errors == 0)
            );
        }
        if let Some(d) = self.warm_start {
            let cold = self.cold_start.map_or(f64::NAN, ms);
            println!(
                "| ready < 100 ms | {:.1} ms existing data dir, {:.1} ms fresh | {} |",
                ms(d),
                cold,
                verdict(ms(d) < 100.0)
            );
        }
        if let Some(m) = self.idle {
            println!(
                "| idle RSS < 25 MB | {} | {} |",
                mb(m.rss_kb),
                verdict(m.rss_kb < 25 * 1024)
            );
        }
        if let Some(m) = self.idle_first {
            println!(
                "| idle RSS < 25 MB after the first start | {} | {} |",
                mb(m.rss_kb),
                verdict(m.rss_kb < 25 * 1024)
            );
        }
        if let Some(l) = &self.large {
            let ratio = l.large.stats.p50() / l.small.stats.p50();
            let ratio_one = l.large_one.stats.p50() / l.small_one.stats.p50();
            println!(
                "| {}k users < 1.2 × the {}k-user latency | p50 {ratio:.2} × at {} conns ({} vs {} ms), {ratio_one:.2} × \
                 at 1 conn ({} vs {} ms) | {} |",
                l.large_users / 1000,
                l.small_users / 1000,
                l.large.connections,
                fmt_ms(l.large.stats.p50()),
                fmt_ms(l.small.stats.p50()),
                fmt_ms(l.large_one.stats.p50()),
                fmt_ms(l.small_one.stats.p50()),
                verdict(ratio < 1.2 && ratio_one < 1.2)
            );
        }
        if let Some(t) = &self.tenants {
            for (what, single, multi) in [
                ("getUserProfile", &t.single_profile, &t.multi_profile),
                ("forced reset", &t.single_reset, &t.multi_reset),
            ] {
                let ratio = multi.stats.rate() / single.stats.rate();
                println!(
                    "| {what}: {} tenants × {} users ≥ 0.9 × one tenant of {} | {ratio:.2} × ({:.0} vs {:.0} req/s; \
                     p50 {} vs {} ms; {:.0} vs {:.0} µs CPU/req) | {} |",
                    t.tenants,
                    t.users / t.tenants.max(1),
                    t.users,
                    multi.stats.rate(),
                    single.stats.rate(),
                    fmt_ms(multi.stats.p50()),
                    fmt_ms(single.stats.p50()),
                    multi.cpu_us_per_req,
                    single.cpu_us_per_req,
                    verdict(ratio >= 0.9)
                );
            }
        }
        for s in &self.skipped {
            println!("\nskipped: {s}");
        }
        for n in &self.notes {
            println!("\n{n}");
        }
    }
}
