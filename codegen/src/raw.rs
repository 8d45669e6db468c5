//! The raw spec model: a 1:1 image of the YAML (`deny_unknown_fields` everywhere).
//! Only the loader builds these; the checker turns them into the IR.

use serde::Deserialize;
use std::collections::BTreeMap;

/// `families.yaml` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFamilyMeta {
    pub feature: String,
    pub title: String,
    pub summary: String,
}

/// A scalar value in the spec (enum comparisons, examples).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl Scalar {
    pub fn to_text(&self) -> String {
        match self {
            Scalar::Bool(b) => b.to_string(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Str(s) => s.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawType {
    pub kind: String,
    pub title: Option<String>,
    pub gloss: Option<String>,
    pub description: Option<String>,
    pub note: Option<String>,
    #[serde(default)]
    pub fields: Option<Vec<RawField>>,
    #[serde(default)]
    pub rules: Vec<RawRule>,
    #[serde(default)]
    pub values: Option<Vec<RawEnumValue>>,
    /// Object types of the family with the same wire shape that are different official types
    /// on purpose (`codegen lint` asks for this or a merge).
    #[serde(default)]
    pub distinct_from: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEnumValue {
    pub value: Scalar,
    pub description: Option<String>,
    pub gloss: Option<String>,
    pub note: Option<String>,
    pub rust_name: Option<String>,
}

/// A field, or (without `name`/`required`/`title`) an array item schema.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub ty: Option<String>,
    pub items: Option<Box<RawField>>,
    pub required: Option<bool>,
    pub title: Option<String>,
    pub gloss: Option<String>,
    pub description: Option<String>,
    pub note: Option<String>,
    pub user_note: Option<String>,
    pub rust_name: Option<String>,
    pub example: Option<Scalar>,
    pub max_len: Option<i64>,
    pub min_len: Option<i64>,
    pub len_unit: Option<String>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub min_items: Option<i64>,
    pub max_items: Option<i64>,
    pub format: Option<String>,
    pub charset: Option<Vec<String>>,
    pub forbidden_chars: Option<String>,
    pub max_han: Option<i64>,
    pub schemes: Option<Vec<String>>,
    pub not_open: Option<bool>,
    pub also_string: Option<bool>,
    pub deprecated: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCond {
    pub field: String,
    pub when: String,
    pub equals: Option<Vec<Scalar>>,
    pub greater_than: Option<i64>,
    pub contains: Option<Vec<Scalar>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFieldList {
    pub fields: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFieldRef {
    pub field: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDaysAhead {
    pub field: String,
    pub days: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSpan {
    pub from: String,
    pub to: String,
    pub days: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub required_when: Option<RawCond>,
    pub forbidden_unless: Option<RawCond>,
    pub exactly_one_of: Option<RawFieldList>,
    pub at_most_one_of: Option<RawFieldList>,
    pub not_before_now: Option<RawFieldRef>,
    pub max_days_ahead: Option<RawDaysAhead>,
    pub max_span_days: Option<RawSpan>,
    pub all_or_none: Option<RawFieldList>,
    pub description: Option<String>,
    pub gloss: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub seed: Option<String>,
    pub url: Option<String>,
    pub page_id: Option<String>,
    pub updated: Option<String>,
    pub retrieved: Option<String>,
}

/// A second source of an operation or notification (`sources:`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSecondSource {
    pub role: String,
    pub url: Option<String>,
    pub repo: Option<String>,
    pub path: Option<String>,
    pub updated: Option<String>,
    pub retrieved: Option<String>,
    pub note: Option<String>,
}

/// Which sections of a page were read whole (`complete:`); absent keys mean complete.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawComplete {
    pub request: Option<bool>,
    pub response: Option<bool>,
    pub errors: Option<bool>,
    pub examples: Option<bool>,
}

/// `pagination:` of a paged list operation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPagination {
    pub style: String,
    pub offset: Option<String>,
    pub offset_unit: Option<String>,
    pub limit: Option<String>,
    pub total: Option<String>,
    pub items: String,
    pub token: Option<String>,
    pub next: Option<String>,
}

/// `upload:` of a multipart upload operation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUpload {
    pub meta_part: String,
    pub file_part: String,
    pub digest_field: Option<String>,
    pub max_bytes: Option<i64>,
    #[serde(default)]
    pub media_types: Vec<String>,
}

/// `download:` of an operation whose response links a file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDownload {
    pub url: String,
    pub hash_value: String,
    pub hash_type: String,
    pub expires_seconds: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIdempotency {
    #[serde(default)]
    pub keys: Vec<String>,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRequest {
    pub name: Option<String>,
    #[serde(default)]
    pub headers: Vec<RawField>,
    #[serde(default)]
    pub path_params: Vec<RawField>,
    #[serde(default)]
    pub query: Vec<RawField>,
    #[serde(default)]
    pub body: Vec<RawField>,
    #[serde(default)]
    pub rules: Vec<RawRule>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResponse {
    pub status: i64,
    pub name: Option<String>,
    pub fields: Option<Vec<RawField>>,
    #[serde(rename = "type")]
    pub ty: Option<String>,
    pub description: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawErrorRow {
    pub status: i64,
    pub code: String,
    pub description: String,
    pub solution: String,
    pub group: Option<String>,
    pub gloss: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExample {
    pub kind: String,
    pub title: Option<String>,
    pub gloss: Option<String>,
    pub status: Option<i64>,
    pub path_params: Option<BTreeMap<String, Scalar>>,
    pub query: Option<String>,
    pub body: Option<String>,
    pub invalid: Option<String>,
    pub constructed: Option<bool>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOperation {
    pub title: String,
    pub summary: String,
    pub description: Option<String>,
    pub source: RawSource,
    #[serde(default)]
    pub sources: Vec<RawSecondSource>,
    pub checked: Option<String>,
    #[serde(default)]
    pub complete: RawComplete,
    #[serde(default)]
    pub merchant_types: Vec<String>,
    pub rate_limit: Option<String>,
    pub latency: Option<String>,
    pub idempotency: Option<RawIdempotency>,
    pub method: String,
    pub path: String,
    pub request: Option<RawRequest>,
    pub response: RawResponse,
    #[serde(default)]
    pub errors: Vec<RawErrorRow>,
    pub pagination: Option<RawPagination>,
    pub upload: Option<RawUpload>,
    pub download: Option<RawDownload>,
    #[serde(default)]
    pub examples: Vec<RawExample>,
    pub note: Option<String>,
    pub user_note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNotification {
    pub title: String,
    pub summary: String,
    pub description: Option<String>,
    pub event_type: String,
    pub original_type: Option<String>,
    pub associated_data: Option<String>,
    pub source: RawSource,
    #[serde(default)]
    pub sources: Vec<RawSecondSource>,
    pub checked: Option<String>,
    #[serde(default)]
    pub complete: RawComplete,
    pub envelope: Option<String>,
    pub payload: Option<String>,
    #[serde(default)]
    pub examples: Vec<RawExample>,
    pub note: Option<String>,
    pub user_note: Option<String>,
}

/// One spec file after loading: entries keep their YAML order and their own YAML paths.
#[derive(Debug, Default)]
pub struct RawFile {
    /// Path relative to the spec root.
    pub file: String,
    pub family: Option<String>,
    pub types: Vec<(String, RawType)>,
    pub operations: Vec<(String, RawOperation)>,
    pub notifications: Vec<(String, RawNotification)>,
}

/// The whole spec as loaded.
#[derive(Debug, Default)]
pub struct RawSpec {
    pub families: Vec<(String, RawFamilyMeta)>,
    pub families_file: String,
    pub files: Vec<RawFile>,
}
