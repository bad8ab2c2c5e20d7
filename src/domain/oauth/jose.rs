//! The signing key and JWS compact tokens, by hand over `ring`: RS256 signatures (PKCS#1 v1.5, SHA-256), the
//! key's WSO2-style ids (kid = base64url of the hex digest of the *certificate*, then `_RS256`), the JWK Set, and
//! verification. By hand because WSO2's bytes have an order (header `{"x5t":…,"kid":…,"alg":"RS256"}`, claims in
//! `HashMap` order) that a JOSE library's typed header would not write; `ring` signs in constant time and is
//! already the project's TLS crypto. The key is generated once with `rsa` (key generation only: no private-key
//! operation runs there) and a self-signed certificate for it with `rcgen`.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::java_map_json;
use crate::domain::profile::oauth::{JwksCert, KidDigest, OAuthProfile, X5t};
use crate::util::hex_lower;

/// The only signing algorithm (`oauth.oidc.id_token.signature_algorithm = SHA256withRSA`).
pub const ALG: &str = "RS256";

/// Why a key could not be made or loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot generate the RSA key: {0}")]
    Generate(String),
    #[error("the private key is not a usable RSA PKCS#8 key: {0}")]
    Key(String),
    #[error("cannot make the certificate: {0}")]
    Certificate(String),
}

/// The RSA key tokens are signed with, and the certificate its ids are derived from. `Debug` shows the key id only.
pub struct SigningKey {
    pair: RsaKeyPair,
    cert_der: Vec<u8>,
    n: Vec<u8>,
    e: Vec<u8>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("thumbprint", &thumbprint(&self.cert_der, KidDigest::Sha256))
            .finish_non_exhaustive()
    }
}

/// `rsa`'s RNG trait over the thread's CSPRNG (rand 0.9), for key generation.
struct KeygenRng;

impl rsa::rand_core::TryRng for KeygenRng {
    type Error = std::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(rand::RngCore::next_u32(&mut rand::rng()))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(rand::RngCore::next_u64(&mut rand::rng()))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        rand::RngCore::fill_bytes(&mut rand::rng(), dst);
        Ok(())
    }
}

impl rsa::rand_core::TryCryptoRng for KeygenRng {}

/// A new 2048-bit key (the size of WSO2's `wso2carbon` key) and a self-signed certificate for `host`: (PKCS#8 DER,
/// certificate DER), to keep.
pub fn generate(host: &str) -> Result<(Vec<u8>, Vec<u8>), KeyError> {
    use rsa::pkcs8::EncodePrivateKey;
    let key = rsa::PrivateKey::new(&mut KeygenRng, 2048).map_err(|e| KeyError::Generate(e.to_string()))?;
    let pkcs8 = key
        .to_pkcs8_der()
        .map_err(|e| KeyError::Generate(e.to_string()))?
        .as_bytes()
        .to_vec();
    let cert = certificate(&pkcs8, host)?;
    Ok((pkcs8, cert))
}

fn certificate(pkcs8: &[u8], host: &str) -> Result<Vec<u8>, KeyError> {
    let der = rustls::pki_types::PrivatePkcs8KeyDer::from(pkcs8);
    let pair = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&der, &rcgen::PKCS_RSA_SHA256)
        .map_err(|e| KeyError::Certificate(e.to_string()))?;
    let mut params =
        rcgen::CertificateParams::new(vec![host.to_string()]).map_err(|e| KeyError::Certificate(e.to_string()))?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(rcgen::DnType::CommonName, host);
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "forcereset");
    let cert = params
        .self_signed(&pair)
        .map_err(|e| KeyError::Certificate(e.to_string()))?;
    Ok(cert.der().to_vec())
}

impl SigningKey {
    /// A key from its kept parts.
    pub fn from_parts(pkcs8: &[u8], cert_der: Vec<u8>) -> Result<SigningKey, KeyError> {
        let pair = RsaKeyPair::from_pkcs8(pkcs8).map_err(|e| KeyError::Key(e.to_string()))?;
        let public = ring::rsa::PublicKeyComponents::<Vec<u8>>::from(pair.public());
        Ok(SigningKey {
            pair,
            cert_der,
            n: public.n,
            e: public.e,
        })
    }

    /// WSO2's key id: `<thumbprint>_RS256` (`DefaultKeyIDProviderImpl.getKeyId`).
    pub fn kid(&self, profile: &OAuthProfile) -> String {
        format!("{}_{ALG}", thumbprint(&self.cert_der, profile.kid_digest))
    }

    /// The `x5t` header of signed tokens.
    fn x5t(&self, profile: &OAuthProfile) -> String {
        match profile.x5t {
            X5t::HexThumbprint => thumbprint(&self.cert_der, profile.kid_digest),
            X5t::Sha1 => URL_SAFE_NO_PAD.encode(sha1(&self.cert_der)),
        }
    }

    /// A JWS compact token: the release's header (`{"x5t":…,"kid":…,"alg":"RS256"}`, `typ` when given) over
    /// `payload_json`.
    pub fn sign(&self, profile: &OAuthProfile, typ: Option<&str>, payload_json: &str) -> Option<String> {
        let mut header: Vec<(&str, Value)> = vec![
            ("x5t", self.x5t(profile).into()),
            ("kid", self.kid(profile).into()),
            ("alg", ALG.into()),
        ];
        if let Some(typ) = typ {
            header.push(("typ", typ.into()));
        }
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(java_map_json(&header)),
            URL_SAFE_NO_PAD.encode(payload_json)
        );
        let mut signature = vec![0u8; self.pair.public().modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .ok()?;
        Some(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }

    /// The payload of a token this key signed (RS256, signature checked), or None.
    pub fn verify(&self, token: &str) -> Option<Vec<u8>> {
        let mut parts = token.split('.');
        let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
        if header.get("alg").and_then(Value::as_str) != Some(ALG) {
            return None;
        }
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        let public = RsaPublicKeyComponents { n: &self.n, e: &self.e };
        public
            .verify(
                &RSA_PKCS1_2048_8192_SHA256,
                format!("{}.{}", header_part(token), payload).as_bytes(),
                &signature,
            )
            .ok()?;
        URL_SAFE_NO_PAD.decode(payload).ok()
    }

    /// `/oauth2/jwks`: the JWK Set, members in nimbus's `HashMap` order (`kty, e, use, kid, alg, n`; with the
    /// certificate `kty, x5t#S256, e, use, kid, x5c, alg, n`).
    pub fn jwks(&self, profile: &OAuthProfile) -> String {
        let n = URL_SAFE_NO_PAD.encode(&self.n);
        let e = URL_SAFE_NO_PAD.encode(&self.e);
        let thumb = thumbprint(&self.cert_der, profile.kid_digest);
        let key = |kid: String| {
            let mut members: Vec<(&str, Value)> = vec![
                ("kty", "RSA".into()),
                ("e", e.clone().into()),
                ("use", "sig".into()),
                ("kid", kid.into()),
                ("alg", ALG.into()),
                ("n", n.clone().into()),
            ];
            let x5c = json!([STANDARD.encode(&self.cert_der)]);
            let sha256 = URL_SAFE_NO_PAD.encode(Sha256::digest(&self.cert_der));
            match profile.jwks_cert {
                JwksCert::None => {}
                JwksCert::DoubleEncoded => {
                    members.push(("x5t#S256", URL_SAFE_NO_PAD.encode(&thumb).into()));
                    members.push(("x5c", x5c));
                }
                JwksCert::Standard => {
                    members.push(("x5t#S256", sha256.into()));
                    members.push(("x5c", x5c));
                }
                JwksCert::ThumbprintOnly => members.push(("x5t#S256", sha256.into())),
            }
            java_map_json(&members)
        };
        let mut keys = Vec::new();
        if profile.jwks_old_kid {
            keys.push(key(thumb.clone()));
        }
        keys.push(key(self.kid(profile)));
        format!("{{\"keys\":[{}]}}", keys.join(","))
    }
}

fn header_part(token: &str) -> &str {
    token.split('.').next().unwrap_or_default()
}

/// `OAuth2Util.getThumbPrint`: base64url (no padding) of the lower-case hex of the certificate's digest.
pub fn thumbprint(cert_der: &[u8], digest: KidDigest) -> String {
    let hex = match digest {
        KidDigest::Sha1 => hex_lower(&sha1(cert_der)),
        KidDigest::Sha256 => hex_lower(&Sha256::digest(cert_der)),
    };
    URL_SAFE_NO_PAD.encode(hex)
}

/// SHA-1, for thumbprints only (WSO2's 5.9 kid and 7.1+ `x5t`), through `ring`'s legacy digest.
fn sha1(data: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, data)
        .as_ref()
        .to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::profile::Wso2Version;

    #[test]
    fn a_generated_key_signs_what_it_verifies_and_names_itself_as_wso2_does() {
        let (pkcs8, cert) = generate("localhost").unwrap();
        let key = SigningKey::from_parts(&pkcs8, cert.clone()).unwrap();
        let profile = Wso2Version::V5_11.profile().oauth;
        let token = key.sign(&profile, None, r#"{"sub":"tom"}"#).unwrap();
        assert_eq!(key.verify(&token).unwrap(), br#"{"sub":"tom"}"#);
        let header = URL_SAFE_NO_PAD.decode(token.split('.').next().unwrap()).unwrap();
        let header = String::from_utf8(header).unwrap();
        let kid = key.kid(&profile);
        assert!(kid.ends_with("_RS256") && kid.len() == 86 + 6, "{kid}");
        assert_eq!(
            header,
            format!(
                r#"{{"x5t":"{}","kid":"{kid}","alg":"RS256"}}"#,
                thumbprint(&cert, KidDigest::Sha256)
            )
        );
        // A changed payload or signature fails.
        let mut parts: Vec<&str> = token.split('.').collect();
        let other = URL_SAFE_NO_PAD.encode(r#"{"sub":"eve"}"#);
        parts[1] = &other;
        assert!(key.verify(&parts.join(".")).is_none());
        assert!(key.verify("a.b").is_none());
        // 5.9: SHA-1 ids, and the old kid listed first.
        let p59 = Wso2Version::V5_9.profile().oauth;
        assert_eq!(key.kid(&p59).len(), 54 + 6);
        let jwks: Value = serde_json::from_str(&key.jwks(&p59)).unwrap();
        assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
        let jwks = key.jwks(&profile);
        assert!(
            jwks.starts_with(r#"{"keys":[{"kty":"RSA","e":"AQAB","use":"sig","kid":""#),
            "{jwks}"
        );
        let p61 = Wso2Version::V6_1.profile().oauth;
        let jwks: Value = serde_json::from_str(&key.jwks(&p61)).unwrap();
        assert_eq!(
            jwks["keys"][0]["x5t#S256"],
            URL_SAFE_NO_PAD.encode(Sha256::digest(&cert))
        );
        assert!(!format!("{key:?}").contains("pair"));
    }
}
