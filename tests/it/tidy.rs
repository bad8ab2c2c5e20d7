//! Tidy checks over the source tree (rust-analyzer's idea): the layering ARCHITECTURE.md promises, and the
//! conventions every file keeps. They read the files as text, so they hold for code no test runs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Which of the crate's top-level modules each module may name (`crate::x`). Test code (`tests.rs`, `tests/`,
/// and `#[cfg(test)]` blocks) may name anything. Missing from a list = forbidden, which is how the graph stays
/// acyclic: `http` is a leaf kit, `app` knows no adapter, `domain` knows nothing but the pure `util`.
const ALLOWED: &[(&str, &[&str])] = &[
    ("util", &[]),
    ("domain", &["util"]),
    ("config", &["domain", "util"]),
    ("store", &["domain", "util"]),
    ("http", &["config", "domain", "util"]),
    ("mail", &["config", "domain", "store", "util", "soap::xml"]),
    ("app", &["config", "domain", "store", "mail", "util"]),
    ("soap", &["app", "config", "domain", "http", "store", "util"]),
    ("web", &["app", "config", "domain", "http", "store", "util"]),
    ("rest", &["app", "domain", "http", "util"]),
    ("routes", &["app", "config", "http", "mail", "rest", "soap", "web"]),
    (
        "cli",
        &["app", "config", "domain", "http", "mail", "routes", "store", "util"],
    ),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/app/users.rs` → `app`), None for lib.rs, main.rs and bins.
fn module_of(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(src()).unwrap();
    let first = rel.components().next()?.as_os_str().to_string_lossy().into_owned();
    match first.as_str() {
        "lib.rs" | "main.rs" | "bin" => None,
        name => Some(name.trim_end_matches(".rs").to_string()),
    }
}

fn is_test_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "tests.rs") || path.components().any(|c| c.as_os_str() == "tests")
}

/// The file's text before its first `#[cfg(test)]`, where inline test modules start.
fn non_test_text(text: &str) -> &str {
    text.split("#[cfg(test)]").next().unwrap_or(text)
}

/// Every path the text names under `crate::`, as its first two segments (`crate::soap::xml::escape` → `soap::xml`).
fn named_modules(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        let path: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        let parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).take(2).collect();
        if !parts.is_empty() {
            found.insert(parts.join("::"));
        }
    }
    found
}

#[test]
fn modules_name_only_the_modules_below_them() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut wrong = Vec::new();
    for path in &files {
        let Some(module) = module_of(path) else { continue };
        if is_test_file(path) {
            continue;
        }
        let Some((_, allowed)) = ALLOWED.iter().find(|(m, _)| *m == module) else {
            wrong.push(format!(
                "{}: module {module} is not in the layering table",
                path.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(path).unwrap();
        for named in named_modules(non_test_text(&text)) {
            let top = named.split("::").next().unwrap_or_default();
            // `soap::xml` in a list allows that one submodule, not the rest of `soap`.
            if top != module && !allowed.contains(&top) && !allowed.contains(&named.as_str()) {
                wrong.push(format!("{}: {module} names crate::{named}", path.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

#[test]
fn every_file_says_what_it_is() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests"), &mut files);
    let missing: Vec<String> = files
        .iter()
        .filter(|p| !std::fs::read_to_string(p).unwrap().starts_with("//!"))
        .map(|p| p.display().to_string())
        .collect();
    assert!(missing.is_empty(), "files without a //! line:\n{}", missing.join("\n"));
}

/// `App`'s state stays behind its use cases: no adapter reaches into its fields.
#[test]
fn no_adapter_reaches_into_app() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut wrong = Vec::new();
    for path in &files {
        if module_of(path).as_deref() == Some("app") || is_test_file(path) {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        for field in [
            "app.store",
            "app.config",
            "app.sessions",
            "app.mail_wakeup",
            "app.templates",
        ] {
            if non_test_text(&text).contains(&format!("{field}."))
                || non_test_text(&text).contains(&format!("{field})"))
            {
                wrong.push(format!("{}: {field}", path.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "adapters reaching into App:\n{}", wrong.join("\n"));
}

#[test]
fn only_the_profile_knows_release_numbers() {
    // A difference between WSO2 releases is a field of domain::profile::Profile; code elsewhere reads the field.
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let profile = src().join("domain").join("profile");
    let mut wrong = Vec::new();
    for path in files.iter().filter(|p| !p.starts_with(&profile) && !is_test_file(p)) {
        let text = std::fs::read_to_string(path).unwrap();
        for (n, line) in non_test_text(&text).lines().enumerate() {
            if line.contains("Wso2Version::V") {
                wrong.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "release numbers outside domain::profile:\n{}",
        wrong.join("\n")
    );
}
