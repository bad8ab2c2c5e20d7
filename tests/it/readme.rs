//! The README, run as written (issue 14): clone the repository into a temp dir, start the quick start's server
//! there, run every command of the quick start and the tour in one shell, and check each output the README shows
//! (`# → text`, `…` standing for anything) — so the README and the product cannot drift apart.
//!
//! Two substitutions, both said here: `cargo run --release --` and `forcereset` run this build's binary (the README
//! says `cargo install --path .` puts it on the PATH), and the clone's `deployment.toml` gets a free `[server]
//! offset`, with the README's `:9443`/`:9763` moved by it, so the test never needs the real ports. What the clone
//! runs is what is committed: a file the tour uses but git does not hold fails here.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::free_port;

const QUICK_START: &str = "## Quick start";
const TOUR: &str = "## A short tour";
const SERVE: &str = "cargo run --release -- serve";
const TEST_COMMAND: &str = "bash tests/run.sh";
const CARGO_RUN: &str = "cargo run --release --";
/// What a command is shown to print: `# → text`, after the command or on the next line.
const SHOWS: &str = "# →";

/// One shell command of the README, with what the README says it prints.
#[derive(Debug)]
struct Step {
    command: String,
    shows: Option<String>,
}

/// The ```sh blocks of the README section that starts with `heading`, up to the next `## `.
fn blocks(readme: &str, heading: &str) -> Vec<String> {
    let start = readme
        .find(heading)
        .unwrap_or_else(|| panic!("README has no {heading:?}"));
    let section = &readme[start + heading.len()..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    section
        .split("```sh\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap_or_default().to_string())
        .collect()
}

/// A block's commands: continuation lines joined, each command's `# →` (trailing, or on the next line) taken
/// off as what it shows.
fn steps(block: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut pending = String::new();
    for line in block.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(shows) = trimmed.strip_prefix(SHOWS) {
            let last = steps.last_mut().expect("a `# →` line follows a command");
            assert!(last.shows.is_none(), "two outputs shown for {}", last.command);
            last.shows = Some(shows.trim().to_string());
            continue;
        }
        // A comment starts at ` # `: `# → …` is what the command shows, any other (`# e.g.`) is for the reader.
        let (code, shows) = match line.find(" # ") {
            Some(at) => {
                let comment = line[at + 1..].trim();
                let shows = comment.strip_prefix(SHOWS).map(|s| s.trim().to_string());
                (&line[..at], shows)
            }
            None => (line, None),
        };
        match code.trim_end().strip_suffix('\\') {
            Some(head) => {
                pending.push_str(head.trim_end());
                pending.push(' ');
            }
            None => {
                pending.push_str(code.trim());
                steps.push(Step {
                    command: std::mem::take(&mut pending).trim().to_string(),
                    shows,
                });
            }
        }
    }
    assert!(pending.is_empty(), "a command ends in a continuation: {pending}");
    steps
}

/// Does `output` show `expected`, reading `…` as "anything"?
fn shows(output: &str, expected: &str) -> bool {
    let mut rest = output;
    for part in expected.split('…').map(str::trim).filter(|p| !p.is_empty()) {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// An offset whose two ports (9443 + offset, 9763 + offset) are both free now.
fn free_offset() -> u16 {
    for _ in 0..200 {
        let offset = u32::from(free_port()).saturating_sub(9443);
        let http = 9763 + offset;
        if offset > 0
            && let (Ok(offset), Ok(http)) = (u16::try_from(offset), u16::try_from(http))
            && std::net::TcpListener::bind(("127.0.0.1", http)).is_ok()
        {
            return offset;
        }
    }
    panic!("no free pair of ports 9443+offset, 9763+offset");
}

fn git_clone(from: &Path, to: &Path) {
    let out = Command::new("git")
        .args(["clone", "--quiet", "--no-hardlinks"])
        .arg(from)
        .arg(to)
        .output()
        .expect("git (tests/run.sh checks it is installed)");
    assert!(
        out.status.success(),
        "git clone: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The README's quick start and tour, from a fresh clone, against this build's binary.
#[test]
fn the_readme_runs_as_written() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let clone = dir.path().join("forcereset");
    git_clone(&root, &clone);
    let readme = std::fs::read_to_string(clone.join("README.md")).unwrap();

    // The quick start's two commands: the server, and the one test command (which CI runs: not run here).
    let quick = blocks(&readme, QUICK_START);
    let first = steps(&quick[0]);
    let commands: Vec<&str> = first.iter().map(|s| s.command.as_str()).collect();
    assert_eq!(commands, [SERVE, TEST_COMMAND], "the quick start's two commands");
    let ci = std::fs::read_to_string(clone.join(".ci/run")).unwrap();
    assert!(
        ci.lines().any(|l| l.trim() == TEST_COMMAND),
        ".ci/run runs the README's test command"
    );

    // The binary on the PATH, as `cargo install --path .` would put it; a free offset in the clone's config.
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_forcereset"), bin.join("forcereset")).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let offset = free_offset();
    let config = clone.join("deployment.toml");
    let shipped = std::fs::read_to_string(&config).unwrap();
    assert!(
        shipped.contains("\noffset = 0\n"),
        "the shipped deployment.toml sets [server] offset = 0"
    );
    std::fs::write(
        &config,
        shipped.replace("\noffset = 0\n", &format!("\noffset = {offset}\n")),
    )
    .unwrap();
    let ports = |text: &str| {
        text.replace(":9443", &format!(":{}", 9443 + u32::from(offset)))
            .replace(":9763", &format!(":{}", 9763 + u32::from(offset)))
    };

    let serve_log = dir.path().join("serve.log");
    let mut server = Command::new("bash")
        .arg("-c")
        .arg(format!("exec {}", SERVE.replace(CARGO_RUN, "forcereset")))
        .current_dir(&clone)
        .env("PATH", &path)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&serve_log).unwrap())
        .stderr(std::fs::File::create(dir.path().join("serve.err")).unwrap())
        .spawn()
        .unwrap();
    let log = || {
        std::fs::read_to_string(dir.path().join("serve.err")).unwrap_or_default()
            + &std::fs::read_to_string(&serve_log).unwrap_or_default()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !log().contains("forcereset is ready") {
        if let Ok(Some(status)) = server.try_wait() {
            panic!("`{SERVE}` exited ({status}):\n{}", log());
        }
        assert!(Instant::now() < deadline, "`{SERVE}` not ready in 30 s:\n{}", log());
        std::thread::sleep(Duration::from_millis(50));
    }

    // Everything after the first block, in one shell (the tour keeps `$OTP` from one block to the next), each
    // command's stdout between markers.
    let mut all: Vec<Step> = quick[1..].iter().flat_map(|b| steps(b)).collect();
    all.extend(blocks(&readme, TOUR).iter().flat_map(|b| steps(b)));
    assert!(all.len() >= 12, "the tour has {} commands", all.len());
    let mut script = String::from("set -u\n");
    for (i, step) in all.iter().enumerate() {
        let command = ports(&step.command).replace(CARGO_RUN, "forcereset");
        script.push_str(&format!(
            "echo '<<<step {i}>>>'\n{{ {command}\n}} 2>>\"$STEP_ERRORS\"\necho \"<<<rc $?>>>\"\n"
        ));
    }
    let errors = dir.path().join("stderr.log");
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(&clone)
        .env("PATH", &path)
        .env("STEP_ERRORS", &errors)
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = std::fs::read_to_string(&errors).unwrap_or_default();

    let mut checked = 0;
    for (i, step) in all.iter().enumerate() {
        let context = || {
            format!(
                "README step {i}: {}\nstderr of the steps:\n{stderr}\nserver log:\n{}",
                step.command,
                log()
            )
        };
        let after = stdout
            .split(&format!("<<<step {i}>>>\n"))
            .nth(1)
            .unwrap_or_else(|| panic!("never ran; {}", context()));
        let (output, rest) = after
            .split_once("<<<rc ")
            .unwrap_or_else(|| panic!("no exit status; {}", context()));
        let rc = rest.split(">>>").next().unwrap_or_default();
        assert_eq!(rc, "0", "exit status {rc}; output:\n{output}\n{}", context());
        if let Some(expected) = &step.shows {
            assert!(
                shows(output, &ports(expected)),
                "the README shows {expected:?}; the command printed:\n{output}\n{}",
                context()
            );
            checked += 1;
        }
    }
    assert!(checked >= 12, "only {checked} outputs checked");
}

#[test]
fn readme_steps_are_read_as_a_reader_reads_them() {
    let block = "a --x \\\n   --y   # → one\nb  # e.g. K3J9QZ\nc # a note\n# → two … three\n";
    let got = steps(block);
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].command, "a --x --y");
    assert_eq!(got[0].shows.as_deref(), Some("one"));
    assert_eq!((got[1].command.as_str(), got[1].shows.as_deref()), ("b", None));
    assert_eq!(got[2].shows.as_deref(), Some("two … three"));
    assert!(shows("two, then three", "two … three"));
    assert!(!shows("three, then two", "two … three"));
}
