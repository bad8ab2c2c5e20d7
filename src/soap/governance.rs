//! IdentityGovernanceAdminService: the governance connectors of the resident IdP, as the release lists them.

use super::decode::Fields;
use super::fault::ExceptionShape;
use super::writer::Out;
use super::xml::XSI;
use super::{Cx, Outcome, ServiceDef, op, quick};
use crate::domain::{DomainError, permissions};

pub const NS: &str = "http://governance.identity.carbon.wso2.org";
const BEAN: &str = "http://bean.governance.identity.carbon.wso2.org/xsd";
const MODEL: &str = "http://model.common.application.identity.carbon.wso2.org/xsd";

pub const EXCEPTION: ExceptionShape = ExceptionShape {
    ns: NS,
    element: "IdentityGovernanceAdminServiceIdentityGovernanceException",
    bean: "IdentityGovernanceException",
    type_ns: "http://governance.identity.carbon.wso2.org/xsd",
    type_name: "IdentityGovernanceException",
};

/// services.xml: viewing the connectors needs governance `view`, changing them `update`.
pub const SERVICE: ServiceDef = ServiceDef {
    name: "IdentityGovernanceAdminService",
    namespace: NS,
    exception: EXCEPTION,
    super_tenant: false,
    ops: &[
        // The connector list is a fixed set of properties: a bounded read.
        quick("getConnectorList", permissions::GOVERNANCE_VIEW, &[], connector_list),
        op(
            "updateConfigurations",
            permissions::GOVERNANCE_UPDATE,
            &["configurations"],
            update,
        ),
    ],
};

fn connector_list(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let with_regex = cx.app.profile().governance.property_has_regex;
    let mut out = Out::new();
    out.open("ns:getConnectorListResponse", &[("xmlns:ns", NS)]);
    for view in cx.app.connectors(cx.actor)? {
        let connector = view.def;
        out.open(
            "ns:return",
            &[
                ("xmlns:ax", BEAN),
                ("xmlns:am", MODEL),
                ("xmlns:xsi", XSI),
                ("xsi:type", "ax:ConnectorConfig"),
            ],
        );
        out.text("ax:category", connector.category);
        out.text("ax:friendlyName", connector.friendly_name);
        out.text("ax:name", connector.name);
        out.int("ax:order", i64::from(connector.order));
        for property in &view.properties {
            // Axis2 writes every bean property, by name; WSO2 sets name, value, displayName, description (and the
            // metadata type of typed connectors), the rest keep Java's defaults (null, 0, false, empty arrays).
            let def = property.def.as_ref();
            let kind = def.filter(|_| connector.typed).map(|d| d.kind.metadata_type());
            out.open("ax:properties", &[("xsi:type", "am:Property")]);
            out.boolean("am:advanced", false);
            out.boolean("am:confidential", false);
            out.nil("am:defaultValue");
            out.opt("am:description", def.and_then(|d| d.description));
            out.opt("am:displayName", def.map(|d| d.display_name));
            out.int("am:displayOrder", 0);
            out.text("am:name", &property.name);
            if with_regex {
                out.nil("am:regex");
            }
            out.boolean("am:required", false);
            out.opt("am:type", kind);
            out.text("am:value", &property.value);
            out.close("ax:properties");
        }
        out.text("ax:subCategory", connector.sub_category);
        out.close("ns:return");
    }
    out.close("ns:getConnectorListResponse");
    Ok(Outcome::Payload(out.finish()))
}

/// Every `configurations` entry is a Property; only `name` and `value` matter for an update.
fn update(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let mut values = Vec::new();
    for property in cx.f.elements("configurations") {
        let p = Fields::new(property, MODEL);
        p.only(&[
            "advanced",
            "confidential",
            "defaultValue",
            "description",
            "displayName",
            "displayOrder",
            "name",
            "options",
            "regex",
            "required",
            "subProperties",
            "type",
            "value",
        ])?;
        values.push((p.str("name")?.to_string(), p.str_or_empty("value")?.to_string()));
    }
    if values.is_empty() {
        return Err(DomainError::InvalidInput(
            "Invalid input parameters: configurations is required".into(),
        ));
    }
    cx.app.update_configurations(cx.actor, &values)?;
    // In-out with an empty output message: an envelope with an empty Body.
    Ok(Outcome::Payload(String::new()))
}
