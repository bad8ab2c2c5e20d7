//! SCIM 2.0 as WSO2 implements it (RFC 7643/7644 through Charon): the rules, with no IO. Which attribute is which
//! local claim per release ([`schema`]), user resources built from claims and read back into them
//! ([`resource`]), group resources from roles ([`group`]), the filter grammar ([`filter`]) and its evaluation ([`query`]), PATCH ([`patch`]), and which
//! attributes a response carries ([`project`]).
//!
//! A resource is a `serde_json::Value` in SCIM's own shape: RFC 7643 defines resources as JSON, and Charon applies
//! a PATCH to the resource document before mapping it to claims, which is what [`patch`] does too.

pub mod filter;
pub mod group;
pub mod patch;
pub mod project;
pub mod query;
pub mod resource;
pub mod schema;

/// A SCIM message schema.
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const LIST_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const SEARCH_REQUEST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
pub const BULK_REQUEST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
pub const BULK_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const SERVICE_PROVIDER_CONFIG_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
pub const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";

/// Charon's `scimType` values (`ResponseCodeConstants`, 3.3.15 … 5.0.3). Note `InvalidFilter` with a capital I,
/// which is not RFC 7644's `invalidFilter`: Charon writes it so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScimType {
    InvalidFilter,
    InvalidPath,
    NoTarget,
    InvalidValue,
    InvalidSyntax,
    Mutability,
    Uniqueness,
    TooMany,
}

impl ScimType {
    pub fn as_str(self) -> &'static str {
        match self {
            ScimType::InvalidFilter => "InvalidFilter",
            ScimType::InvalidPath => "invalidPath",
            ScimType::NoTarget => "noTarget",
            ScimType::InvalidValue => "invalidValue",
            ScimType::InvalidSyntax => "invalidSyntax",
            ScimType::Mutability => "mutability",
            ScimType::Uniqueness => "uniqueness",
            ScimType::TooMany => "tooMany",
        }
    }
}

/// Charon's default detail of a `BadRequestException` without a message of its own.
pub const BAD_REQUEST_DETAIL: &str = "Request is unparsable, syntactically incorrect, or violates schema.";

/// A request SCIM refuses as a bad request (400): its `scimType` and Charon's words for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimError {
    pub kind: ScimType,
    pub detail: String,
}

impl ScimError {
    pub fn new(kind: ScimType, detail: impl Into<String>) -> ScimError {
        ScimError {
            kind,
            detail: detail.into(),
        }
    }

    /// A filter that does not parse: Charon's default detail with `InvalidFilter`.
    pub fn bad_filter() -> ScimError {
        ScimError::new(ScimType::InvalidFilter, BAD_REQUEST_DETAIL)
    }

    /// A body that is not what the operation takes: the default detail with `invalidSyntax`.
    pub fn bad_syntax() -> ScimError {
        ScimError::new(ScimType::InvalidSyntax, BAD_REQUEST_DETAIL)
    }

    /// An attribute name the schema does not have (`AttributeUtil#getAttributeURI`).
    pub fn unknown_attribute() -> ScimError {
        ScimError::new(ScimType::InvalidValue, "Not a valid attribute name/uri")
    }
}

impl std::fmt::Display for ScimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

/// A SCIM `dateTime` as Java's `Instant.toString()` writes it (Charon `AttributeUtil#formatDateTime`): UTC with
/// `Z`, milliseconds only when not zero.
pub fn format_instant(millis: i64) -> String {
    let seconds = crate::util::format_utc(millis);
    let ms = millis.rem_euclid(1000);
    if ms == 0 {
        seconds
    } else {
        format!("{}.{ms:03}Z", seconds.trim_end_matches('Z'))
    }
}

#[cfg(test)]
mod tests;
