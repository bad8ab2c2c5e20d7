//! UserProfileMgtService: profiles (claim values per profile) and federated account associations.

use super::Outcome;
use super::decode::Fields;
use super::fault::ExceptionShape;
use super::writer::Out;
use super::xml::{Element, XSI};
use crate::app::{Actor, App, ProfileField};
use crate::domain::{DomainError, USER_STORE_DOMAIN, permissions};

pub const NS: &str = "http://mgt.profile.user.identity.carbon.wso2.org";
const XSD: &str = "http://mgt.profile.user.identity.carbon.wso2.org/xsd";

pub const OPERATIONS: &[&str] = &[
    "setUserProfile",
    "getUserProfile",
    "getUserProfiles",
    "deleteUserProfile",
    "getProfileFieldsForInternalStore",
    "isAddProfileEnabled",
    "isAddProfileEnabledForDomain",
    "isReadOnlyUserStore",
    "getInstance",
    "associateID",
    "removeAssociateID",
    "getNameAssociatedWith",
    "getAssociatedIDs",
    "associateIDForUser",
    "removeAssociateIDForUser",
    "getAssociatedIDsForUser",
];

/// Reads of one user's data or of constants, writing nothing: run on the reactor for a session caller.
pub const QUICK_OPERATIONS: &[&str] = &[
    "getUserProfile",
    "getUserProfiles",
    "getProfileFieldsForInternalStore",
    "isAddProfileEnabled",
    "isAddProfileEnabledForDomain",
    "isReadOnlyUserStore",
    "getInstance",
    "getNameAssociatedWith",
    "getAssociatedIDs",
    "getAssociatedIDsForUser",
];

pub const EXCEPTION: ExceptionShape = ExceptionShape {
    ns: NS,
    element: "UserProfileMgtServiceUserProfileException",
    bean: "UserProfileException",
    type_ns: XSD,
    type_name: "UserProfileException",
};

/// services.xml: `/permission/admin/login` for the service, with these per-operation overrides.
fn permission(op: &str) -> &'static str {
    match op {
        "associateIDForUser" => permissions::ASSOCIATION_CREATE,
        "removeAssociateIDForUser" => permissions::ASSOCIATION_DELETE,
        "getAssociatedIDsForUser" | "getNameAssociatedWith" => permissions::ASSOCIATION_VIEW,
        "isReadOnlyUserStore"
        | "getProfileFieldsForInternalStore"
        | "isAddProfileEnabled"
        | "isAddProfileEnabledForDomain" => permissions::USERSTORE_CONFIG_VIEW,
        _ => permissions::LOGIN,
    }
}

pub fn dispatch(app: &App, actor: &Actor, op: &str, payload: &Element) -> Option<Result<Outcome, DomainError>> {
    if !OPERATIONS.contains(&op) {
        return None;
    }
    Some(
        actor
            .require(permission(op))
            .and_then(|()| run(app, actor, op, payload)),
    )
}

fn run(app: &App, actor: &Actor, op: &str, payload: &Element) -> Result<Outcome, DomainError> {
    let f = Fields::new(payload, NS);
    match op {
        "setUserProfile" => {
            f.only(&["username", "profile"])?;
            let user = f.str("username")?;
            let profile = f.opt_element("profile")?.ok_or(DomainError::MissingInput)?;
            let (profile_name, values) = decode_profile(profile)?;
            app.set_user_profile(actor, user, &profile_name, &values)?;
            Ok(Outcome::Accepted)
        }
        "getUserProfile" => {
            f.only(&["username", "profileName"])?;
            let (Some(user), Some(profile)) = (f.opt_str("username")?, f.opt_str("profileName")?) else {
                return Err(DomainError::MissingInput);
            };
            let mut out = response_open(op);
            match app.user_profile(actor, user, profile)? {
                Some(fields) => write_profile(
                    &mut out,
                    "ns:return",
                    Some(crate::app::profile_or_default(profile)),
                    &fields,
                    true,
                ),
                None => {
                    out.nil("ns:return");
                }
            }
            Ok(response_close(out, op))
        }
        "getUserProfiles" => {
            f.only(&["username"])?;
            let user = f.str("username")?;
            let mut out = response_open(op);
            for name in app.user_profile_names(actor, user)? {
                if let Some(fields) = app.user_profile(actor, user, &name)? {
                    write_profile(&mut out, "ns:return", Some(&name), &fields, true);
                }
            }
            Ok(response_close(out, op))
        }
        "deleteUserProfile" => {
            f.only(&["username", "profileName"])?;
            app.delete_user_profile(actor, f.str("username")?, f.str("profileName")?)?;
            Ok(Outcome::Accepted)
        }
        "getProfileFieldsForInternalStore" => {
            f.only(&[])?;
            let mut out = response_open(op);
            write_profile(&mut out, "ns:return", None, &internal_store_fields(app)?, false);
            Ok(response_close(out, op))
        }
        "isAddProfileEnabled" | "isReadOnlyUserStore" => {
            f.only(&[])?;
            // Profiles are stored per user in our one store, which is writable.
            let value = op == "isAddProfileEnabled";
            let mut out = response_open(op);
            out.boolean("ns:return", value);
            Ok(response_close(out, op))
        }
        "isAddProfileEnabledForDomain" => {
            f.only(&["domain"])?;
            let domain = f.opt_str("domain")?.unwrap_or("");
            if !domain.is_empty() && !domain.eq_ignore_ascii_case(USER_STORE_DOMAIN) {
                return Err(DomainError::InvalidInput(format!("Invalid domain name: {domain}")));
            }
            let mut out = response_open(op);
            out.boolean("ns:return", true);
            Ok(response_close(out, op))
        }
        "getInstance" => {
            f.only(&[])?;
            let mut out = response_open(op);
            out.open(
                "ns:return",
                &[
                    ("xmlns:ax", XSD),
                    ("xmlns:xsi", XSI),
                    ("xsi:type", "ax:UserProfileAdmin"),
                ],
            );
            out.boolean("ax:addProfileEnabled", true);
            write_associations(&mut out, "ax:associatedIDs", &app.associations(actor.name())?);
            write_profile(
                &mut out,
                "ax:profileFieldsForInternalStore",
                None,
                &internal_store_fields(app)?,
                false,
            );
            out.boolean("ax:readOnlyUserStore", false);
            out.close("ns:return");
            Ok(response_close(out, op))
        }
        "associateID" | "removeAssociateID" => {
            f.only(&["idpID", "associatedID"])?;
            let (idp, id) = (f.str("idpID")?, f.str("associatedID")?);
            if op == "associateID" {
                app.associate(actor, actor.name(), idp, id)?;
            } else {
                app.remove_association(actor, actor.name(), idp, id)?;
            }
            Ok(Outcome::Accepted)
        }
        "getNameAssociatedWith" => {
            f.only(&["idpID", "associatedID"])?;
            let name = app.user_for_association(f.str("idpID")?, f.str("associatedID")?)?;
            let mut out = response_open(op);
            out.opt("ns:return", name.as_deref());
            Ok(response_close(out, op))
        }
        "getAssociatedIDs" => {
            f.only(&[])?;
            let mut out = response_open(op);
            write_associations(&mut out, "ns:return", &app.associations(actor.name())?);
            Ok(response_close(out, op))
        }
        "associateIDForUser" | "removeAssociateIDForUser" => {
            f.only(&["username", "idpID", "associatedID"])?;
            let (user, idp, id) = (f.str("username")?, f.str("idpID")?, f.str("associatedID")?);
            if op == "associateIDForUser" {
                app.associate(actor, user, idp, id)?;
            } else {
                app.remove_association(actor, user, idp, id)?;
            }
            // Request-response with an empty output message: an envelope with an empty Body.
            Ok(Outcome::Payload(String::new()))
        }
        "getAssociatedIDsForUser" => {
            f.only(&["username"])?;
            let user = f.str("username")?;
            let mut out = response_open(op);
            write_associations(&mut out, "ns:return", &app.associations(user)?);
            Ok(response_close(out, op))
        }
        _ => Err(DomainError::Internal),
    }
}

/// A UserProfileDTO → (profile name, claim values). Read-only fields are skipped, as WSO2 does.
fn decode_profile(el: &Element) -> Result<(String, Vec<(String, String)>), DomainError> {
    let p = Fields::new(el, XSD);
    p.only(&[
        "fieldValues",
        "profileConfigurations",
        "profileConifuration",
        "profileName",
    ])?;
    let profile_name = p.opt_str("profileName")?.unwrap_or("").to_string();
    let mut values = Vec::new();
    for field in p.elements("fieldValues") {
        let fv = Fields::new(field, XSD);
        fv.only(&[
            "checkedAttribute",
            "claimUri",
            "displayName",
            "displayOrder",
            "fieldValue",
            "readOnly",
            "regEx",
            "required",
        ])?;
        if fv.opt_bool("readOnly")?.unwrap_or(false) {
            continue;
        }
        let uri = fv.str("claimUri")?.trim().to_string();
        let mut value = fv.opt_str("fieldValue")?.unwrap_or("").to_string();
        // WSO2 quirk kept for fidelity: an empty value of the identity OTP flag means "false".
        if uri == "http://wso2.org/claims/identity/otp" && value.is_empty() {
            value = "false".into();
        }
        values.push((uri, value));
    }
    Ok((profile_name, values))
}

/// The profile fields of the store with no values (getProfileFieldsForInternalStore).
fn internal_store_fields(app: &App) -> Result<Vec<ProfileField>, DomainError> {
    Ok(app
        .claim_metas()?
        .iter()
        .filter(|m| m.supported_by_default)
        .map(|meta| ProfileField {
            meta: meta.clone(),
            value: None,
        })
        .collect())
}

fn response_open(op: &str) -> Out {
    super::writer::response(NS, op)
}

fn response_close(out: Out, op: &str) -> Outcome {
    super::writer::finish_response(out, op)
}

/// Write a UserProfileDTO under `qname`. `with_values` writes each field's value ("" when unset), otherwise nil.
fn write_profile(out: &mut Out, qname: &str, profile: Option<&str>, fields: &[ProfileField], with_values: bool) {
    out.open(
        qname,
        &[("xmlns:ax", XSD), ("xmlns:xsi", XSI), ("xsi:type", "ax:UserProfileDTO")],
    );
    for field in fields {
        let m = &field.meta;
        out.open("ax:fieldValues", &[("xsi:type", "ax:UserFieldDTO")]);
        out.boolean("ax:checkedAttribute", false);
        out.text("ax:claimUri", &m.uri);
        out.text("ax:displayName", &m.display_name);
        out.int("ax:displayOrder", i64::from(m.display_order));
        if with_values {
            out.text("ax:fieldValue", field.value.as_deref().unwrap_or(""));
        } else {
            out.nil("ax:fieldValue");
        }
        out.boolean("ax:readOnly", m.read_only);
        out.opt("ax:regEx", Some(m.regex.as_str()).filter(|r| !r.is_empty()));
        out.boolean("ax:required", m.required);
        out.close("ax:fieldValues");
    }
    match profile {
        Some(name) => {
            out.text("ax:profileConfigurations", "default");
            out.text("ax:profileConifuration", "default");
            out.text("ax:profileName", name);
        }
        None => {
            out.nil("ax:profileConifuration");
            out.nil("ax:profileName");
        }
    }
    out.close(qname);
}

fn write_associations(out: &mut Out, qname: &str, associations: &[(String, String)]) {
    for (idp, id) in associations {
        out.open(
            qname,
            &[
                ("xmlns:ax", XSD),
                ("xmlns:xsi", XSI),
                ("xsi:type", "ax:AssociatedAccountDTO"),
            ],
        );
        out.text("ax:id", &format!("{idp}:{id}"));
        out.text("ax:identityProviderName", idp);
        out.text("ax:username", id);
        out.close(qname);
    }
}
