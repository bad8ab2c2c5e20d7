//! UserProfileMgtService: profiles (claim values per profile) and federated account associations.

use super::decode::Fields;
use super::fault::ExceptionShape;
use super::writer::Out;
use super::xml::{Element, XSI};
use super::{Cx, Outcome, ServiceDef, op, quick};
use crate::app::{Actor, App, ProfileField, profile_or_default};
use crate::domain::DomainError;
use crate::domain::permissions::{ASSOCIATION_CREATE, ASSOCIATION_DELETE, ASSOCIATION_VIEW, LOGIN};

pub const NS: &str = "http://mgt.profile.user.identity.carbon.wso2.org";
const XSD: &str = "http://mgt.profile.user.identity.carbon.wso2.org/xsd";

pub const EXCEPTION: ExceptionShape = ExceptionShape {
    ns: NS,
    element: "UserProfileMgtServiceUserProfileException",
    bean: "UserProfileException",
    type_ns: XSD,
    type_name: "UserProfileException",
};

/// services.xml (carbon-identity-framework `components/user-mgt/org.wso2.carbon.identity.user.profile/src/main/
/// resources/META-INF/services.xml`, the same at 5.14.97, 5.17.5 and 5.18.187): `/permission/admin/login` for the
/// service, overridden only for the three `*ForUser` association operations. The profile operations then apply
/// `UserProfileAdmin`'s in-method rule (the use case's). Later framework versions add `userstore/config/view` and
/// `user/association/view` overrides to five more operations; from which release is UNCONFIRMED (see
/// docs/COMPATIBILITY.md), so every release keeps 5.x's. Reads of one user's data or of constants are quick.
pub const SERVICE: ServiceDef = ServiceDef {
    name: "UserProfileMgtService",
    namespace: NS,
    exception: EXCEPTION,
    super_tenant: false,
    ops: &[
        op("setUserProfile", LOGIN, &["username", "profile"], set_user_profile),
        quick("getUserProfile", LOGIN, &["username", "profileName"], get_user_profile),
        quick("getUserProfiles", LOGIN, &["username"], get_user_profiles),
        op(
            "deleteUserProfile",
            LOGIN,
            &["username", "profileName"],
            delete_user_profile,
        ),
        quick("getProfileFieldsForInternalStore", LOGIN, &[], internal_store),
        quick("isAddProfileEnabled", LOGIN, &[], add_profile_enabled),
        quick(
            "isAddProfileEnabledForDomain",
            LOGIN,
            &["domain"],
            add_profile_enabled_for_domain,
        ),
        quick("isReadOnlyUserStore", LOGIN, &[], read_only_user_store),
        quick("getInstance", LOGIN, &[], instance),
        op("associateID", LOGIN, &["idpID", "associatedID"], associate_own),
        op(
            "removeAssociateID",
            LOGIN,
            &["idpID", "associatedID"],
            remove_own_association,
        ),
        quick(
            "getNameAssociatedWith",
            LOGIN,
            &["idpID", "associatedID"],
            name_associated_with,
        ),
        quick("getAssociatedIDs", LOGIN, &[], own_associations),
        op(
            "associateIDForUser",
            ASSOCIATION_CREATE,
            &["username", "idpID", "associatedID"],
            associate_for_user,
        ),
        op(
            "removeAssociateIDForUser",
            ASSOCIATION_DELETE,
            &["username", "idpID", "associatedID"],
            remove_association_for_user,
        ),
        quick(
            "getAssociatedIDsForUser",
            ASSOCIATION_VIEW,
            &["username"],
            associations_of_user,
        ),
    ],
};

fn set_user_profile(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let user = cx.f.str("username")?;
    let profile = cx.f.opt_element("profile")?.ok_or(DomainError::MissingInput)?;
    let (profile_name, values) = decode_profile(profile)?;
    cx.app.set_user_profile(cx.actor, user, &profile_name, &values)?;
    Ok(Outcome::Accepted)
}

fn get_user_profile(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let (Some(user), Some(profile)) = (cx.f.opt_str("username")?, cx.f.opt_str("profileName")?) else {
        return Err(DomainError::MissingInput);
    };
    let mut out = response_open(cx.op);
    match cx.app.user_profile(cx.actor, user, profile)? {
        Some(fields) => write_profile(
            &mut out,
            "ns:return",
            Some(profile_or_default(profile)),
            &fields,
            Values::Shown,
        ),
        None => {
            out.nil("ns:return");
        }
    }
    Ok(response_close(out, cx.op))
}

fn get_user_profiles(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let user = cx.f.str("username")?;
    let mut out = response_open(cx.op);
    for name in cx.app.user_profile_names(cx.actor, user)? {
        if let Some(fields) = cx.app.user_profile(cx.actor, user, &name)? {
            write_profile(&mut out, "ns:return", Some(&name), &fields, Values::Shown);
        }
    }
    Ok(response_close(out, cx.op))
}

fn delete_user_profile(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    cx.app
        .delete_user_profile(cx.actor, cx.f.str("username")?, cx.f.str("profileName")?)?;
    Ok(Outcome::Accepted)
}

fn internal_store(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let mut out = response_open(cx.op);
    write_profile(
        &mut out,
        "ns:return",
        None,
        &internal_store_fields(cx.app, cx.actor)?,
        Values::Nil,
    );
    Ok(response_close(out, cx.op))
}

/// `isMultipleProfilesAllowed` of the user store: false for WSO2's LDAP stores, true for JDBC ones.
fn add_profile_enabled(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    Ok(boolean(cx.op, cx.app.add_profile_enabled()))
}

/// The one user store is writable (its realm property `ReadOnly` is not "true").
fn read_only_user_store(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    Ok(boolean(cx.op, false))
}

/// The primary store's answer for a blank domain or `PRIMARY`; false for any other domain (no secondary stores).
fn add_profile_enabled_for_domain(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let domain = cx.f.opt_str("domain")?.unwrap_or("");
    Ok(boolean(cx.op, cx.app.add_profile_enabled_for_domain(domain)))
}

fn instance(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let mut out = response_open(cx.op);
    out.open(
        "ns:return",
        &[
            ("xmlns:ax", XSD),
            ("xmlns:xsi", XSI),
            ("xsi:type", "ax:UserProfileAdmin"),
        ],
    );
    out.boolean("ax:addProfileEnabled", cx.app.add_profile_enabled());
    write_associations(
        &mut out,
        "ax:associatedIDs",
        &cx.app.associations(cx.actor, cx.actor.name())?,
    );
    write_profile(
        &mut out,
        "ax:profileFieldsForInternalStore",
        None,
        &internal_store_fields(cx.app, cx.actor)?,
        Values::Nil,
    );
    out.boolean("ax:readOnlyUserStore", false);
    out.close("ns:return");
    Ok(response_close(out, cx.op))
}

fn associate_own(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let (idp, id) = (cx.f.str("idpID")?, cx.f.str("associatedID")?);
    cx.app.associate(cx.actor, cx.actor.name(), idp, id)?;
    Ok(Outcome::Accepted)
}

fn remove_own_association(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let (idp, id) = (cx.f.str("idpID")?, cx.f.str("associatedID")?);
    cx.app.remove_association(cx.actor, cx.actor.name(), idp, id)?;
    Ok(Outcome::Accepted)
}

fn name_associated_with(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let name = cx
        .app
        .user_for_association(cx.actor, cx.f.str("idpID")?, cx.f.str("associatedID")?)?;
    let mut out = response_open(cx.op);
    out.opt("ns:return", name.as_deref());
    Ok(response_close(out, cx.op))
}

fn own_associations(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let mut out = response_open(cx.op);
    write_associations(&mut out, "ns:return", &cx.app.associations(cx.actor, cx.actor.name())?);
    Ok(response_close(out, cx.op))
}

fn associate_for_user(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let (user, idp, id) = (cx.f.str("username")?, cx.f.str("idpID")?, cx.f.str("associatedID")?);
    cx.app.associate(cx.actor, user, idp, id)?;
    // Request-response with an empty output message: an envelope with an empty Body.
    Ok(Outcome::Payload(String::new()))
}

fn remove_association_for_user(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let (user, idp, id) = (cx.f.str("username")?, cx.f.str("idpID")?, cx.f.str("associatedID")?);
    cx.app.remove_association(cx.actor, user, idp, id)?;
    Ok(Outcome::Payload(String::new()))
}

fn associations_of_user(cx: &Cx<'_>) -> Result<Outcome, DomainError> {
    let user = cx.f.str("username")?;
    let mut out = response_open(cx.op);
    write_associations(&mut out, "ns:return", &cx.app.associations(cx.actor, user)?);
    Ok(response_close(out, cx.op))
}

fn boolean(op: &str, value: bool) -> Outcome {
    let mut out = response_open(op);
    out.boolean("ns:return", value);
    response_close(out, op)
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

/// The profile fields of the store with no values (getProfileFieldsForInternalStore): the same claims as a
/// profile's, supported by default and with a display name (`UserProfileAdmin.getClaimsToEnterData`).
fn internal_store_fields(app: &App, actor: &Actor) -> Result<Vec<ProfileField>, DomainError> {
    Ok(app
        .claim_metas(actor)?
        .iter()
        .filter(|m| m.supported_by_default && !m.display_name.is_empty())
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

/// Whether a UserProfileDTO carries the user's values or only the fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Values {
    /// Each field's value ("" when unset).
    Shown,
    /// `xsi:nil` values: the fields of the store, not of a user.
    Nil,
}

/// Write a UserProfileDTO under `qname`.
fn write_profile(out: &mut Out, qname: &str, profile: Option<&str>, fields: &[ProfileField], values: Values) {
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
        match values {
            Values::Shown => {
                out.text("ax:fieldValue", field.value.as_deref().unwrap_or(""));
            }
            Values::Nil => {
                out.nil("ax:fieldValue");
            }
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
