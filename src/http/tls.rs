//! The HTTPS server certificate: a configured PEM chain and key, or a self-signed certificate generated on first
//! start into `<data_dir>/tls/` and reused afterwards; turned into a rustls `ServerConfig` (ring, ALPN http/1.1).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::http::{CERT_FILE_KEY, HttpError, KEY_FILE_KEY};
use crate::util;

/// Where the certificate in use came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertSource {
    /// `transport.https.sslHostConfig.certificate.*` in deployment.toml.
    Configured,
    /// Generated on this start.
    Generated,
    /// Generated on an earlier start and loaded from the data directory.
    Reused,
}

/// What to log about the certificate in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    pub cert_path: PathBuf,
    /// SHA-256 of the leaf certificate's DER, upper-case hex pairs joined by `:` (as `keytool`/`openssl` print it).
    pub sha256_fingerprint: String,
    pub source: CertSource,
}

/// The generated certificate's files inside the data directory.
pub fn generated_paths(config: &Config) -> (PathBuf, PathBuf) {
    let dir = config.emulator.data_dir.join("tls");
    (dir.join("cert.pem"), dir.join("key.pem"))
}

/// Build the HTTPS server config from the configured PEM pair, or from the self-signed certificate in the data
/// directory (generating it if it is missing, unreadable or does not cover `[server] hostname`).
pub fn load_or_generate(config: &Config) -> Result<(Arc<ServerConfig>, CertInfo), HttpError> {
    match &config.tls {
        Some(pair) => load_configured(&pair.certificate_path, &pair.private_key_path),
        None => load_or_generate_self_signed(config),
    }
}

fn load_configured(cert_path: &Path, key_path: &Path) -> Result<(Arc<ServerConfig>, CertInfo), HttpError> {
    let file_error = |path: &Path, key: &'static str, message: String| HttpError::TlsFile {
        path: path.to_path_buf(),
        key,
        message,
    };
    let chain = read_cert_chain(cert_path).map_err(|m| file_error(cert_path, CERT_FILE_KEY, m))?;
    let key = read_private_key(key_path).map_err(|m| file_error(key_path, KEY_FILE_KEY, m))?;
    let info = cert_info(cert_path, &chain, CertSource::Configured);
    let server_config = server_config(chain, key).map_err(|e| HttpError::TlsConfig {
        path: cert_path.to_path_buf(),
        key: CERT_FILE_KEY,
        message: format!("certificate and key {} rejected: {e}", key_path.display()),
    })?;
    Ok((server_config, info))
}

fn load_or_generate_self_signed(config: &Config) -> Result<(Arc<ServerConfig>, CertInfo), HttpError> {
    let hostname = config.server.hostname.as_str();
    let (cert_path, key_path) = generated_paths(config);
    if cert_path.exists() && key_path.exists() {
        match reuse(&cert_path, &key_path, hostname) {
            Ok(found) => return Ok(found),
            Err(reason) => tracing::warn!(
                "{}: {reason}; generating a new self-signed certificate",
                cert_path.display()
            ),
        }
    }
    generate(&cert_path, &key_path, hostname)
}

/// Load a previously generated pair; any problem is a reason to regenerate.
fn reuse(cert_path: &Path, key_path: &Path, hostname: &str) -> Result<(Arc<ServerConfig>, CertInfo), String> {
    let chain = read_cert_chain(cert_path)?;
    let key = read_private_key(key_path).map_err(|e| format!("{}: {e}", key_path.display()))?;
    if let (Some(leaf), Ok(name)) = (chain.first(), ServerName::try_from(hostname)) {
        let parsed = rustls::server::ParsedCertificate::try_from(leaf).map_err(|e| e.to_string())?;
        rustls::client::verify_server_name(&parsed, &name)
            .map_err(|_| format!("certificate does not cover [server] hostname {hostname:?}"))?;
    }
    let info = cert_info(cert_path, &chain, CertSource::Reused);
    let server_config = server_config(chain, key).map_err(|e| e.to_string())?;
    Ok((server_config, info))
}

fn generate(cert_path: &Path, key_path: &Path, hostname: &str) -> Result<(Arc<ServerConfig>, CertInfo), HttpError> {
    let fail = |message: String| HttpError::TlsGenerate {
        path: cert_path.parent().unwrap_or(cert_path).to_path_buf(),
        message,
    };

    let mut sans: Vec<String> = Vec::new();
    for san in [hostname, "localhost", "127.0.0.1", "::1"] {
        if !sans.iter().any(|s| s.eq_ignore_ascii_case(san)) {
            sans.push(san.to_owned());
        }
    }
    let mut params = rcgen::CertificateParams::new(sans).map_err(|e| {
        fail(format!(
            "[server] hostname {hostname:?} cannot be a certificate name: {e}"
        ))
    })?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(rcgen::DnType::CommonName, hostname);
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "forcereset (self-signed)");
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    // Valid from the start of last year for ten years: covers clock skew without needing a date library.
    let year = current_year();
    params.not_before = rcgen::date_time_ymd(year - 1, 1, 1);
    params.not_after = rcgen::date_time_ymd(year + 10, 1, 1);

    let key_pair = rcgen::KeyPair::generate().map_err(|e| fail(format!("key generation failed: {e}")))?;
    let cert = params
        .self_signed(&key_pair)
        .map_err(|e| fail(format!("signing failed: {e}")))?;

    if let Some(dir) = cert_path.parent() {
        fs::create_dir_all(dir).map_err(|e| fail(format!("cannot create directory: {e}")))?;
    }
    write_private(key_path, key_pair.serialize_pem().as_bytes())
        .map_err(|e| fail(format!("cannot write {}: {e}", key_path.display())))?;
    fs::write(cert_path, cert.pem()).map_err(|e| fail(format!("cannot write {}: {e}", cert_path.display())))?;

    let chain = vec![cert.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pair.serialize_der()));
    let info = cert_info(cert_path, &chain, CertSource::Generated);
    let server_config = server_config(chain, key).map_err(|e| fail(format!("rustls rejected the certificate: {e}")))?;
    tracing::info!(
        "generated a self-signed certificate for {hostname}, localhost, 127.0.0.1 and ::1 in {}",
        cert_path.display()
    );
    Ok((server_config, info))
}

/// The rustls server config: ring explicitly (no process-wide default provider needed), TLS 1.2 and 1.3,
/// no client certificates, ALPN `http/1.1` only.
fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn read_cert_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let bytes = fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    let chain = rustls_pemfile::certs(&mut bytes.as_slice())
        .collect::<Result<Vec<_>, io::Error>>()
        .map_err(|e| format!("not a valid PEM certificate file: {e}"))?;
    if chain.is_empty() {
        return Err("no PEM certificate (-----BEGIN CERTIFICATE-----) found".to_owned());
    }
    Ok(chain)
}

fn read_private_key(path: &Path) -> Result<PrivateKeyDer<'static>, String> {
    let bytes = fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    match rustls_pemfile::private_key(&mut bytes.as_slice()) {
        Ok(Some(key)) => Ok(key),
        Ok(None) => Err("no PEM private key (PKCS#8, PKCS#1 or SEC1) found".to_owned()),
        Err(e) => Err(format!("not a valid PEM private key file: {e}")),
    }
}

fn cert_info(path: &Path, chain: &[CertificateDer<'_>], source: CertSource) -> CertInfo {
    CertInfo {
        cert_path: path.to_path_buf(),
        sha256_fingerprint: chain.first().map(|c| fingerprint(c)).unwrap_or_default(),
        source,
    }
}

/// SHA-256 of DER bytes as `AB:CD:…`.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| util::hex_upper(&[*b]))
        .collect::<Vec<_>>()
        .join(":")
}

/// Write a file only its owner can read (mode 0600 on unix), also tightening a pre-existing file.
fn write_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    io::Write::write_all(&mut file, contents)?;
    file.sync_all()
}

/// The current UTC year, from the system clock.
fn current_year() -> i32 {
    // Clients judge the certificate's dates by their real clock, so this is the system clock, not `App`'s (which
    // tests set); the bench's baseline calls this without an `App`.
    #[allow(clippy::disallowed_methods)]
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    i32::try_from(util::utc_year(millis)).unwrap_or(2025)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::config::PemPair;

    fn config_in(dir: &Path) -> Config {
        let mut config = Config::defaults();
        config.emulator.data_dir = dir.to_path_buf();
        config
    }

    #[test]
    fn generates_once_then_reuses() {
        let dir = tempfile::tempdir().unwrap();
        let config = config_in(dir.path());

        let (_, first) = load_or_generate(&config).unwrap();
        assert_eq!(first.source, CertSource::Generated);
        assert_eq!(first.cert_path, dir.path().join("tls").join("cert.pem"));
        assert_eq!(first.sha256_fingerprint.len(), 32 * 3 - 1);
        assert!(dir.path().join("tls").join("key.pem").exists());

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join("tls").join("key.pem"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        let (server_config, second) = load_or_generate(&config).unwrap();
        assert_eq!(second.source, CertSource::Reused);
        assert_eq!(second.sha256_fingerprint, first.sha256_fingerprint);
        assert_eq!(server_config.alpn_protocols, vec![b"http/1.1".to_vec()]);
    }

    #[test]
    fn regenerates_when_files_are_corrupt_or_hostname_changes() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = config_in(dir.path());
        let (_, first) = load_or_generate(&config).unwrap();

        fs::write(dir.path().join("tls").join("key.pem"), "garbage").unwrap();
        let (_, second) = load_or_generate(&config).unwrap();
        assert_eq!(second.source, CertSource::Generated);
        assert_ne!(second.sha256_fingerprint, first.sha256_fingerprint);

        config.server.hostname = "is.example.com".to_owned();
        let (_, third) = load_or_generate(&config).unwrap();
        assert_eq!(third.source, CertSource::Generated);
        let (_, fourth) = load_or_generate(&config).unwrap();
        assert_eq!(fourth.source, CertSource::Reused);
        assert_eq!(fourth.sha256_fingerprint, third.sha256_fingerprint);
    }

    #[test]
    fn loads_a_configured_pem_pair() {
        let dir = tempfile::tempdir().unwrap();
        let certified = rcgen::generate_simple_self_signed(vec!["is.example.com".to_owned()]).unwrap();
        let cert_path = dir.path().join("server.crt");
        let key_path = dir.path().join("server.key");
        fs::write(&cert_path, certified.cert.pem()).unwrap();
        fs::write(&key_path, certified.key_pair.serialize_pem()).unwrap();

        let mut config = config_in(&dir.path().join("data"));
        config.tls = Some(PemPair {
            certificate_path: cert_path.clone(),
            private_key_path: key_path,
        });
        let (_, info) = load_or_generate(&config).unwrap();
        assert_eq!(info.source, CertSource::Configured);
        assert_eq!(info.cert_path, cert_path);
        assert_eq!(info.sha256_fingerprint, fingerprint(certified.cert.der()));
        // Nothing generated.
        assert!(!dir.path().join("data").join("tls").exists());
    }

    #[test]
    fn garbage_pem_names_the_file_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let cert_path = dir.path().join("garbage.crt");
        let key_path = dir.path().join("garbage.key");
        fs::write(&cert_path, "this is not PEM").unwrap();
        fs::write(
            &key_path,
            "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();

        let mut config = config_in(dir.path());
        config.tls = Some(PemPair {
            certificate_path: cert_path.clone(),
            private_key_path: key_path.clone(),
        });
        let err = load_or_generate(&config).unwrap_err().to_string();
        assert!(err.contains(&cert_path.display().to_string()), "{err}");
        assert!(err.contains(CERT_FILE_KEY), "{err}");

        // A good certificate with a garbage key names the key file.
        let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        fs::write(&cert_path, certified.cert.pem()).unwrap();
        let err = load_or_generate(&config).unwrap_err().to_string();
        assert!(err.contains(&key_path.display().to_string()), "{err}");
        assert!(err.contains(KEY_FILE_KEY), "{err}");

        // A key that does not belong to the certificate.
        let other = rcgen::KeyPair::generate().unwrap();
        fs::write(&key_path, other.serialize_pem()).unwrap();
        let err = load_or_generate(&config).unwrap_err().to_string();
        assert!(err.contains(&cert_path.display().to_string()), "{err}");

        // A missing file.
        config.tls = Some(PemPair {
            certificate_path: dir.path().join("missing.crt"),
            private_key_path: key_path,
        });
        let err = load_or_generate(&config).unwrap_err().to_string();
        assert!(err.contains("missing.crt"), "{err}");
    }

    #[test]
    fn current_year_is_plausible() {
        let y = current_year();
        assert!((2024..2200).contains(&y), "{y}");
    }
}
