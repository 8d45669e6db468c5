//! The vocabulary the generated half of the simulator (`generated.rs`) is written in: operation
//! and notification specs, response shapes, and the decoding helpers each generated decoder calls.
// A vocabulary: which parsers, kinds and facts a given spec uses varies (no number field in
// a response today, one tomorrow), so unused items are expected.
#![allow(dead_code)]

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::runtime::validation::Clock;

/// A decoded request: every path, query and body field by wire name, as JSON.
pub(crate) type Params = Map<String, Value>;

/// One operation, as the spec documents it.
#[derive(Debug)]
pub(crate) struct OpSpec {
    /// `family.operation`, e.g. `favor.create_coupon_stock`.
    pub id: &'static str,
    pub family: &'static str,
    pub title: &'static str,
    pub method: &'static str,
    /// Path template with `{name}` placeholders.
    pub path: &'static str,
    /// The documented success status (200, 204).
    pub status: u16,
    /// `family.Type` of the response body (none for 204).
    pub response_type: Option<&'static str>,
    /// The first documented 2xx response example.
    pub response_example: Option<&'static str>,
    /// Wire names of every request field (path, query and body).
    pub request_fields: &'static [&'static str],
    pub idempotency_keys: &'static [&'static str],
    /// The family's documented error rows.
    pub rows: &'static [crate::ErrorRow],
    /// This operation's documented rows, as indexes into `rows`.
    pub errors: &'static [u16],
    /// The documented answer to a reused request number with different parameters.
    pub conflict: crate::ErrorRow,
    /// The documented answer to an unknown id.
    pub not_found: crate::ErrorRow,
    pub pagination: Option<Paging>,
    pub upload: Option<UploadSpec>,
    pub download: Option<DownloadSpec>,
    /// Decodes path, query and body into the generated request type, validates it with the
    /// generated validator and returns its fields as JSON.
    pub decode: fn(&Input<'_>) -> Result<Params, Rejection>,
}

impl OpSpec {
    /// Every documented error row of the operation, in page order.
    pub(crate) fn errors(&self) -> impl Iterator<Item = &'static crate::ErrorRow> + '_ {
        let rows = self.rows;
        self.errors
            .iter()
            .filter_map(move |i| rows.get(usize::from(*i)))
    }
}

/// How a list operation pages.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Paging {
    Offset {
        offset: &'static str,
        by_page: bool,
        limit: &'static str,
        total: Option<&'static str>,
        items: &'static str,
    },
    Token {
        token: &'static str,
        limit: Option<&'static str>,
        next: &'static str,
        items: &'static str,
    },
}

/// A multipart/form-data upload.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UploadSpec {
    pub meta_part: &'static str,
    pub file_part: &'static str,
    pub digest_field: Option<&'static str>,
    pub max_bytes: Option<u64>,
    pub media_types: &'static [&'static str],
}

/// A response linking a flow file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DownloadSpec {
    pub url: &'static str,
    pub hash_value: &'static str,
    pub hash_type: &'static str,
    pub expires_seconds: Option<u32>,
}

/// One callback notification, as the spec documents it.
#[derive(Debug)]
pub(crate) struct NotificationSpec {
    /// `family.notification`, e.g. `favor.coupon_use`.
    pub id: &'static str,
    pub family: &'static str,
    pub title: &'static str,
    pub event_type: &'static str,
    pub original_type: &'static str,
    pub associated_data: &'static str,
    pub summary: &'static str,
    pub payload_type: Option<&'static str>,
    pub payload_example: Option<&'static str>,
}

/// A field of a response or payload type.
#[derive(Debug)]
pub(crate) struct FieldShape {
    pub name: &'static str,
    pub required: bool,
    pub kind: Kind,
    /// The field's documented sample value.
    pub example: Option<&'static str>,
}

/// A field's JSON kind.
#[derive(Debug)]
pub(crate) enum Kind {
    Str(Fmt),
    Int,
    Num,
    Bool,
    /// An open enum: its documented values.
    Enum(&'static [&'static str]),
    /// An object type, by `family.Type`.
    Obj(&'static str),
    Arr(&'static Kind),
}

/// A field without a documented sample.
pub(crate) const fn field(name: &'static str, required: bool, kind: Kind) -> FieldShape {
    FieldShape {
        name,
        required,
        kind,
        example: None,
    }
}

/// A field with its documented sample value.
pub(crate) const fn field_ex(
    name: &'static str,
    required: bool,
    kind: Kind,
    example: &'static str,
) -> FieldShape {
    FieldShape {
        name,
        required,
        kind,
        example: Some(example),
    }
}

/// A documented error row.
pub(crate) const fn row(
    status: u16,
    code: &'static str,
    description: &'static str,
    solution: &'static str,
) -> crate::ErrorRow {
    crate::ErrorRow {
        status,
        code,
        description,
        solution,
    }
}

pub(crate) const STR: Kind = Kind::Str(Fmt::Plain);
pub(crate) const TIME: Kind = Kind::Str(Fmt::Time);
pub(crate) const URL: Kind = Kind::Str(Fmt::Url);
pub(crate) const INT: Kind = Kind::Int;
pub(crate) const NUM: Kind = Kind::Num;
pub(crate) const BOOL: Kind = Kind::Bool;

/// What a string holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fmt {
    Plain,
    Time,
    Url,
}

/// A request refused before any effect: status, documented code, message, detail.
#[derive(Debug, Clone)]
pub(crate) struct Rejection {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub detail: Option<Box<Value>>,
}

impl Rejection {
    pub(crate) fn param(message: impl Into<String>) -> Self {
        Rejection {
            status: 400,
            code: "PARAM_ERROR".into(),
            message: message.into(),
            detail: None,
        }
    }

    /// The answer for a documented error row, with our own message.
    pub(crate) fn row(row: &crate::ErrorRow, message: impl Into<String>) -> Self {
        Rejection {
            status: row.status,
            code: row.code.into(),
            message: message.into(),
            detail: None,
        }
    }

    /// The WeChat Pay error body: `{"code", "message", "detail"?}`.
    pub(crate) fn body(&self) -> Vec<u8> {
        let mut m = Map::new();
        m.insert("code".into(), Value::String(self.code.clone()));
        m.insert("message".into(), Value::String(self.message.clone()));
        if let Some(d) = &self.detail {
            m.insert("detail".into(), (**d).clone());
        }
        serde_json::to_vec(&Value::Object(m)).unwrap_or_default()
    }
}

/// One request as routed: decoded path parameters, query pairs and the JSON body (for an
/// upload: the meta part).
pub(crate) struct Input<'a> {
    pub path_params: &'a [(&'static str, String)],
    pub query: &'a [(String, String)],
    pub body: &'a [u8],
    pub clock: &'a dyn Clock,
}

impl Input<'_> {
    /// The JSON body as the request type (path and query fields left at their defaults).
    pub(crate) fn body<T: DeserializeOwned>(&self) -> Result<T, Rejection> {
        let text: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            self.body
        };
        serde_json::from_slice(text).map_err(|e| Rejection::param(format!("请求体格式错误: {e}")))
    }

    /// The request type of an operation without a body.
    pub(crate) fn no_body<T: DeserializeOwned>(&self) -> Result<T, Rejection> {
        serde_json::from_slice(b"{}").map_err(|e| Rejection::param(e.to_string()))
    }

    pub(crate) fn path<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<T, Rejection> {
        let value = self
            .path_params
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| self.missing(name))?;
        parse(value).map_err(|e| Rejection::param(format!("路径参数 {name} 格式错误: {e}")))
    }

    pub(crate) fn query<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, Rejection> {
        match self.query.iter().find(|(k, _)| k == name) {
            None => Ok(None),
            Some((_, v)) => parse(v)
                .map(Some)
                .map_err(|e| Rejection::param(format!("查询参数 {name} 格式错误: {e}"))),
        }
    }

    pub(crate) fn missing(&self, name: &str) -> Rejection {
        let mut r = Rejection::param(format!("缺少必填参数 {name}"));
        r.detail = Some(Box::new(
            serde_json::json!({"field": name, "issue": "required"}),
        ));
        r
    }

    /// Runs the generated validator (the client's own rules) at the simulator's clock.
    pub(crate) fn validate<T: crate::Validate>(&self, request: &T) -> Result<(), Rejection> {
        request.validate_at(self.clock).map_err(|errors| {
            let v = errors.violations();
            let mut r = Rejection::param(
                v.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            r.detail = v.first().map(|first| {
                Box::new(serde_json::json!({
                    "field": first.path,
                    "issue": first.message,
                    "rule": format!("{:?}", first.rule),
                }))
            });
            r
        })
    }

    /// The body fields of the decoded request, as JSON.
    pub(crate) fn params<T: Serialize>(&self, request: &T) -> Result<Params, Rejection> {
        match serde_json::to_value(request) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(Value::Null) => Ok(Map::new()),
            Ok(_) => Ok(Map::new()),
            Err(e) => Err(Rejection::param(e.to_string())),
        }
    }
}

/// Adds a path or query field to the decoded params (skipping unset ones).
pub(crate) fn put<T: Serialize>(params: &mut Params, name: &str, value: &T) {
    if let Ok(v) = serde_json::to_value(value) {
        if !v.is_null() {
            params.insert(name.to_owned(), v);
        }
    }
}

pub(crate) fn parse_string(s: &str) -> Result<String, String> {
    Ok(s.to_owned())
}

/// A query or path value of an RFC 3339 field, kept verbatim (validation judges it).
pub(crate) fn parse_timestamp(s: &str) -> Result<crate::Timestamp, String> {
    Ok(crate::Timestamp::from(s))
}

pub(crate) fn parse_i64(s: &str) -> Result<i64, String> {
    s.parse().map_err(|_| format!("{s:?} is not an integer"))
}

pub(crate) fn parse_f64(s: &str) -> Result<f64, String> {
    s.parse().map_err(|_| format!("{s:?} is not a number"))
}

pub(crate) fn parse_bool(s: &str) -> Result<bool, String> {
    match s {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("{s:?} is not true or false")),
    }
}

/// An open enum (any value; unknown ones are left to the validator).
pub(crate) fn parse_from<T: for<'s> From<&'s str>>(s: &str) -> Result<T, String> {
    Ok(T::from(s))
}

/// A comma-separated list.
pub(crate) fn parse_list<T>(
    s: &str,
    item: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    s.split(',').filter(|p| !p.is_empty()).map(item).collect()
}

pub(crate) fn parse_json<T: DeserializeOwned>(s: &str) -> Result<T, String> {
    serde_json::from_str(s).map_err(|e| e.to_string())
}
