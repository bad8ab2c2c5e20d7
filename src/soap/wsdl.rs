//! Serving `?wsdl` and `?xsd`: the WSDLs under `wsdl/`, embedded in the binary, with the running server's
//! address filled in, and each inline schema on its own for toolkits that follow `schemaLocation`.

use super::Service;

const PLACEHOLDER: &str = "{{HOST_PORT}}";

fn template(service: Service) -> &'static str {
    match service {
        Service::UserProfileMgt => include_str!("../../wsdl/UserProfileMgtService.wsdl"),
        Service::RemoteUserStoreManager => include_str!("../../wsdl/RemoteUserStoreManagerService.wsdl"),
        Service::IdentityGovernanceAdmin => include_str!("../../wsdl/IdentityGovernanceAdminService.wsdl"),
        Service::I18nEmailMgtConfig => include_str!("../../wsdl/I18nEmailMgtConfigService.wsdl"),
        Service::TenantMgtAdmin => include_str!("../../wsdl/TenantMgtAdminService.wsdl"),
    }
}

/// The WSDL with its port addresses pointing at `host_port` (e.g. `localhost:9443`).
pub fn wsdl(service: Service, host_port: &str) -> String {
    template(service).replace(PLACEHOLDER, host_port)
}

/// The inline schemas of a service's WSDL, in document order, as (target namespace, text).
fn schemas(service: Service) -> Vec<(&'static str, &'static str)> {
    let text = template(service);
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("<xs:schema") {
        let Some(len) = rest[start..].find("</xs:schema>") else {
            break;
        };
        let end = start + len + "</xs:schema>".len();
        let schema = &rest[start..end];
        let tns = schema
            .split("targetNamespace=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("");
        out.push((tns, schema));
        rest = &rest[end..];
    }
    out
}

/// What `?xsd` asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum XsdRequest<'a> {
    /// `?xsd`: an index schema importing every inline schema.
    Index,
    /// `?xsd=xsdN`
    Numbered(&'a str),
}

/// The schema a `?xsd` request names, with `xs:import`s given `schemaLocation`s; None if there is no such schema.
pub fn xsd(service: Service, request: XsdRequest<'_>) -> Option<String> {
    let all = schemas(service);
    let location = |ns: &str| {
        all.iter()
            .position(|(tns, _)| *tns == ns)
            .map(|i| format!("{}?xsd=xsd{i}", service.name()))
    };
    match request {
        XsdRequest::Index => {
            let imports: String = all
                .iter()
                .enumerate()
                .map(|(i, (tns, _))| {
                    format!(
                        r#"<xs:import namespace="{tns}" schemaLocation="{}?xsd=xsd{i}"/>"#,
                        service.name()
                    )
                })
                .collect();
            Some(format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">{imports}</xs:schema>"#
            ))
        }
        XsdRequest::Numbered(id) => {
            let index: usize = id.strip_prefix("xsd")?.parse().ok()?;
            let (_, schema) = all.get(index)?;
            let mut text = (*schema).to_string();
            for (tns, _) in &all {
                let bare = format!(r#"<xs:import namespace="{tns}"/>"#);
                if let Some(loc) = location(tns) {
                    text = text.replace(
                        &bare,
                        &format!(r#"<xs:import namespace="{tns}" schemaLocation="{loc}"/>"#),
                    );
                }
            }
            Some(format!(r#"<?xml version="1.0" encoding="UTF-8"?>{text}"#))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::xml::{Limits, parse};

    #[test]
    fn served_wsdls_carry_the_address_and_parse() {
        for service in Service::ALL {
            let doc = wsdl(service, "example.org:9444");
            assert!(!doc.contains(PLACEHOLDER));
            assert!(doc.contains(&format!(
                "https://example.org:9444/services/{0}.{0}HttpsSoap11Endpoint/",
                service.name()
            )));
            parse(doc.as_bytes(), Limits::default()).unwrap();
        }
    }

    #[test]
    fn each_inline_schema_is_served_alone_with_import_locations() {
        for service in Service::ALL {
            let count = schemas(service).len();
            assert!(count >= 2, "{service:?}");
            let index = xsd(service, XsdRequest::Index).unwrap();
            parse(index.as_bytes(), Limits::default()).unwrap();
            for i in 0..count {
                let one = xsd(service, XsdRequest::Numbered(&format!("xsd{i}"))).unwrap();
                parse(one.as_bytes(), Limits::default()).unwrap();
                assert_eq!(
                    one.matches("<xs:import").count(),
                    one.matches("schemaLocation").count(),
                    "{one}"
                );
            }
            assert_eq!(xsd(service, XsdRequest::Numbered(&format!("xsd{count}"))), None);
            assert_eq!(xsd(service, XsdRequest::Numbered("nope")), None);
        }
    }
}
