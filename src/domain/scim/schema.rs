//! The SCIM attributes of users and groups, with their RFC 7643 characteristics as Charon defines them
//! (`SCIMSchemaDefinitions`, the same in 3.3.15 … 5.0.3) and SCIM2's `scim2-schema-extension.config`, and where
//! each keeps its values: the local claim the SCIM dialects of WSO2's `claim-config.xml` map it to (CIF 5.18.187,
//! `urn:ietf:params:scim:schemas:core:2.0:User` and `…:enterprise:2.0:User` dialects), or the resource itself
//! (`id`, `userName`, `meta`, `groups`, `roles`, `password`).
//!
//! Only attributes with a claim mapping are listed, as WSO2's `/Schemas` lists only mapped ones; the set is the
//! one a fresh server maps, minus a few WSO2 maps oddly and no client of the forced reset uses (`addresses`,
//! `photos`, `ims`, `x509Certificates`, `entitlements`, the enterprise `manager`, which WSO2 maps to the `gender`
//! claim). Which URN WSO2's own attributes (the lock claims, `forcePasswordReset`, `oneTimePassword`) live under
//! depends on the release: [`Wso2Attributes`].

use crate::domain::profile::scim::{
    CORE_SCHEMA, CUSTOM_SCHEMA_71, ENTERPRISE_SCHEMA, USER_SCHEMA, WSO2_SCHEMA, Wso2Attributes,
};

/// Every schema URN an attribute path may be qualified with.
pub const KNOWN_URNS: [&str; 6] = [
    USER_SCHEMA,
    ENTERPRISE_SCHEMA,
    WSO2_SCHEMA,
    CUSTOM_SCHEMA_71,
    CORE_SCHEMA,
    super::GROUP_SCHEMA,
];

/// Charon's `SCIMDefinitions.DataType`; `/Schemas` prints the Java names (`STRING`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    String,
    Boolean,
    Integer,
    DateTime,
    Reference,
    Complex,
}

impl Type {
    pub fn java_name(self) -> &'static str {
        match self {
            Type::String => "STRING",
            Type::Boolean => "BOOLEAN",
            Type::Integer => "INTEGER",
            Type::DateTime => "DATE_TIME",
            Type::Reference => "REFERENCE",
            Type::Complex => "COMPLEX",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    ReadWrite,
    ReadOnly,
    WriteOnly,
    Immutable,
}

impl Mutability {
    pub fn java_name(self) -> &'static str {
        match self {
            Mutability::ReadWrite => "READ_WRITE",
            Mutability::ReadOnly => "READ_ONLY",
            Mutability::WriteOnly => "WRITE_ONLY",
            Mutability::Immutable => "IMMUTABLE",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    Always,
    Default,
    Never,
    /// Only when a request names it in `attributes` (`oneTimePassword`).
    Request,
}

impl Returned {
    pub fn java_name(self) -> &'static str {
        match self {
            Returned::Always => "ALWAYS",
            Returned::Default => "DEFAULT",
            Returned::Never => "NEVER",
            Returned::Request => "REQUEST",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uniqueness {
    None,
    Server,
}

impl Uniqueness {
    pub fn java_name(self) -> &'static str {
        match self {
            Uniqueness::None => "NONE",
            Uniqueness::Server => "SERVER",
        }
    }
}

/// Where an attribute's values are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// By the resource itself (the account, its roles, the request): not a claim.
    Resource,
    /// In one claim; a multi-valued simple attribute as the values joined by `,` (the stores'
    /// `MultiAttributeSeparator`).
    Claim(&'static str),
    /// A multi-valued complex attribute whose values are kept per `type` (`emails` of type `work` in
    /// `…/emails.work`), a value without a type in `untyped`: SCIM2 `AttributeMapper#getClaimsMap` builds the
    /// attribute URI `emails.work` from the type, `emails` without one.
    Typed {
        untyped: &'static str,
        typed: &'static [(&'static str, &'static str)],
    },
}

/// One attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attr {
    pub name: &'static str,
    pub ty: Type,
    pub multi: bool,
    pub description: &'static str,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub returned: Returned,
    pub uniqueness: Uniqueness,
    pub keep: Keep,
    pub sub: &'static [Attr],
}

const fn attr(name: &'static str, ty: Type, description: &'static str, keep: Keep) -> Attr {
    Attr {
        name,
        ty,
        multi: false,
        description,
        required: false,
        case_exact: false,
        mutability: Mutability::ReadWrite,
        returned: Returned::Default,
        uniqueness: Uniqueness::None,
        keep,
        sub: &[],
    }
}

const fn claim(name: &'static str, ty: Type, description: &'static str, uri: &'static str) -> Attr {
    attr(name, ty, description, Keep::Claim(uri))
}

impl Attr {
    const fn read_only(self) -> Attr {
        Attr {
            mutability: Mutability::ReadOnly,
            ..self
        }
    }

    const fn request(self) -> Attr {
        Attr {
            returned: Returned::Request,
            ..self
        }
    }

    const fn multi(self) -> Attr {
        Attr { multi: true, ..self }
    }

    const fn with(self, sub: &'static [Attr]) -> Attr {
        Attr { sub, ..self }
    }

    /// Is this attribute a client's to set?
    pub fn writable(&self) -> bool {
        matches!(self.mutability, Mutability::ReadWrite | Mutability::WriteOnly)
    }

    /// A sub-attribute by name (case-insensitive, as SCIM names are).
    pub fn sub_attr(&self, name: &str) -> Option<&'static Attr> {
        self.sub.iter().find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

macro_rules! claim_uri {
    ($name:literal) => {
        concat!("http://wso2.org/claims/", $name)
    };
}

// ---- common and core User attributes ----

/// The attributes every resource has (Charon `SCIMSchemaDefinitions`: `id`, `externalId`, `meta`).
pub const COMMON: &[Attr] = &[
    Attr {
        case_exact: true,
        returned: Returned::Always,
        uniqueness: Uniqueness::Server,
        ..attr(
            "id",
            Type::String,
            "Unique identifier for the SCIM Resource as defined by the Service Provider.",
            Keep::Resource,
        )
        .read_only()
    },
    Attr {
        case_exact: true,
        ..claim(
            "externalId",
            Type::String,
            "A String that is an identifier for the resource as defined by the provisioning client.",
            claim_uri!("externalid"),
        )
    },
    attr(
        "meta",
        Type::Complex,
        "A complex attribute containing resource metadata.",
        Keep::Resource,
    )
    .read_only()
    .with(&[
        attr(
            "resourceType",
            Type::String,
            "The name of the resource type of the resource.",
            Keep::Resource,
        )
        .read_only(),
        attr(
            "created",
            Type::DateTime,
            "The DateTime that the resource was added to the service provider.",
            Keep::Resource,
        )
        .read_only(),
        attr(
            "lastModified",
            Type::DateTime,
            "The most recent DateTime that the details of this resource were updated at the service provider.",
            Keep::Resource,
        )
        .read_only(),
        attr(
            "location",
            Type::Reference,
            "The URI of the resource being returned.",
            Keep::Resource,
        )
        .read_only(),
    ]),
];

const TYPE_SUB: Attr = attr(
    "type",
    Type::String,
    "A label indicating the attribute's function.",
    Keep::Resource,
);
const PRIMARY_SUB: Attr = attr(
    "primary",
    Type::Boolean,
    "A Boolean value indicating the 'primary' or preferred attribute value for this attribute.",
    Keep::Resource,
);

/// The core User schema's attributes.
pub const USER_ATTRS: &[Attr] = &[
    Attr {
        required: true,
        uniqueness: Uniqueness::Server,
        ..attr(
            "userName",
            Type::String,
            "A service provider's unique identifier for the user, typically used by the user to directly \
             authenticate to the service provider.",
            Keep::Resource,
        )
    },
    attr(
        "name",
        Type::Complex,
        "The components of the user's real name.",
        Keep::Resource,
    )
    .with(&[
        claim(
            "familyName",
            Type::String,
            "The family name of the User, or last name in most Western languages.",
            claim_uri!("lastname"),
        ),
        claim(
            "givenName",
            Type::String,
            "The given name of the User, or first name in most Western languages.",
            claim_uri!("givenname"),
        ),
    ]),
    claim(
        "displayName",
        Type::String,
        "The name of the User, suitable for display to end-users.",
        claim_uri!("displayName"),
    ),
    claim(
        "nickName",
        Type::String,
        "The casual way to address the user in real life.",
        claim_uri!("nickname"),
    ),
    claim(
        "profileUrl",
        Type::Reference,
        "A fully qualified URL pointing to a page representing the User's online profile.",
        claim_uri!("url"),
    ),
    claim(
        "title",
        Type::String,
        "The user's title, such as \"Vice President\".",
        claim_uri!("title"),
    ),
    claim(
        "userType",
        Type::String,
        "Used to identify the relationship between the organization and the user.",
        claim_uri!("userType"),
    ),
    claim(
        "preferredLanguage",
        Type::String,
        "Indicates the User's preferred written or spoken language.",
        claim_uri!("preferredLanguage"),
    ),
    claim(
        "locale",
        Type::String,
        "Used to indicate the User's default location for purposes of localizing items.",
        claim_uri!("local"),
    ),
    claim(
        "timezone",
        Type::String,
        "The User's time zone in the 'Olson' time zone database format.",
        claim_uri!("timeZone"),
    ),
    claim(
        "active",
        Type::Boolean,
        "A Boolean value indicating the User's administrative status.",
        claim_uri!("active"),
    ),
    Attr {
        mutability: Mutability::WriteOnly,
        returned: Returned::Never,
        ..attr(
            "password",
            Type::String,
            "The User's cleartext password.",
            Keep::Resource,
        )
    },
    attr(
        "emails",
        Type::Complex,
        "Email addresses for the user.",
        Keep::Typed {
            untyped: claim_uri!("emailaddress"),
            typed: &[
                ("work", claim_uri!("emails.work")),
                ("home", claim_uri!("emails.home")),
                ("other", claim_uri!("emails.other")),
            ],
        },
    )
    .multi()
    .with(&[
        attr("value", Type::String, "Email addresses for the user.", Keep::Resource),
        TYPE_SUB,
        PRIMARY_SUB,
    ]),
    attr(
        "phoneNumbers",
        Type::Complex,
        "Phone numbers for the User.",
        Keep::Typed {
            untyped: claim_uri!("phoneNumbers"),
            typed: &[
                ("mobile", claim_uri!("mobile")),
                ("home", claim_uri!("phoneNumbers.home")),
                ("work", claim_uri!("phoneNumbers.work")),
                ("other", claim_uri!("phoneNumbers.other")),
                ("fax", claim_uri!("phoneNumbers.fax")),
                ("pager", claim_uri!("phoneNumbers.pager")),
            ],
        },
    )
    .multi()
    .with(&[
        attr("value", Type::String, "Phone number of the User.", Keep::Resource),
        TYPE_SUB,
        PRIMARY_SUB,
    ]),
    attr(
        "groups",
        Type::Complex,
        "A list of groups to which the user belongs.",
        Keep::Resource,
    )
    .multi()
    .read_only()
    .with(&[
        attr(
            "value",
            Type::String,
            "The identifier of the User's group.",
            Keep::Resource,
        )
        .read_only(),
        attr(
            "$ref",
            Type::Reference,
            "The URI of the corresponding 'Group' resource.",
            Keep::Resource,
        )
        .read_only(),
        attr("display", Type::String, "A human-readable name.", Keep::Resource).read_only(),
    ]),
    // `roles.default` maps to the role claim, which the store computes from the memberships: read-only here.
    attr("roles", Type::Complex, "A list of roles for the User.", Keep::Resource)
        .multi()
        .read_only()
        .with(&[
            attr("value", Type::String, "The value of a role.", Keep::Resource).read_only(),
            TYPE_SUB,
        ]),
];

// ---- extensions ----

/// RFC 7643's enterprise attributes as WSO2 maps them.
const ENTERPRISE_RFC: [Attr; 5] = [
    claim(
        "employeeNumber",
        Type::String,
        "Numeric or alphanumeric identifier assigned to a person.",
        claim_uri!("extendedExternalId"),
    ),
    claim(
        "costCenter",
        Type::String,
        "Identifies the name of a cost center.",
        claim_uri!("costCenter"),
    ),
    claim(
        "organization",
        Type::String,
        "Identifies the name of an organization.",
        claim_uri!("organization"),
    ),
    claim(
        "division",
        Type::String,
        "Identifies the name of a division.",
        claim_uri!("stateorprovince"),
    ),
    claim(
        "department",
        Type::String,
        "Identifies the name of a department.",
        claim_uri!("department"),
    ),
];

/// The invitation flags every release maps (SCIM2 v1.5.1 config on).
const ASK_PASSWORD: [Attr; 2] = [
    claim(
        "askPassword",
        Type::Boolean,
        "Enable Ask Password",
        claim_uri!("identity/askPassword"),
    ),
    claim(
        "verifyEmail",
        Type::Boolean,
        "Enable verify email",
        claim_uri!("identity/verifyEmail"),
    ),
];

/// WSO2's own attributes (SCIM2 `scim2-schema-extension.config` v1.5.46 on): the account lock, the forced-reset
/// trigger and its offline OTP. `oneTimePassword` and `isReadOnlyUser` are returned only on request.
const WSO2_OWN: [Attr; 16] = [
    claim(
        "accountLocked",
        Type::Boolean,
        "Account Locked",
        claim_uri!("identity/accountLocked"),
    ),
    claim(
        "accountState",
        Type::String,
        "Account State",
        claim_uri!("identity/accountState"),
    )
    .read_only(),
    claim(
        "lockedReason",
        Type::String,
        "Locked Reason",
        claim_uri!("identity/lockedReason"),
    )
    .read_only(),
    claim(
        "failedLoginAttempts",
        Type::Integer,
        "Failed Login Attempts",
        claim_uri!("identity/failedLoginAttempts"),
    ),
    claim(
        "failedLoginLockoutCount",
        Type::Integer,
        "Failed Lockout Count",
        claim_uri!("identity/failedLoginLockoutCount"),
    ),
    claim(
        "failedLoginAttemptsBeforeSuccess",
        Type::Integer,
        "Failed Login Attempts Before Success",
        claim_uri!("identity/failedLoginAttemptsBeforeSuccess"),
    ),
    claim(
        "failedPasswordRecoveryAttempts",
        Type::Integer,
        "Failed Password Recovery Attempts",
        claim_uri!("identity/failedPasswordRecoveryAttempts"),
    ),
    claim(
        "unlockTime",
        Type::String,
        "Unlock Time",
        claim_uri!("identity/unlockTime"),
    ),
    claim(
        "lastPasswordUpdateTime",
        Type::String,
        "Last Password Update Time",
        claim_uri!("identity/lastPasswordUpdateTime"),
    )
    .read_only(),
    claim(
        "lastLoginTime",
        Type::String,
        "Last Login Time",
        claim_uri!("identity/lastLoginTime"),
    )
    .read_only(),
    claim(
        "accountDisabled",
        Type::Boolean,
        "Account Disabled",
        claim_uri!("identity/accountDisabled"),
    ),
    claim(
        "emailVerified",
        Type::Boolean,
        "Email Verified",
        claim_uri!("identity/emailVerified"),
    ),
    claim("country", Type::String, "Country", claim_uri!("country")),
    claim(
        "forcePasswordReset",
        Type::Boolean,
        "Temporary claim to invoke forced password reset feature",
        claim_uri!("identity/adminForcedPasswordReset"),
    ),
    claim(
        "oneTimePassword",
        Type::String,
        "One Time Password",
        claim_uri!("oneTimePassword"),
    )
    .read_only()
    .request(),
    claim(
        "isReadOnlyUser",
        Type::Boolean,
        "Is ReadOnly User",
        claim_uri!("identity/isReadOnlyUser"),
    )
    .read_only()
    .request(),
];

const fn concat<const A: usize, const B: usize, const N: usize>(a: [Attr; A], b: [Attr; B]) -> [Attr; N] {
    let mut out = [a[0]; N];
    let mut i = 0;
    while i < A {
        out[i] = a[i];
        i += 1;
    }
    while i < N {
        out[i] = b[i - A];
        i += 1;
    }
    out
}

const ENTERPRISE_510: [Attr; 7] = concat(ENTERPRISE_RFC, ASK_PASSWORD);
const WSO2_ALL: [Attr; 18] = concat(ASK_PASSWORD, WSO2_OWN);
const ENTERPRISE_511: [Attr; 23] = concat(ENTERPRISE_RFC, WSO2_ALL);
/// 7.1's system schema: + `passwordExpiryTime`, computed on read (GOV `PasswordExpiryEventListener`), read-only
/// and returned only on request (docs-is "password-validation.md": `?attributes=urn:scim:wso2:schema.passwordExpiryTime`).
const SYSTEM_71: [Attr; 19] = concat(
    WSO2_ALL,
    [claim(
        "passwordExpiryTime",
        Type::String,
        "Password Expiry Time",
        claim_uri!("identity/passwordExpiryTime"),
    )
    .read_only()
    .request()],
);

/// A schema: its URN, the names `/Schemas` shows, its attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schema {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub attrs: &'static [Attr],
}

pub const USER: Schema = Schema {
    id: USER_SCHEMA,
    name: "User",
    description: "User Account",
    attrs: USER_ATTRS,
};

/// The common attributes as Charon 4.x lists them in `/Schemas`.
pub const CORE: Schema = Schema {
    id: CORE_SCHEMA,
    name: "Core",
    description: "Core",
    attrs: COMMON,
};

const ENTERPRISE_NAME: &str = "EnterpriseUser";
const ENTERPRISE_DESCRIPTION: &str = "Enterprise User";

/// A resource's attributes: core, common, and (for users, per release) the extensions in the order of the
/// user's `schemas`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Catalogue {
    /// The core schema's URN and attributes (User or Group).
    pub core_urn: &'static str,
    pub core: &'static [Attr],
    pub extensions: &'static [Schema],
}

const CATALOGUE_510: &[Schema] = &[Schema {
    id: ENTERPRISE_SCHEMA,
    name: ENTERPRISE_NAME,
    description: ENTERPRISE_DESCRIPTION,
    attrs: &ENTERPRISE_510,
}];
const CATALOGUE_511: &[Schema] = &[
    Schema {
        id: ENTERPRISE_SCHEMA,
        name: ENTERPRISE_NAME,
        description: ENTERPRISE_DESCRIPTION,
        attrs: &ENTERPRISE_511,
    },
    Schema {
        id: WSO2_SCHEMA,
        name: "CustomUser",
        description: "Custom User",
        attrs: &[],
    },
];
const CATALOGUE_71: &[Schema] = &[
    Schema {
        id: ENTERPRISE_SCHEMA,
        name: ENTERPRISE_NAME,
        description: ENTERPRISE_DESCRIPTION,
        attrs: &ENTERPRISE_RFC,
    },
    Schema {
        id: WSO2_SCHEMA,
        name: "SystemUser",
        description: "System User",
        attrs: &SYSTEM_71,
    },
    Schema {
        id: CUSTOM_SCHEMA_71,
        name: "CustomUser",
        description: "Custom User",
        attrs: &[],
    },
];

/// Where an attribute path leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// The extension URN the attribute lives under, None for core and common attributes (top level).
    pub extension: Option<&'static str>,
    pub attr: &'static Attr,
    pub sub: Option<&'static Attr>,
}

impl Catalogue {
    pub fn of(wso2: Wso2Attributes) -> Catalogue {
        Catalogue {
            core_urn: USER_SCHEMA,
            core: USER_ATTRS,
            extensions: match wso2 {
                Wso2Attributes::EnterpriseAskPasswordOnly => CATALOGUE_510,
                Wso2Attributes::Enterprise => CATALOGUE_511,
                Wso2Attributes::System => CATALOGUE_71,
            },
        }
    }

    /// The Group resource's attributes (no extension in any release).
    pub const fn group() -> Catalogue {
        Catalogue {
            core_urn: super::GROUP_SCHEMA,
            core: GROUP_ATTRS,
            extensions: &[],
        }
    }

    /// An extension by URN (case-insensitive).
    pub fn extension(&self, urn: &str) -> Option<&'static Schema> {
        self.extensions.iter().find(|s| s.id.eq_ignore_ascii_case(urn))
    }

    /// A top-level (core or common) attribute by name.
    pub fn top(&self, name: &str) -> Option<&'static Attr> {
        self.core
            .iter()
            .chain(COMMON)
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// Resolve `[urn:]attr[.sub]`: a core or common attribute, or one of an extension. An unqualified name that
    /// no core attribute has is looked for in the extensions too, as Charon's `AttributeUtil` does.
    pub fn find(&self, urn: Option<&str>, attr: &str, sub: Option<&str>) -> Option<Found> {
        let (extension, found) = match urn {
            Some(u) if u.eq_ignore_ascii_case(self.core_urn) || u.eq_ignore_ascii_case(CORE_SCHEMA) => {
                (None, self.top(attr)?)
            }
            Some(u) => {
                let schema = self.extension(u)?;
                (
                    Some(schema.id),
                    schema.attrs.iter().find(|a| a.name.eq_ignore_ascii_case(attr))?,
                )
            }
            None => match self.top(attr) {
                Some(a) => (None, a),
                None => self.extensions.iter().find_map(|s| {
                    s.attrs
                        .iter()
                        .find(|a| a.name.eq_ignore_ascii_case(attr))
                        .map(|a| (Some(s.id), a))
                })?,
            },
        };
        let sub = match sub {
            None => None,
            Some(name) => Some(found.sub_attr(name).or_else(|| {
                // `emails.work`: a type of a typed attribute, as WSO2's attribute URIs name it.
                match found.keep {
                    Keep::Typed { typed, .. } if typed.iter().any(|(t, _)| t.eq_ignore_ascii_case(name)) => {
                        Some(&TYPE_SUB)
                    }
                    _ => None,
                }
            })?),
        };
        Some(Found {
            extension,
            attr: found,
            sub,
        })
    }

    /// Every claim a client may write through this catalogue's attributes (what a PUT replaces), once each.
    pub fn writable_claims(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let all = self
            .core
            .iter()
            .chain(COMMON)
            .chain(self.extensions.iter().flat_map(|s| s.attrs.iter()));
        for a in all.filter(|a| a.writable()) {
            collect_claims(a, &mut out);
        }
        out.dedup();
        out
    }
}

fn collect_claims(a: &Attr, out: &mut Vec<&'static str>) {
    match a.keep {
        Keep::Claim(uri) => out.push(uri),
        Keep::Typed { untyped, typed } => {
            out.push(untyped);
            out.extend(typed.iter().map(|(_, uri)| *uri));
        }
        Keep::Resource => {}
    }
    for s in a.sub.iter().filter(|s| s.writable()) {
        collect_claims(s, out);
    }
}

/// The Group resource's attributes (Charon `SCIMSchemaDefinitions.SCIMGroupSchemaDefinition`).
pub const GROUP_ATTRS: &[Attr] = &[
    Attr {
        required: true,
        ..attr(
            "displayName",
            Type::String,
            "A human-readable name for the Group.",
            Keep::Resource,
        )
    },
    attr(
        "members",
        Type::Complex,
        "A list of members of the Group.",
        Keep::Resource,
    )
    .multi()
    .with(&[
        Attr {
            mutability: Mutability::Immutable,
            ..attr(
                "value",
                Type::String,
                "Identifier of the member of this Group.",
                Keep::Resource,
            )
        },
        Attr {
            mutability: Mutability::Immutable,
            ..attr(
                "$ref",
                Type::Reference,
                "The URI corresponding to a SCIM resource that is a member of this Group.",
                Keep::Resource,
            )
        },
        attr(
            "display",
            Type::String,
            "A human-readable name for the member.",
            Keep::Resource,
        ),
    ]),
];
