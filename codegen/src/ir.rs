//! The IR: a checked, resolved model of the whole API with final Rust names beside wire names
//! and typed constraints. Emitters read only this; it never sees YAML.

use serde::Serialize;
use std::collections::BTreeMap;

/// The whole API.
#[derive(Debug, Clone, Serialize)]
pub struct Api {
    pub families: Vec<Family>,
}

/// One product family: a Rust module and a cargo feature.
#[derive(Debug, Clone, Serialize)]
pub struct Family {
    /// Family id and Rust module name (`favor`).
    pub id: String,
    /// Cargo feature (`product-coupon`).
    pub feature: String,
    /// Rust type name of the family's client handle (`FavorClient`).
    pub client_type: String,
    pub title: String,
    pub summary: String,
    /// Shared types, sorted by Rust name.
    pub types: Vec<TypeDef>,
    /// Operations, sorted by id.
    pub operations: Vec<Operation>,
    /// Notifications, sorted by id.
    pub notifications: Vec<Notification>,
}

/// A named type.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TypeDef {
    Object(ObjectType),
    Enum(EnumType),
}

impl TypeDef {
    pub fn name(&self) -> &str {
        match self {
            TypeDef::Object(o) => &o.name,
            TypeDef::Enum(e) => &e.name,
        }
    }
}

/// Documentation common to types, fields and values.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Doc {
    /// 【title】
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ObjectType {
    pub name: String,
    pub doc: Doc,
    pub fields: Vec<Field>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
    /// Reachable from some request: gets a builder and a validator.
    pub in_request: bool,
    /// Reachable from some response or notification.
    pub in_response: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnumType {
    pub name: String,
    pub doc: Doc,
    pub values: Vec<EnumValue>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnumValue {
    pub wire: String,
    pub rust_name: String,
    pub doc: Doc,
}

/// Where a request field travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    Body,
    Path,
    Query,
}

#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub wire_name: String,
    /// Identifier text without `r#` (`type`); see `naming::ident_text`.
    pub rust_name: String,
    pub location: Location,
    pub required: bool,
    pub schema: Schema,
    pub doc: Doc,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
}

/// A type with its constraints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Schema {
    pub ty: Ty,
    #[serde(skip_serializing_if = "Constraints::is_empty")]
    pub constraints: Constraints,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ty {
    String,
    Integer,
    Number,
    Boolean,
    Object(String),
    Enum(String),
    Array(Box<Schema>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LenUnit {
    Chars,
    Bytes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Rfc3339,
    Uri,
}

/// A class of allowed characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CharClass {
    Digits,
    Letters,
    Upper,
    Lower,
    Han,
    Literal(char),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Constraints {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_len: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_len: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub len_unit: Option<LenUnit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charset: Option<Vec<CharClass>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forbidden_chars: Option<String>,
}

impl Constraints {
    pub fn is_empty(&self) -> bool {
        self.max_len.is_none()
            && self.min_len.is_none()
            && self.min.is_none()
            && self.max.is_none()
            && self.min_items.is_none()
            && self.max_items.is_none()
            && self.format.is_none()
            && self.charset.is_none()
            && self.forbidden_chars.is_none()
    }

    pub fn unit(&self) -> LenUnit {
        self.len_unit.unwrap_or(LenUnit::Chars)
    }
}

/// A path of wire names from an object to a (possibly nested) field.
pub type FieldPath = Vec<String>;

/// A conditional rule over an object's fields.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub kind: RuleKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    RequiredWhen {
        field: FieldPath,
        when: FieldPath,
        equals: Vec<String>,
    },
    ForbiddenUnless {
        field: FieldPath,
        when: FieldPath,
        equals: Vec<String>,
    },
    ExactlyOneOf {
        fields: Vec<FieldPath>,
    },
    AtMostOneOf {
        fields: Vec<FieldPath>,
    },
    NotBeforeNow {
        field: FieldPath,
    },
    MaxDaysAhead {
        field: FieldPath,
        days: u32,
    },
    MaxSpanDays {
        from: FieldPath,
        to: FieldPath,
        days: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Method {
    GET,
    POST,
    PUT,
    PATCH,
    DELETE,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::GET => "GET",
            Method::POST => "POST",
            Method::PUT => "PUT",
            Method::PATCH => "PATCH",
            Method::DELETE => "DELETE",
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Source {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// The spec file this came from (relative to `spec/`).
    pub spec_file: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Idempotency {
    pub keys: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HeaderParam {
    pub name: String,
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ErrorRow {
    pub status: u16,
    pub code: String,
    pub description: String,
    pub solution: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Response {
    pub status: u16,
    /// Rust type of the body; `None` for 204 No Content.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_name: Option<String>,
    pub doc: Doc,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Example {
    Request {
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        path_params: BTreeMap<String, String>,
        /// Decoded query pairs of the example URL, in order.
        #[serde(skip_serializing_if = "Option::is_none")]
        query: Option<Vec<(String, String)>>,
        /// The verbatim query string.
        #[serde(skip_serializing_if = "Option::is_none")]
        query_text: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        body: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    Response {
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        status: u16,
        body: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// A notification body (`envelope`) or decrypted resource (`payload`).
    Notification {
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        part: NotificationPart,
        body: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationPart {
    Envelope,
    Payload,
}

#[derive(Debug, Clone, Serialize)]
pub struct Operation {
    pub id: String,
    /// Rust method name (identifier text).
    pub method_name: String,
    pub title: String,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub source: Source,
    pub merchant_types: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotency: Option<Idempotency>,
    pub method: Method,
    pub path: String,
    pub headers: Vec<HeaderParam>,
    /// The request type (path, query and body fields); in `local_types`.
    pub request_type: String,
    pub response: Response,
    /// Types declared by this operation (its request and inline response), emitted in its file.
    pub local_types: Vec<TypeDef>,
    pub errors: Vec<ErrorRow>,
    pub examples: Vec<Example>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub id: String,
    pub title: String,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub event_type: String,
    pub source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub envelope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    pub examples: Vec<Example>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Family {
    /// Finds a type by Rust name among shared and operation-local types.
    pub fn find_type(&self, name: &str) -> Option<&TypeDef> {
        self.types
            .iter()
            .chain(self.operations.iter().flat_map(|o| o.local_types.iter()))
            .find(|t| t.name() == name)
    }

    pub fn find_object(&self, name: &str) -> Option<&ObjectType> {
        match self.find_type(name) {
            Some(TypeDef::Object(o)) => Some(o),
            _ => None,
        }
    }

    pub fn find_enum(&self, name: &str) -> Option<&EnumType> {
        match self.find_type(name) {
            Some(TypeDef::Enum(e)) => Some(e),
            _ => None,
        }
    }
}
