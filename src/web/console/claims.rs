//! Claims → List: the one dialect (`http://wso2.org/claims`), its local claims with their metadata, and the edit
//! form (display name, description, regex, display order, Supported by Default, Required, Read-only).

use hyper::StatusCode;
use serde::Serialize;

use super::flash;
use super::view::{self, Area};
use super::{CLAIM, CLAIMS, Ctx, act, link, required, run};
use crate::domain::DomainError;
use crate::domain::claims::{self, ClaimMeta};
use crate::domain::permissions::CLAIM_METADATA_UPDATE;
use crate::http::response::HttpResponse;

/// `GET /carbon/identity-claim-mgt/list-dialects.jsp`.
pub async fn dialects(ctx: Ctx) -> HttpResponse {
    let count = match run(&ctx, |app, a| app.claim_dialect(a)).await {
        Ok(m) => m.len(),
        Err(resp) => return resp,
    };
    view::page(
        StatusCode::OK,
        "console/dialects.html",
        "Claim Dialects",
        Area::Claims,
        &ctx.session,
        None,
        minijinja::context! { dialect => claims::DIALECT, href => CLAIMS, count => count },
    )
}

/// `ClaimMeta` for the templates (the domain type only deserializes).
struct ClaimMetaView<'a>(&'a ClaimMeta);

impl Serialize for ClaimMetaView<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let m = self.0;
        let mut st = s.serialize_struct("ClaimMeta", 8)?;
        st.serialize_field("uri", &m.uri)?;
        st.serialize_field("display_name", &m.display_name)?;
        st.serialize_field("description", &m.description)?;
        st.serialize_field("supported_by_default", &m.supported_by_default)?;
        st.serialize_field("required", &m.required)?;
        st.serialize_field("read_only", &m.read_only)?;
        st.serialize_field("display_order", &m.display_order)?;
        st.serialize_field("regex", &m.regex)?;
        st.end()
    }
}

/// `GET /carbon/identity-claim-mgt/list-local-claims.jsp`.
pub async fn list(ctx: Ctx) -> HttpResponse {
    let metas = match run(&ctx, |app, a| app.claim_dialect(a)).await {
        Ok(m) => m,
        Err(resp) => return resp,
    };
    let can_edit = ctx.session.actor.has(CLAIM_METADATA_UPDATE);
    let rows: Vec<minijinja::Value> = metas
        .iter()
        .map(|m| {
            minijinja::context! {
                meta => minijinja::Value::from_serialize(ClaimMetaView(m)),
                edit_href => can_edit.then(|| link(CLAIM, "localClaimURI", &m.uri)),
            }
        })
        .collect();
    view::page(
        StatusCode::OK,
        "console/claims.html",
        "Available Claims for http://wso2.org/claims",
        Area::Claims,
        &ctx.session,
        None,
        minijinja::context! { rows => rows, dialect => claims::DIALECT },
    )
}

/// `GET /carbon/identity-claim-mgt/update-local-claim.jsp?localClaimURI=…`.
pub async fn edit_form(ctx: Ctx) -> HttpResponse {
    let uri = match required(&ctx, "localClaimURI") {
        Ok(u) => u.to_string(),
        Err(resp) => return resp,
    };
    let meta = match run(&ctx, move |app, a| app.claim_meta_of(a, &uri)).await {
        Ok(m) => m,
        Err(resp) => return resp,
    };
    let flash = flash::take(&ctx.session.token, ctx.session.now);
    // A refused edit shows what was typed, not what is stored.
    let shown = match flash.as_ref().filter(|f| f.tone == "alert" && !f.fields.is_empty()) {
        Some(f) => ClaimMeta {
            display_name: f.field("displayName").unwrap_or_default().to_string(),
            description: f.field("description").unwrap_or_default().to_string(),
            regex: f.field("regex").unwrap_or_default().to_string(),
            supported_by_default: f.field("supported").is_some(),
            required: f.field("required").is_some(),
            read_only: f.field("readOnly").is_some(),
            ..meta.clone()
        },
        None => meta.clone(),
    };
    let order = flash
        .as_ref()
        .and_then(|f| f.field("displayOrder").map(str::to_string))
        .unwrap_or_else(|| meta.display_order.to_string());
    view::page(
        StatusCode::OK,
        "console/claim_edit.html",
        &format!("Update Local Claim: {}", meta.display_name),
        Area::Claims,
        &ctx.session,
        flash,
        minijinja::context! {
            meta => minijinja::Value::from_serialize(ClaimMetaView(&shown)),
            display_order => order,
            list_href => CLAIMS,
        },
    )
}

/// `POST /carbon/identity-claim-mgt/update-local-claim.jsp`. Unticked boxes are absent from the form: false.
pub async fn save(ctx: Ctx) -> HttpResponse {
    let (uri, display_name, order) = match (
        required(&ctx, "localClaimURI"),
        required(&ctx, "displayName"),
        required(&ctx, "displayOrder"),
    ) {
        (Ok(u), Ok(d), Ok(o)) => (u.to_string(), d.to_string(), o.trim().to_string()),
        (Err(resp), ..) | (_, Err(resp), _) | (.., Err(resp)) => return resp,
    };
    let p = &ctx.params;
    let description = p.get("description").unwrap_or_default().to_string();
    let regex = p.get("regex").unwrap_or_default().to_string();
    let (supported, req, read_only) = (
        p.get("supported").is_some(),
        p.get("required").is_some(),
        p.get("readOnly").is_some(),
    );
    let back = link(CLAIM, "localClaimURI", &uri);
    let sticky = p.0.iter().filter(|(k, _)| k != "csrf").cloned().collect();
    act(&ctx, CLAIMS, &back, sticky, move |app, a| {
        let display_order = order.parse::<i32>().map_err(|_| {
            DomainError::InvalidInput(format!("The display order must be a whole number, not '{order}'."))
        })?;
        app.update_claim_metadata(
            a,
            &ClaimMeta {
                uri: uri.clone(),
                display_name,
                description,
                supported_by_default: supported,
                required: req,
                read_only,
                display_order,
                regex,
            },
        )?;
        Ok(format!("The claim {uri} was updated."))
    })
    .await
}
