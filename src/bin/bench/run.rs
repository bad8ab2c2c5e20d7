//! The benchmark run: start-up and memory of the real binary, then each scenario against the real server and
//! against the bare-hyper baseline, the raw argon2 rate, the mixed run, and the 1k/100k-user comparison.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};

use super::baseline::{BaselineProc, Canned, Spec};
use super::client::{Request, Response, Target};
use super::load::{self, Iteration, Timing};
use super::options::{Options, SCENARIOS};
use super::procs::{self, Scratch, ServerProc};
use super::report::{self, Measured, Report, Row};
use super::scenarios::{self, Auth};
use super::seed;

/// Build (if needed) and find the `forcereset` binary next to this one.
fn server_binary(opts: &Options) -> anyhow::Result<PathBuf> {
    if let Some(bin) = &opts.server_bin {
        return Ok(bin.clone());
    }
    let exe = std::env::current_exe().context("cannot find the bench executable")?;
    let dir = exe
        .parent()
        .ok_or_else(|| anyhow!("the bench executable has no directory"))?;
    let bin = dir.join("forcereset");
    // `cargo run --bin forcereset-bench` builds only the bench: bring the server binary up to date too.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let mut build = Command::new(cargo);
    build
        .args(["build", "--quiet", "--bin", "forcereset", "--manifest-path"])
        .arg(&manifest);
    if !cfg!(debug_assertions) {
        build.arg("--release");
    }
    match build.status() {
        Ok(s) if s.success() => {}
        Ok(s) => bail!("building the forcereset binary failed ({s})"),
        Err(e) => eprintln!("warning: cannot run cargo ({e}); using {} as it is", bin.display()),
    }
    if !bin.exists() {
        bail!("{} does not exist; build it or pass --server-bin", bin.display());
    }
    Ok(bin)
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("loadgen")
        .build()?)
}

/// Run `iteration` on `target` and sample the server process's CPU time over the measured window.
fn measure(
    rt: &tokio::runtime::Runtime,
    target: &Target,
    pid: u32,
    iteration: Iteration,
    connections: usize,
    timing: Timing,
) -> Measured {
    let window = timing.window();
    rt.block_on(async {
        let sampler = tokio::spawn(async move {
            tokio::time::sleep_until(window.start.into()).await;
            procs::cpu_time(pid)
        });
        let stats = load::drive(target, iteration, connections, window).await;
        let cpu_end = procs::cpu_time(pid);
        let cpu_start = sampler.await.unwrap_or(cpu_end);
        Measured::new(stats, connections, cpu_end.saturating_sub(cpu_start))
    })
}

/// Send `request` once on a fresh connection.
fn once(rt: &tokio::runtime::Runtime, target: &Target, request: &Request) -> anyhow::Result<Response> {
    rt.block_on(async {
        let mut conn = target.connect().await?;
        conn.send(&request.bytes()).await
    })
}

/// The `scim-groups` filters: one group by name (a lookup), and a substring of eleven names (a scan of all 100).
const GROUP_BY_NAME: &str = "displayName+eq+bench-group-50";
const GROUP_SCAN: &str = "displayName+co+group-5";
/// Register a client (`registration`), take one token with `grant` and introspect it, keeping both answers for
/// the baseline; the client and its access token.
fn oauth_setup(
    rt: &tokio::runtime::Runtime,
    target: &Target,
    admin: &Auth,
    registration: &Request,
    grant: impl Fn(&scenarios::OAuthClient) -> Request,
    responses: &mut Vec<Canned>,
) -> anyhow::Result<(scenarios::OAuthClient, String)> {
    let registered = once(rt, target, registration)?;
    if registered.status != 201 {
        bail!(
            "DCR answered {}: {}",
            registered.status,
            String::from_utf8_lossy(&registered.body)
        );
    }
    let v: serde_json::Value = serde_json::from_slice(&registered.body)?;
    let client = scenarios::OAuthClient {
        id: v["client_id"].as_str().unwrap_or_default().to_string(),
        secret: v["client_secret"].as_str().unwrap_or_default().to_string(),
    };
    let request = grant(&client);
    let granted = once(rt, target, &request)?;
    if granted.status != 200 {
        bail!(
            "the grant answered {}: {}",
            granted.status,
            String::from_utf8_lossy(&granted.body)
        );
    }
    responses.push(canned(&request, &granted));
    let v: serde_json::Value = serde_json::from_slice(&granted.body)?;
    let token = v["access_token"].as_str().unwrap_or_default().to_string();
    let introspection = scenarios::introspect(&token, admin);
    let seen = once(rt, target, &introspection)?;
    if seen.status != 200 || !String::from_utf8_lossy(&seen.body).contains("\"active\":true") {
        bail!("introspection answered {}", seen.status);
    }
    responses.push(canned(&introspection, &seen));
    Ok((client, token))
}

fn canned(request: &Request, response: &Response) -> Canned {
    Canned {
        method: request.method.to_string(),
        path: request.path.clone(),
        soap_action: request
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("soapaction"))
            .map(|(_, v)| v.clone()),
        status: response.status,
        headers: response.headers.clone(),
        body: response.body.clone(),
    }
}

fn target_for(server_addr: std::net::SocketAddr, data_dir: &Path, plain: bool) -> anyhow::Result<Target> {
    if plain {
        Ok(Target::plain(server_addr))
    } else {
        Target::tls(server_addr, &data_dir.join("tls/cert.pem"))
    }
}

/// Log in once with Basic auth and keep the JSESSIONID the server sets.
fn open_session(rt: &tokio::runtime::Runtime, target: &Target) -> anyhow::Result<String> {
    open_session_as(rt, target, "admin", "admin")
}

/// The JSESSIONID of `user` after one Basic-authenticated getUserProfile of themselves.
fn open_session_as(
    rt: &tokio::runtime::Runtime,
    target: &Target,
    user: &str,
    password: &str,
) -> anyhow::Result<String> {
    let basic = Auth::Basic {
        user: user.into(),
        password: password.into(),
    };
    let own = user.split('@').next().unwrap_or(user);
    let response = once(rt, target, &scenarios::get_profile(own, &basic))?;
    if response.status != 200 {
        bail!("getUserProfile as {user} answered {}", response.status);
    }
    response
        .cookies()
        .into_iter()
        .find(|(k, _)| k == "JSESSIONID")
        .map(|(_, v)| v)
        .ok_or_else(|| anyhow!("no JSESSIONID cookie after a Basic-authenticated call"))
}

/// The raw argon2id verification rate: one thread per core, each verifying in a loop for `duration`. Returns the
/// rate, the wall time per verification per thread (ms) and the CPU time per verification (µs).
fn raw_argon2(threads: usize, duration: Duration) -> anyhow::Result<(f64, f64, f64)> {
    use forcereset::domain::password;
    let hash = password::hash(seed::PASSWORD, rand::random()).map_err(|e| anyhow!("argon2: {e}"))?;
    if !password::verify(seed::PASSWORD, &hash) {
        bail!("argon2 verification of a fresh hash failed");
    }
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let cpu_before = procs::cpu_time(std::process::id());
    let total: u64 = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut n = 0u64;
                    while Instant::now() < deadline {
                        if password::verify(seed::PASSWORD, &hash) {
                            n += 1;
                        }
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    let seconds = started.elapsed().as_secs_f64();
    let cpu = procs::cpu_time(std::process::id()).saturating_sub(cpu_before);
    let rate = total as f64 / seconds;
    let (per_verify_ms, cpu_us) = if total > 0 {
        (
            seconds * threads as f64 * 1000.0 / total as f64,
            cpu.as_secs_f64() * 1e6 / total as f64,
        )
    } else {
        (f64::NAN, f64::NAN)
    };
    Ok((rate, per_verify_ms, cpu_us))
}

/// getUserProfile on a store of `opts.users` users next to one of `opts.large_users`: two fresh data dirs, two
/// servers up side by side, measured in alternating rounds (so background load weighs on both alike), at the
/// usual concurrency and at one connection.
fn large_store(
    opts: &Options,
    bin: &Path,
    scratch: &Scratch,
    rt: &tokio::runtime::Runtime,
    rep: &mut Report,
) -> anyhow::Result<report::Large> {
    let (small_users, large_users) = (opts.users, opts.large_users);
    let mut servers = Vec::new();
    for (name, users) in [("small", small_users), ("large", large_users)] {
        let mut seeded = Duration::ZERO;
        let (server, target) = seeded_server(opts, bin, scratch, name, |config| {
            eprintln!("seeding a store of {users} users");
            seeded = seed::seed(config, 0, users, 0)?;
            Ok(())
        })?;
        if users == large_users {
            rep.seed_large = Some(seeded);
            rep.start_large = Some(server.ready);
            std::thread::sleep(Duration::from_secs(1));
            rep.idle_large = Some(server.memory()?);
        }
        let session = Auth::Session(open_session(rt, &target)?);
        servers.push((server, target, session, users));
    }
    eprintln!("scenario: getUserProfile, {small_users} vs {large_users} users");
    let round = opts.round_timing();
    let mut measured = Vec::new();
    for conns in [opts.connections, 1] {
        let mut parts: [Vec<Measured>; 2] = [Vec::new(), Vec::new()];
        for _ in 0..opts.rounds.max(1) {
            for (i, (server, target, session, users)) in servers.iter().enumerate() {
                let it = scenarios::get_profile_iteration(*users, session.clone());
                parts[i].push(measure(rt, target, server.pid(), it, conns, round));
            }
        }
        let [small, large] = parts;
        measured.push((Measured::merge(small), Measured::merge(large)));
    }
    for (server, ..) in servers {
        server.stop()?;
    }
    let [(small, large), (small_one, large_one)]: [(Measured, Measured); 2] = measured
        .try_into()
        .map_err(|_| anyhow!("expected two concurrency levels"))?;
    Ok(report::Large {
        small_users,
        large_users,
        small,
        small_one,
        large,
        large_one,
    })
}

/// A server of its own data directory `name`, filled by `seed` (given the config path) before it starts; with
/// the target its requests go to.
fn seeded_server(
    opts: &Options,
    bin: &Path,
    scratch: &Scratch,
    name: &str,
    seed: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<(ServerProc, Target)> {
    let data_dir = scratch.path(&format!("data-{name}"));
    let config = scratch.path(&format!("deployment-{name}.toml"));
    let (https_port, http_port) = procs::free_ports()?;
    std::fs::write(
        &config,
        procs::server_config(&data_dir, https_port, http_port, opts.plain),
    )?;
    seed(&config)?;
    let server = ServerProc::spawn(
        bin,
        &config,
        https_port,
        http_port,
        &scratch.path(&format!("server-{name}.log")),
    )?;
    let target = target_for(
        if opts.plain { server.http } else { server.https },
        &data_dir,
        opts.plain,
    )?;
    Ok((server, target))
}

/// One tenant of `opts.large_users` users next to `opts.tenants` tenants sharing as many: two fresh data dirs, two
/// servers up side by side, getUserProfile then forced resets, each in alternating rounds. The tenants' calls
/// come from each tenant admin's own session, spread over the tenants.
fn tenants_store(
    opts: &Options,
    bin: &Path,
    scratch: &Scratch,
    rt: &tokio::runtime::Runtime,
) -> anyhow::Result<report::Tenants> {
    let tenants = opts.tenants;
    let per_tenant = opts.large_users / tenants;
    let users = per_tenant * tenants;
    let mut servers = Vec::new();
    for (name, multi) in [("single", false), ("multi", true)] {
        let (server, target) = seeded_server(opts, bin, scratch, name, |config| {
            if multi {
                eprintln!("seeding {tenants} tenants of {per_tenant} users");
                seed::seed_tenants(config, tenants, per_tenant)?;
            } else {
                eprintln!("seeding one tenant of {users} users");
                seed::seed(config, 0, users, 0)?;
            }
            Ok(())
        })?;
        let admins: Vec<(String, String)> = if multi {
            (0..tenants)
                .map(|i| (format!("admin@{}", seed::tenant_domain(i)), seed::PASSWORD.to_string()))
                .collect()
        } else {
            vec![("admin".to_string(), "admin".to_string())]
        };
        let mut sessions = Vec::with_capacity(admins.len());
        for (user, password) in admins {
            sessions.push(Auth::Session(open_session_as(rt, &target, &user, &password)?));
        }
        servers.push((
            server,
            target,
            std::sync::Arc::new(sessions),
            if multi { per_tenant } else { users },
        ));
    }
    let round = opts.round_timing();
    let mut results = Vec::new();
    for reset in [false, true] {
        eprintln!(
            "scenario: {}, one tenant of {users} vs {tenants} tenants of {per_tenant}",
            if reset { "forced reset" } else { "getUserProfile" }
        );
        let mut parts: [Vec<Measured>; 2] = [Vec::new(), Vec::new()];
        for _ in 0..opts.rounds.max(1) {
            for (i, (server, target, sessions, users)) in servers.iter().enumerate() {
                let it = if reset {
                    scenarios::tenant_reset_iteration(*users, sessions.clone())
                } else {
                    scenarios::tenant_profile_iteration(*users, sessions.clone())
                };
                parts[i].push(measure(rt, target, server.pid(), it, opts.connections, round));
            }
        }
        let [single, multi] = parts;
        results.push((Measured::merge(single), Measured::merge(multi)));
    }
    for (server, ..) in servers {
        server.stop()?;
    }
    let [(single_profile, multi_profile), (single_reset, multi_reset)]: [(Measured, Measured); 2] =
        results.try_into().map_err(|_| anyhow!("expected two scenarios"))?;
    Ok(report::Tenants {
        users,
        tenants,
        single_profile,
        multi_profile,
        single_reset,
        multi_reset,
    })
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

pub fn run(opts: &Options) -> anyhow::Result<()> {
    if let Some(unknown) = opts.scenario.iter().find(|s| !SCENARIOS.contains(&s.as_str())) {
        bail!("unknown scenario {unknown:?}; known: {}", SCENARIOS.join(", "));
    }
    let timing = opts.timing();
    let mut scratch = Scratch::create(opts.work_dir.as_deref())?;
    scratch.keep = opts.keep;
    let bin = server_binary(opts)?;
    let rt = runtime()?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut rep = Report::new(opts, cores, &scratch.root);
    rep.print_header();

    let data_dir = scratch.path("data");
    let config = scratch.path("deployment.toml");
    let (https_port, http_port) = procs::free_ports()?;
    std::fs::write(
        &config,
        procs::server_config(&data_dir, https_port, http_port, opts.plain),
    )?;
    let log = |name: &str| scratch.path(&format!("{name}.log"));
    let spawn = |name: &str| ServerProc::spawn(&bin, &config, https_port, http_port, &log(name));

    // ---- start-up and idle memory ----
    let cold = spawn("server-cold")?;
    rep.cold_start = Some(cold.ready);
    std::thread::sleep(Duration::from_secs(1));
    rep.idle_first = Some(cold.memory()?);
    cold.stop()?;
    let mut warm = Vec::new();
    for i in 0..opts.starts.max(1) {
        let server = spawn(&format!("server-warm-{i}"))?;
        warm.push(server.ready);
        server.stop()?;
    }
    rep.warm_start = Some(median(warm.clone()));
    rep.warm_starts = warm;
    eprintln!("start-up measured; seeding {} users", opts.users);
    rep.seed_small = Some(seed::seed(&config, 0, opts.users, opts.login_users)?);

    let server = spawn("server")?;
    rep.start_small = Some(server.ready);
    std::thread::sleep(Duration::from_secs(1));
    rep.idle = Some(server.memory()?);
    let target = target_for(
        if opts.plain { server.http } else { server.https },
        &data_dir,
        opts.plain,
    )?;
    let session = Auth::Session(open_session(&rt, &target)?);
    let basic = Auth::Basic {
        user: "admin".into(),
        password: "admin".into(),
    };

    // ---- what the baseline answers: the real server's own responses ----
    let mut responses = Vec::new();
    let wsdl = scenarios::wsdl();
    responses.push(canned(&wsdl, &once(&rt, &target, &wsdl)?));
    let profile = scenarios::get_profile(&seed::user_name(0), &session);
    responses.push(canned(&profile, &once(&rt, &target, &profile)?));
    let connectors = scenarios::connector_list(&session);
    let connectors_response = once(&rt, &target, &connectors)?;
    if connectors_response.status != 200 {
        bail!("getConnectorList answered {}", connectors_response.status);
    }
    responses.push(canned(&connectors, &connectors_response));
    let reset = scenarios::force_reset(&seed::user_name(0), &session);
    let reset_response = once(&rt, &target, &reset)?;
    if reset_response.status != 202 {
        bail!(
            "the forced reset answered {}: {}",
            reset_response.status,
            String::from_utf8_lossy(&reset_response.body)
        );
    }
    responses.push(canned(&reset, &reset_response));
    // The REST scenarios: every user gets a pending reset first, for resend-code to resend.
    if opts.wants("resend-code") {
        for i in 0..opts.users {
            let reset = scenarios::force_reset(&seed::user_name(i), &session);
            let answer = once(&rt, &target, &reset)?;
            if answer.status != 202 {
                bail!("the forced reset of {} answered {}", seed::user_name(i), answer.status);
            }
        }
    }
    // Tenants for the tenant API's scenarios: twenty, and the id of the last (from its Location).
    let mut tenant_id = String::new();
    if opts.wants("rest-tenants") {
        for i in 0..20 {
            let answer = once(&rt, &target, &scenarios::add_tenant(i, &basic))?;
            if answer.status != 201 {
                bail!("adding tenant {i} answered {}", answer.status);
            }
            let location = answer.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("location"));
            tenant_id = location
                .and_then(|(_, v)| v.rsplit('/').next())
                .unwrap_or_default()
                .to_string();
        }
        for request in [
            scenarios::tenants_list(&basic),
            scenarios::tenant_get(&tenant_id, &basic),
        ] {
            let answer = once(&rt, &target, &request)?;
            if answer.status != 200 {
                bail!("{} {} answered {}", request.method, request.path, answer.status);
            }
            responses.push(canned(&request, &answer));
        }
    }
    let tenant = once(&rt, &target, &scenarios::soap_add_tenant(&session))?;
    if tenant.status != 200 {
        bail!(
            "addTenant answered {}: {}",
            tenant.status,
            String::from_utf8_lossy(&tenant.body)
        );
    }
    for (request, status) in [
        (scenarios::soap_get_tenant(&session), 200),
        (scenarios::rest_connector(&basic), 200),
        (scenarios::rest_patch(0, &basic), 200),
        (scenarios::resend_code(&seed::user_name(0), &basic), 201),
        (scenarios::template_types(&session), 200),
        (scenarios::rest_template(&basic), 200),
    ] {
        let answer = once(&rt, &target, &request)?;
        if answer.status != status {
            bail!(
                "{} {} answered {}: {}",
                request.method,
                request.path,
                answer.status,
                String::from_utf8_lossy(&answer.body)
            );
        }
        responses.push(canned(&request, &answer));
    }
    // SCIM groups: a hundred groups of (up to) ten seeded users each, made through SCIM as a provisioning client
    // would; the baseline replays one filter and one member PATCH.
    let scim_groups = if opts.wants("scim-groups") {
        let mut ids = Vec::new();
        for i in 0..opts.users.min(100) {
            let found = once(&rt, &target, &scenarios::scim_filter(&seed::user_name(i), &basic))?;
            ids.push(scenarios::scim_id_of(&found)?);
        }
        let mut groups = Vec::new();
        for g in 0..100 {
            let name = format!("bench-group-{g}");
            let members = &ids[..ids.len().min(10)];
            let made = once(&rt, &target, &scenarios::scim_create_group(&name, members, &basic))?;
            if made.status != 201 {
                bail!("creating {name} answered {}", made.status);
            }
            let body: serde_json::Value = serde_json::from_slice(&made.body)?;
            groups.push(body["id"].as_str().unwrap_or_default().to_string());
        }
        for request in [
            scenarios::scim_group_filter(GROUP_BY_NAME, &basic),
            scenarios::scim_group_filter(GROUP_SCAN, &basic),
            scenarios::scim_group_patch(&groups[0], &ids[0], true, &basic),
        ] {
            let answer = once(&rt, &target, &request)?;
            if answer.status != 200 {
                bail!("{} {} answered {}", request.method, request.path, answer.status);
            }
            responses.push(canned(&request, &answer));
        }
        Some((ids, groups))
    } else {
        None
    };
    let login = scenarios::login_api(seed::LOGIN_USER);
    let login_response = once(&rt, &target, &login)?;
    let login_available = match login_response.status {
        200 => {
            responses.push(canned(&login, &login_response));
            true
        }
        404 => {
            rep.skipped.push(format!(
                "login: POST {} is not served by this build (404)",
                scenarios::AUTHENTICATE_API
            ));
            false
        }
        other => bail!(
            "POST {} answered {other}: {}",
            scenarios::AUTHENTICATE_API,
            String::from_utf8_lossy(&login_response.body)
        ),
    };
    // OAuth2: a client registered through DCR, one password grant and one introspection of its token.
    let oauth = if opts.wants("password-grant") || opts.wants("introspect") {
        let grant = |c: &scenarios::OAuthClient| scenarios::password_grant(c, seed::LOGIN_USER);
        let registration = scenarios::register_client(&basic);
        Some(oauth_setup(&rt, &target, &basic, &registration, grant, &mut responses)?)
    } else {
        None
    };
    // JWT access tokens and logout: a JWT client, one client-credentials token, its introspection, one logout.
    let jwt = if opts.wants("jwt-issue") || opts.wants("jwt-introspect") || opts.wants("oidc-logout") {
        let registration = scenarios::register_jwt_client(&basic);
        let (client, token) = oauth_setup(
            &rt,
            &target,
            &basic,
            &registration,
            scenarios::client_credentials,
            &mut responses,
        )?;
        if token.split('.').count() != 3 {
            bail!("the JWT client's access token is not a JWT");
        }
        let logout = scenarios::oidc_logout(&token);
        let out = once(&rt, &target, &logout)?;
        if out.status != 302 {
            bail!("/oidc/logout answered {}", out.status);
        }
        responses.push(canned(&logout, &out));
        Some((client, token))
    } else {
        None
    };
    let flow = rt.block_on(async {
        let mut conn = target.connect().await?;
        scenarios::commonauth_login(&mut conn, seed::LOGIN_USER).await
    });
    let commonauth_available = match flow {
        Ok(exchanges) => {
            for (request, response) in exchanges {
                let mut c = canned(&request, &response);
                // The login page's URL carries a fresh key each time: match it by its path.
                if let Some((path, _query)) = c.path.split_once('?') {
                    c.path = format!("{path}?*");
                }
                responses.push(c);
            }
            true
        }
        Err(e) => {
            rep.skipped
                .push(format!("commonauth: the browser login flow is not available ({e:#})"));
            false
        }
    };

    let base_port = procs::free_port()?;
    let spec = Spec {
        port: base_port,
        tls: (!opts.plain).then(|| (data_dir.join("tls/cert.pem"), data_dir.join("tls/key.pem"))),
        responses,
    };
    let baseline = BaselineProc::spawn(&spec, &scratch.path("baseline.json"))?;
    let base_target = target_for(
        std::net::SocketAddr::from(([127, 0, 0, 1], base_port)),
        &data_dir,
        opts.plain,
    )?;

    // The raw argon2 rate, with both servers idle; measured before and after the login scenarios, averaged, so
    // that other work on the machine weighs on both sides of the comparison alike.
    let mut raw_rates: Vec<(f64, f64, f64)> = Vec::new();
    let measure_raw = |raw_rates: &mut Vec<(f64, f64, f64)>| -> anyhow::Result<()> {
        eprintln!("raw argon2 verify loop on {cores} thread(s)");
        raw_rates.push(raw_argon2(cores, timing.duration)?);
        Ok(())
    };
    let logins_wanted =
        opts.wants("login") || opts.wants("commonauth") || opts.wants("profile-basic") || opts.wants("password-grant");

    let real = |it: Iteration, conns: usize| measure(&rt, &target, server.pid(), it, conns, timing);
    // A scenario against both servers: rounds alternating between them, merged.
    // `base_it` is what the baseline is sent: the same requests, except that login scenarios send the baseline
    // one fixed user, so that its hundred thousand requests a second do not use up the distinct login users
    // (wrapping around to users verified a minute ago would let the server answer from its password cache).
    let pair = |it: Iteration, base_it: Iteration, conns: usize| -> (Measured, Measured) {
        let round = opts.round_timing();
        let (mut reals, mut bases) = (Vec::new(), Vec::new());
        for _ in 0..opts.rounds.max(1) {
            reals.push(measure(&rt, &target, server.pid(), it.clone(), conns, round));
            bases.push(measure(
                &rt,
                &base_target,
                baseline.pid(),
                base_it.clone(),
                conns,
                round,
            ));
        }
        (Measured::merge(reals), Measured::merge(bases))
    };
    let row_with = |name: &str, it: Iteration, base_it: Iteration, conns: usize| {
        let (real, base) = pair(it, base_it, conns);
        Row::new(name, real, Some(base))
    };
    let row = |name: &str, it: Iteration, conns: usize| row_with(name, it.clone(), it, conns);
    let users = opts.users;
    let c = opts.connections;
    let lc = opts.login_connections;

    if opts.wants("wsdl") {
        eprintln!("scenario: wsdl");
        rep.rows.push(row("GET ?wsdl", scenarios::wsdl_iteration(), c));
    }
    if opts.wants("profile") || opts.wants("profile-basic") {
        eprintln!("scenario: getUserProfile (JSESSIONID)");
        let it = scenarios::get_profile_iteration(users, session.clone());
        rep.rows.push(row("getUserProfile (JSESSIONID)", it, c));
    }
    if opts.wants("profile-basic") {
        eprintln!("scenario: getUserProfile (Basic every call)");
        let it = scenarios::get_profile_iteration(users, basic.clone());
        rep.rows
            .push(Row::new("getUserProfile (Basic every call)", real(it, lc), None));
    }
    if opts.wants("governance") {
        eprintln!("scenario: getConnectorList (JSESSIONID)");
        let it = scenarios::connector_list_iteration(session.clone());
        rep.rows.push(row("getConnectorList (JSESSIONID)", it, c));
    }
    if opts.wants("templates") {
        eprintln!("scenario: getEmailTemplateTypes (JSESSIONID)");
        let it = scenarios::template_types_iteration(session.clone());
        rep.rows.push(row("getEmailTemplateTypes (JSESSIONID)", it, c));
    }
    if opts.wants("tenant-get") {
        eprintln!("scenario: TenantMgtAdminService.getTenant (JSESSIONID)");
        let it = scenarios::soap_get_tenant_iteration(session.clone());
        rep.rows.push(row("getTenant (JSESSIONID)", it, c));
    }
    if opts.wants("rest-template") {
        eprintln!("scenario: REST GET e-mail template (Basic)");
        let it = scenarios::rest_template_iteration(basic.clone());
        rep.rows.push(row("REST GET e-mail template (Basic)", it, c));
    }
    if opts.wants("rest-connector") {
        eprintln!("scenario: REST GET connector (Basic)");
        let it = scenarios::rest_connector_iteration(basic.clone());
        rep.rows
            .push(row("REST GET identity-governance connector (Basic)", it, c));
    }
    if opts.wants("rest-patch") {
        eprintln!("scenario: REST PATCH connector (Basic)");
        let it = scenarios::rest_patch_iteration(basic.clone());
        rep.rows
            .push(row("REST PATCH identity-governance connector (Basic)", it, c));
    }
    if opts.wants("rest-tenants") {
        eprintln!("scenario: REST GET tenants list / one tenant (Basic)");
        let it = scenarios::tenants_list_iteration(basic.clone());
        rep.rows.push(row("REST GET /tenants, first page of 20 (Basic)", it, c));
        let it = scenarios::tenant_get_iteration(tenant_id.clone(), basic.clone());
        rep.rows.push(row("REST GET /tenants/{id} (Basic)", it, c));
    }
    if opts.wants("resend-code") {
        eprintln!("scenario: REST resend-code (Basic)");
        let it = scenarios::resend_code_iteration(users, basic.clone());
        rep.rows.push(row("REST resend-code → new code + mail (Basic)", it, c));
    }
    if opts.wants("reset") {
        eprintln!("scenario: setUserProfile forcing a reset");
        let it = scenarios::force_reset_iteration(users, session.clone());
        rep.rows.push(row("setUserProfile → forced reset (Offline OTP)", it, c));
    }
    if opts.wants("scim-filter") {
        eprintln!("scenario: SCIM filter userName eq (Basic, cached)");
        let it = scenarios::scim_filter_iteration(users, basic.clone());
        let name = format!("GET /scim2/Users?filter=userName eq … ({users} users)");
        rep.rows.push(Row::new(&name, real(it, c), None));
    }
    if opts.wants("scim-reset") || opts.wants("scim-bulk") {
        // The ids of (up to) the first thousand seeded users, as a SCIM client would learn them.
        let mut ids = Vec::new();
        for i in 0..users.min(1000) {
            let found = once(&rt, &target, &scenarios::scim_filter(&seed::user_name(i), &basic))?;
            ids.push(scenarios::scim_id_of(&found)?);
        }
        if opts.wants("scim-reset") {
            eprintln!("scenario: SCIM PATCH forcing a reset");
            let it = scenarios::scim_force_reset_iteration(std::sync::Arc::new(ids.clone()), basic.clone());
            rep.rows.push(Row::new(
                "PATCH /scim2/Users/{id} → forced reset (Offline OTP)",
                real(it, c),
                None,
            ));
        }
        if opts.wants("scim-bulk") {
            eprintln!("scenario: one SCIM bulk of {} forced resets", ids.len());
            let request = scenarios::scim_bulk_force_reset(&ids, &basic);
            let started = std::time::Instant::now();
            let response = once(&rt, &target, &request)?;
            let took = started.elapsed();
            if response.status != 200 {
                bail!("the bulk answered {}", response.status);
            }
            rep.notes.push(format!(
                "scim-bulk: one POST /scim2/Bulk of {} forced resets answered in {:.0} ms (target < 2000 ms: {})",
                ids.len(),
                took.as_secs_f64() * 1000.0,
                if took < Duration::from_secs(2) {
                    "met"
                } else {
                    "NOT met"
                }
            ));
        }
    }
    if let Some((ids, groups)) = scim_groups {
        eprintln!("scenario: SCIM group filters");
        let it = scenarios::scim_group_filter_iteration(GROUP_BY_NAME, basic.clone());
        rep.rows
            .push(row("GET /scim2/Groups?filter=displayName eq … (100 groups)", it, c));
        let it = scenarios::scim_group_filter_iteration(GROUP_SCAN, basic.clone());
        rep.rows.push(row(
            "GET /scim2/Groups?filter=displayName co … (100 groups, 11 match)",
            it,
            c,
        ));
        eprintln!("scenario: SCIM group member PATCH");
        let it = scenarios::scim_group_patch_iteration(groups[0].clone(), std::sync::Arc::new(ids), basic.clone());
        rep.rows.push(row(
            "PATCH /scim2/Groups/{id} → add or remove a member (a group of about ten)",
            it,
            c,
        ));
    }
    let distinct = Some(opts.login_users);
    if opts.wants("expiry-change") && commonauth_available {
        // Real server only: the baseline replays one answer per path, and this flow posts /commonauth twice.
        eprintln!("scenario: expired password changed (login → pwd-reset.jsp → POST /commonauth)");
        let it = scenarios::expired_change_iteration(opts.login_users);
        rep.rows.push(Row::new(
            "expired password: login, GET pwd-reset.jsp, POST /commonauth change (3 argon2 runs), a different user \
             each time",
            real(it, lc),
            None,
        ));
    }
    if let Some((client, token)) = &jwt {
        if opts.wants("jwt-issue") {
            eprintln!("scenario: JWT access token issue (client credentials)");
            let it = scenarios::client_credentials_iteration(client.clone());
            rep.rows.push(row(
                "POST /oauth2/token (client credentials, JWT access token, RS256)",
                it,
                c,
            ));
        }
        if opts.wants("jwt-introspect") {
            eprintln!("scenario: JWT introspection");
            let it = scenarios::introspect_iteration(token.clone(), basic.clone());
            rep.rows
                .push(row("POST /oauth2/introspect of a JWT (Basic admin, cached)", it, c));
        }
        if opts.wants("oidc-logout") {
            eprintln!("scenario: /oidc/logout");
            let it = scenarios::oidc_logout_iteration(token.clone());
            rep.rows.push(row(
                "GET /oidc/logout (signed hint checked, redirect URI matched, no session)",
                it,
                c,
            ));
        }
    }
    if logins_wanted {
        measure_raw(&mut raw_rates)?;
    }
    if opts.wants("login") && login_available {
        eprintln!("scenario: login API, a different user each time");
        let it = scenarios::login_api_iteration(distinct);
        rep.rows.push(row_with(
            "POST /api/identity/auth/v1.1/authenticate (JSON), a different user each time",
            it,
            scenarios::login_api_iteration(None),
            lc,
        ));
        eprintln!("scenario: login API, the same user again");
        let it = scenarios::login_api_iteration(None);
        rep.rows.push(Row::new(
            "POST /api/identity/auth/v1.1/authenticate (JSON), the same user again",
            real(it, lc),
            None,
        ));
    }
    if opts.wants("commonauth") && commonauth_available {
        eprintln!("scenario: browser login (/dashboard → login.do → /commonauth)");
        let it = scenarios::commonauth_iteration(distinct);
        rep.rows.push(row_with(
            "browser login: GET /dashboard, GET login.do, POST /commonauth, a different user each time",
            it,
            scenarios::commonauth_iteration(None),
            lc,
        ));
    }
    if let Some((client, token)) = &oauth {
        if opts.wants("password-grant") {
            eprintln!("scenario: password grant, a different user each time");
            rep.rows.push(row_with(
                "POST /oauth2/token (password grant), a different user each time",
                scenarios::password_grant_iteration(client.clone(), distinct),
                scenarios::password_grant_iteration(client.clone(), None),
                lc,
            ));
        }
        if opts.wants("introspect") {
            eprintln!("scenario: token introspection");
            let it = scenarios::introspect_iteration(token.clone(), basic.clone());
            rep.rows
                .push(row("POST /oauth2/introspect (Basic admin, cached)", it, c));
        }
    }
    if logins_wanted {
        measure_raw(&mut raw_rates)?;
        let n = raw_rates.len() as f64;
        let rate = raw_rates.iter().map(|r| r.0).sum::<f64>() / n;
        let per_verify_ms = raw_rates.iter().map(|r| r.1).sum::<f64>() / n;
        let cpu_us = raw_rates.iter().map(|r| r.2).sum::<f64>() / n;
        rep.raw_argon2 = Some(report::RawArgon2 {
            rate,
            per_verify_ms,
            cpu_us,
            threads: cores,
        });
        rep.raw_argon2_runs = raw_rates.iter().map(|r| r.0).collect();
    }
    if opts.wants("mixed") {
        eprintln!("scenario: mixed (logins saturate, WSDL GETs measured)");
        let (saturator, what) = if login_available {
            (scenarios::login_api_iteration(distinct), "login API, different users")
        } else {
            (
                scenarios::get_profile_iteration(users, basic.clone()),
                "getUserProfile with Basic",
            )
        };
        let window = timing.window();
        let interval = Duration::from_secs_f64(1.0 / opts.probe_rate.max(0.1));
        let (logins, probes) = rt.block_on(async {
            tokio::join!(
                load::drive(&target, saturator, lc, window),
                load::drive_paced(
                    &target,
                    scenarios::wsdl_iteration(),
                    opts.probe_connections,
                    window,
                    Some(interval)
                )
            )
        });
        rep.mixed = Some(report::Mixed {
            saturator: what,
            logins: Measured::new(logins, lc, Duration::ZERO),
            probes: Measured::new(probes, opts.probe_connections, Duration::ZERO),
        });
    }
    if opts.wants("mixed-rw") {
        eprintln!("scenario: mixed-rw (forced resets saturate, getUserProfile measured)");
        let window = timing.window();
        let interval = Duration::from_secs_f64(1.0 / opts.probe_rate.max(0.1));
        // The resets go to the first half of the users, the reads to the second half.
        let half = (users / 2).max(1);
        let reads = scenarios::get_profile_iteration_from(half, users - half, session.clone());
        let (writes, probes) = rt.block_on(async {
            tokio::join!(
                load::drive(
                    &target,
                    scenarios::force_reset_iteration(half, session.clone()),
                    c,
                    window
                ),
                load::drive_paced(&target, reads, opts.probe_connections, window, Some(interval))
            )
        });
        rep.mixed_rw = Some(report::Mixed {
            saturator: "forced resets",
            logins: Measured::new(writes, c, Duration::ZERO),
            probes: Measured::new(probes, opts.probe_connections, Duration::ZERO),
        });
    }
    rep.after_load = Some(server.memory()?);

    baseline.stop()?;
    server.stop()?;

    if opts.wants("large") && opts.large_users > users {
        rep.large = Some(large_store(opts, &bin, &scratch, &rt, &mut rep)?);
    }
    if opts.wants("tenants") && opts.tenants > 1 && opts.large_users >= opts.tenants {
        rep.tenants = Some(tenants_store(opts, &bin, &scratch, &rt)?);
    }
    rep.print();
    Ok(())
}
