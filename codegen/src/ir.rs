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
    /// English gloss for users (`gloss:`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gloss: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Maintainer-facing remark (sources, conflicts); never rendered for users.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// User-facing plain-English remark (`user_note:`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_note: Option<String>,
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
    /// 暂未开放: the page says the field is not open yet.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_open: bool,
    /// An integer that sources say may also arrive as a string of digits: decoded from
    /// either, sent as a number.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub also_string: bool,
    /// The page marks the field as no longer used; the text says what replaces it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<String>,
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
    /// At most this many 汉字 (a limit separate from `max_len`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_han: Option<u64>,
    /// The value must be an absolute URL with one of these (lowercase) schemes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schemes: Option<Vec<String>>,
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
            && self.max_han.is_none()
            && self.schemes.is_none()
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
    pub gloss: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The condition of `required_when` / `forbidden_unless` on the `when` field.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// The field has one of these values.
    Equals(Vec<String>),
    /// The number field is set and greater than this.
    GreaterThan(i64),
    /// The array field contains one of these values.
    Contains(Vec<String>),
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    RequiredWhen {
        field: FieldPath,
        when: FieldPath,
        cond: Condition,
    },
    ForbiddenUnless {
        field: FieldPath,
        when: FieldPath,
        cond: Condition,
    },
    /// Either all of these fields are set or none is.
    AllOrNone {
        fields: Vec<FieldPath>,
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
    pub page_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retrieved: Option<String>,
    /// Second sources, most trusted first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<SecondSource>,
    /// When the spec was last compared with the page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checked: Option<String>,
    /// The spec file this came from (relative to `spec/`).
    pub spec_file: String,
}

/// The role of a second source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceRole {
    OfficialTwin,
    Legacy,
    Sdk,
    Samples,
    Community,
}

#[derive(Debug, Clone, Serialize)]
pub struct SecondSource {
    pub role: SourceRole,
    /// A URL, or `owner/name:path` of a repository file.
    pub location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retrieved: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Which sections no source showed whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Completeness {
    pub request: bool,
    pub response: bool,
    pub errors: bool,
    pub examples: bool,
}

impl Default for Completeness {
    fn default() -> Self {
        Completeness {
            request: true,
            response: true,
            errors: true,
            examples: true,
        }
    }
}

impl Completeness {
    pub fn is_complete(&self) -> bool {
        self.request && self.response && self.errors && self.examples
    }
}

/// How a paged list is walked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "style", rename_all = "snake_case")]
pub enum Pagination {
    /// `offset`/`limit` request fields; `total` (optional) and `items` response fields.
    Offset {
        offset: String,
        /// True when `offset` counts pages (0, 1, 2…), false when it counts items.
        offset_is_page: bool,
        limit: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        total: Option<String>,
        items: String,
    },
    /// `token`/`limit` request fields; `next` and `items` response fields.
    Token {
        token: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        limit: Option<String>,
        next: String,
        items: String,
    },
}

/// A multipart/form-data upload: the JSON `meta` part (the request's body fields, which the
/// signature covers) and the file part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Upload {
    pub meta_part: String,
    pub file_part: String,
    /// Meta field the crate fills with the file's SHA-256 (hex).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest_field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub media_types: Vec<String>,
}

/// The response links a file the crate can fetch and check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Download {
    pub url: String,
    pub hash_value: String,
    pub hash_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_seconds: Option<u32>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gloss: Option<String>,
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
    pub gloss: Option<String>,
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
        /// English for a Chinese `title` the generic phrases do not cover.
        #[serde(skip_serializing_if = "Option::is_none")]
        gloss: Option<String>,
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
        /// Why the documented example breaks a documented rule (it still round-trips, but is
        /// not used as the Rust example).
        #[serde(skip_serializing_if = "Option::is_none")]
        invalid: Option<String>,
        /// Written for the spec, not taken from the page.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        constructed: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    Response {
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        /// English for a Chinese `title` the generic phrases do not cover.
        #[serde(skip_serializing_if = "Option::is_none")]
        gloss: Option<String>,
        status: u16,
        body: Option<String>,
        /// Written for the spec, not taken from the page.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        constructed: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// A notification body (`envelope`) or decrypted resource (`payload`).
    Notification {
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        /// English for a Chinese `title` the generic phrases do not cover.
        #[serde(skip_serializing_if = "Option::is_none")]
        gloss: Option<String>,
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
    pub complete: Completeness,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload: Option<Upload>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download: Option<Download>,
    pub examples: Vec<Example>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_note: Option<String>,
}

impl Operation {
    /// Safe to send again: a GET, an idempotency key, or a page that declares the call idempotent.
    /// `idempotency:` without keys records a page saying the call itself is idempotent
    /// (接口支持幂等重入: sending the same request again has no second effect).
    pub fn safe_to_retry(&self) -> bool {
        self.method == Method::GET || self.idempotency.is_some()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub id: String,
    pub title: String,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub event_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub associated_data: Option<String>,
    pub source: Source,
    pub complete: Completeness,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub envelope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    pub examples: Vec<Example>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_note: Option<String>,
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
