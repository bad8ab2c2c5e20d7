//! SOAP 1.1 and 1.2 envelopes: finding the payload, checking the version against the content type, and writing
//! responses and faults in the version the client spoke.

use super::xml::{self, Element, Limits, XmlError, escape};

pub const SOAP11_ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const SOAP12_ENV: &str = "http://www.w3.org/2003/05/soap-envelope";

/// How the client framed its request: a SOAP envelope of either version, or a bare payload (Axis2's HTTP binding).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    Soap11,
    Soap12,
    /// Plain XML payload posted to `/services/<Svc>/<op>` (WSDL HTTP binding).
    Pox,
}

impl Framing {
    /// The Content-Type of a response in this framing.
    pub fn content_type(self) -> &'static str {
        match self {
            Framing::Soap11 => "text/xml; charset=UTF-8",
            Framing::Soap12 => "application/soap+xml; charset=UTF-8",
            Framing::Pox => "application/xml; charset=UTF-8",
        }
    }

    /// Guess the framing from a Content-Type alone (used to fault a request whose body cannot be parsed).
    pub fn from_content_type(content_type: Option<&str>) -> Framing {
        match content_type.map(media_type) {
            Some(t) if t == "application/soap+xml" => Framing::Soap12,
            _ => Framing::Soap11,
        }
    }
}

/// The lowercase media type of a Content-Type header, without parameters.
pub fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The `action` parameter of a SOAP 1.2 content type, e.g. `application/soap+xml; action="urn:getUserProfile"`.
pub fn soap12_action(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("action")).then(|| v.trim().trim_matches('"').to_string())
    })
}

/// A parsed request: its framing and the payload element (the Body's first child).
#[derive(Debug)]
pub struct Request {
    pub framing: Framing,
    pub payload: Element,
}

/// Why a request could not even be read; answered with a Client/Sender fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error(transparent)]
    Xml(#[from] XmlError),
    #[error("Transport level information does not match with SOAP Message namespace URI")]
    VersionMismatch { framing: Framing },
    #[error("The SOAP Body is missing")]
    NoBody,
    #[error("The SOAP Body is empty")]
    EmptyBody,
    #[error("The SOAP Body holds more than one element")]
    SeveralPayloads,
    #[error("A SOAP Envelope may hold only a Header and a Body")]
    UnexpectedChild,
    #[error(
        "Unsupported Content-Type {0}: use text/xml (SOAP 1.1), application/soap+xml (SOAP 1.2) or application/xml"
    )]
    ContentType(String),
}

impl EnvelopeError {
    /// The framing the fault should be written in.
    pub fn framing(&self, guess: Framing) -> Framing {
        match self {
            EnvelopeError::VersionMismatch { framing } => *framing,
            _ => guess,
        }
    }
}

/// Parse a request body. `pox_allowed` is true on the HTTP-binding paths, where a bare payload is legal.
pub fn parse(body: &[u8], content_type: Option<&str>, pox_allowed: bool) -> Result<Request, EnvelopeError> {
    let media = content_type.map(media_type).unwrap_or_default();
    let transport = match media.as_str() {
        "text/xml" => Some(Framing::Soap11),
        "application/soap+xml" => Some(Framing::Soap12),
        "application/xml" | "" => None,
        other => return Err(EnvelopeError::ContentType(other.to_string())),
    };
    let root = xml::parse(body, Limits::default())?;
    let framing = if root.is(SOAP11_ENV, "Envelope") {
        Framing::Soap11
    } else if root.is(SOAP12_ENV, "Envelope") {
        Framing::Soap12
    } else if pox_allowed || root.name != "Envelope" {
        return Ok(Request {
            framing: Framing::Pox,
            payload: root,
        });
    } else {
        return Err(EnvelopeError::VersionMismatch {
            framing: transport.unwrap_or(Framing::Soap11),
        });
    };
    if let Some(t) = transport
        && t != framing
    {
        return Err(EnvelopeError::VersionMismatch { framing });
    }
    let env_ns = if framing == Framing::Soap11 {
        SOAP11_ENV
    } else {
        SOAP12_ENV
    };
    let mut body_el = None;
    for (i, child) in root.children.into_iter().enumerate() {
        match (i, child.ns.as_deref() == Some(env_ns), child.name.as_str()) {
            (0, true, "Header") => {}
            (_, true, "Body") if body_el.is_none() => body_el = Some(child),
            _ => return Err(EnvelopeError::UnexpectedChild),
        }
    }
    let body_el = body_el.ok_or(EnvelopeError::NoBody)?;
    let mut payloads = body_el.children.into_iter();
    let payload = payloads.next().ok_or(EnvelopeError::EmptyBody)?;
    if payloads.next().is_some() {
        return Err(EnvelopeError::SeveralPayloads);
    }
    Ok(Request { framing, payload })
}

/// Wrap a payload (already serialised XML) in an envelope of the client's version.
pub fn wrap(framing: Framing, payload: &str) -> String {
    const DECL: &str = "<?xml version='1.0' encoding='UTF-8'?>";
    let envelope_ns = match framing {
        Framing::Soap11 => SOAP11_ENV,
        Framing::Soap12 => SOAP12_ENV,
        Framing::Pox => return [DECL, payload].concat(),
    };
    // Built with one allocation of the exact size: the payload (a whole profile) is the bulk of the answer.
    [
        DECL,
        r#"<soapenv:Envelope xmlns:soapenv=""#,
        envelope_ns,
        r#""><soapenv:Body>"#,
        payload,
        "</soapenv:Body></soapenv:Envelope>",
    ]
    .concat()
}

/// Who is to blame, in SOAP's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultCode {
    /// soapenv:Client (1.1) / soapenv:Sender (1.2)
    Client,
    /// soapenv:Server (1.1) / soapenv:Receiver (1.2)
    Server,
    /// soapenv:VersionMismatch
    VersionMismatch,
    /// A Carbon code in no namespace, such as `50977` or `WSO2CarbonTenantAuthorizationFailure` (KERNEL's
    /// `new AxisFault(message, code)`), written `axis2ns1:50977` as Axis2 does.
    Carbon(&'static str),
}

/// A fault ready to write: code, reason, and the serialised `<detail>` content (may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub code: FaultCode,
    pub reason: String,
    pub detail: String,
}

/// Serialise a fault as a full envelope (or, for bare payloads, as a SOAP 1.1 Fault element).
pub fn fault(framing: Framing, f: &Fault) -> String {
    let reason = escape(&f.reason);
    match framing {
        Framing::Soap11 | Framing::Pox => {
            let code = match f.code {
                FaultCode::Client => "soapenv:Client".to_string(),
                FaultCode::Server => "soapenv:Server".to_string(),
                FaultCode::VersionMismatch => "soapenv:VersionMismatch".to_string(),
                FaultCode::Carbon(n) => format!("axis2ns1:{n}"),
            };
            let fault = format!(
                r#"<soapenv:Fault xmlns:axis2ns1="{SOAP11_ENV}"><faultcode>{code}</faultcode><faultstring>{reason}</faultstring><detail>{}</detail></soapenv:Fault>"#,
                f.detail
            );
            if framing == Framing::Pox {
                format!(
                    r#"<?xml version='1.0' encoding='UTF-8'?>{}"#,
                    fault.replacen(
                        "<soapenv:Fault ",
                        &format!(r#"<soapenv:Fault xmlns:soapenv="{SOAP11_ENV}" "#),
                        1
                    )
                )
            } else {
                wrap(framing, &fault)
            }
        }
        Framing::Soap12 => {
            let (value, subcode) = match f.code {
                FaultCode::Client => ("soapenv:Sender", String::new()),
                FaultCode::Server => ("soapenv:Receiver", String::new()),
                FaultCode::VersionMismatch => ("soapenv:VersionMismatch", String::new()),
                FaultCode::Carbon(n) => (
                    "soapenv:Receiver",
                    format!("<soapenv:Subcode><soapenv:Value>axis2ns1:{n}</soapenv:Value></soapenv:Subcode>"),
                ),
            };
            let detail = if f.detail.is_empty() {
                String::new()
            } else {
                format!("<soapenv:Detail>{}</soapenv:Detail>", f.detail)
            };
            wrap(
                framing,
                &format!(
                    r#"<soapenv:Fault xmlns:axis2ns1="{SOAP12_ENV}"><soapenv:Code><soapenv:Value>{value}</soapenv:Value>{subcode}</soapenv:Code><soapenv:Reason><soapenv:Text xml:lang="en-US">{reason}</soapenv:Text></soapenv:Reason>{detail}</soapenv:Fault>"#
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../../fixtures/soap/setUserProfile.seed.xml");

    #[test]
    fn the_seed_request_parses_to_its_payload() {
        let req = parse(SEED.as_bytes(), Some("text/xml;charset=UTF-8"), false).unwrap();
        assert_eq!(req.framing, Framing::Soap11);
        assert!(
            req.payload
                .is("http://mgt.profile.user.identity.carbon.wso2.org", "setUserProfile")
        );
    }

    #[test]
    fn soap12_envelopes_need_the_soap12_content_type() {
        let env = format!(r#"<e:Envelope xmlns:e="{SOAP12_ENV}"><e:Body><op/></e:Body></e:Envelope>"#);
        let ok = parse(env.as_bytes(), Some(r#"application/soap+xml; action="urn:op""#), false).unwrap();
        assert_eq!(ok.framing, Framing::Soap12);
        assert_eq!(
            parse(env.as_bytes(), Some("text/xml"), false).unwrap_err(),
            EnvelopeError::VersionMismatch {
                framing: Framing::Soap12
            }
        );
        let env11 = format!(r#"<e:Envelope xmlns:e="{SOAP11_ENV}"><e:Body><op/></e:Body></e:Envelope>"#);
        assert!(matches!(
            parse(env11.as_bytes(), Some("application/soap+xml"), false),
            Err(EnvelopeError::VersionMismatch { .. })
        ));
        assert_eq!(
            soap12_action(r#"application/soap+xml; charset=utf-8; action="urn:x""#).as_deref(),
            Some("urn:x")
        );
    }

    #[test]
    fn malformed_envelopes_are_named() {
        let e = |body: &str| parse(body.as_bytes(), Some("text/xml"), false).unwrap_err();
        assert_eq!(
            e(&format!(r#"<e:Envelope xmlns:e="{SOAP11_ENV}"/>"#)),
            EnvelopeError::NoBody
        );
        assert_eq!(
            e(&format!(r#"<e:Envelope xmlns:e="{SOAP11_ENV}"><e:Body/></e:Envelope>"#)),
            EnvelopeError::EmptyBody
        );
        assert_eq!(
            e(&format!(
                r#"<e:Envelope xmlns:e="{SOAP11_ENV}"><e:Body><a/><b/></e:Body></e:Envelope>"#
            )),
            EnvelopeError::SeveralPayloads
        );
        assert_eq!(
            e(&format!(
                r#"<e:Envelope xmlns:e="{SOAP11_ENV}"><e:Body><a/></e:Body><e:Header/></e:Envelope>"#
            )),
            EnvelopeError::UnexpectedChild
        );
        assert!(matches!(
            parse(b"{}", Some("application/json"), false),
            Err(EnvelopeError::ContentType(t)) if t == "application/json"
        ));
        assert!(matches!(
            e("<Envelope><Body/></Envelope>"),
            EnvelopeError::VersionMismatch { .. }
        ));
    }

    #[test]
    fn faults_are_written_in_the_clients_version() {
        let f = Fault {
            code: FaultCode::Carbon("50977"),
            reason: "Access Denied. <x>".into(),
            detail: String::new(),
        };
        let v11 = fault(Framing::Soap11, &f);
        assert!(v11.contains("<faultcode>axis2ns1:50977</faultcode>"));
        assert!(v11.contains("<faultstring>Access Denied. &lt;x&gt;</faultstring>"));
        let v12 = fault(Framing::Soap12, &f);
        assert!(v12.contains(SOAP12_ENV) && v12.contains("axis2ns1:50977") && v12.contains("soapenv:Receiver"));
        for doc in [v11, v12, fault(Framing::Pox, &f)] {
            xml::parse(doc.as_bytes(), Limits::default()).unwrap();
        }
    }
}
