//! Field rows of a saved page: the documented types (`string(20)`, `array[…]`, legacy
//! `string[1,20]`), current and legacy row formats, flattened nested tables and enum values.

use super::page::re;
use regex::Regex;
use std::sync::OnceLock;

/// One documented field.
#[derive(Debug, Clone, PartialEq)]
pub struct PageField {
    pub name: String,
    /// `None` when the page does not say (legacy tables without the 必填 column).
    pub required: Option<bool>,
    pub ty: PageType,
    pub title: Option<String>,
    /// Enum values, when the page lists them (`可选取值` / `枚举值`).
    pub values: Option<Vec<String>>,
    /// Nested fields, when the page shows the nested table (`None`: not shown).
    pub children: Option<Vec<PageField>>,
    /// 1-based line of the page where the field is documented.
    pub line: usize,
    /// Legacy rows: `+` marks an object whose rows follow.
    pub(crate) opens: bool,
    /// Legacy rows: the parameter location column (`path`, `query`, `body`).
    pub(crate) location: Option<String>,
}

/// A documented type: `string(20)`, `integer`, `array[string(128)]`, `object` …
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageType {
    pub base: String,
    pub max_len: Option<u64>,
    pub min_len: Option<u64>,
    pub item: Option<Box<PageType>>,
}

impl PageType {
    /// Parses `string(20)`, `array[string(128)]`, legacy `string[1,20]`; `None` if not a type.
    pub fn parse(s: &str) -> Option<PageType> {
        let s = s.trim();
        if let Some(inner) = s
            .strip_prefix("array[")
            .and_then(|r| r.strip_suffix(']'))
            .or_else(|| s.strip_prefix("array<").and_then(|r| r.strip_suffix('>')))
        {
            return Some(PageType {
                base: "array".into(),
                max_len: None,
                min_len: None,
                item: Some(Box::new(PageType::parse(inner)?)),
            });
        }
        let (base, rest) = match s.find(['(', '[']) {
            Some(i) => (&s[..i], &s[i..]),
            None => (s, ""),
        };
        let base = base.to_ascii_lowercase();
        let known = [
            "string", "integer", "int", "int32", "int64", "uint32", "uint64", "number", "float",
            "double", "boolean", "bool", "object", "array",
        ];
        if !known.contains(&base.as_str()) {
            return None;
        }
        let (mut min_len, mut max_len) = (None, None);
        if let Some(n) = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
            max_len = Some(n.trim().parse().ok()?);
        } else if let Some(n) = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            let (lo, hi) = n.split_once(',')?;
            min_len = Some(lo.trim().parse().ok()?);
            max_len = Some(hi.trim().parse().ok()?);
        } else if !rest.is_empty() {
            return None;
        }
        Some(PageType {
            base: canonical_base(&base).to_string(),
            max_len,
            min_len,
            item: None,
        })
    }

    /// The page's own spelling, for messages.
    pub fn render(&self) -> String {
        match (&self.item, self.max_len) {
            (Some(i), _) => format!("array[{}]", i.render()),
            (None, Some(n)) => format!("{}({n})", self.base),
            (None, None) => self.base.clone(),
        }
    }

    pub fn is_object(&self) -> bool {
        self.base == "object" || self.item.as_ref().is_some_and(|i| i.is_object())
    }
}

fn canonical_base(b: &str) -> &str {
    match b {
        "int" | "int32" | "int64" | "uint32" | "uint64" => "integer",
        "float" | "double" => "number",
        "bool" => "boolean",
        other => other,
    }
}

pub(super) fn row_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"^([A-Za-z_][A-Za-z0-9_\-]*)\s+(必填|选填)\s+(\S+)\s*(.*)$",
    )
}

/// A field row inside a flattened nested table (several per line).
fn nested_row_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)\s+(必填|选填)\s+(\S+)",
    )
}

fn legacy_row_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"^(\+?)(\S+)\s+([A-Za-z_][A-Za-z0-9_]*)\s+((?i:string|integer|int|int32|int64|uint32|uint64|number|float|double|boolean|bool|object|array)(?:\[\d+,\d+\]|\(\d+\)|\[[a-z]+\])?)(?:\s+(是|否))?\s*(?:(path|query|body)[\s:：]*)?(.*)$",
    )
}

/// A value line of an enum list: `NORMAL:固定面额满减券批次`, `• running: 运行中`.
fn value_line_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"^(?:[•·\-\*]\s*)?([A-Za-z0-9_]+)\s*[:：]")
}

/// Further upper-case values glued into the same line (`…生效PENDING: 已发放…`).
fn glued_value_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"(?:^|[^A-Za-z0-9_])([A-Z][A-Z0-9_]*)\s*[:：]\s")
}

pub(super) fn title_of(s: &str) -> Option<String> {
    let s = s.trim();
    let rest = s.strip_prefix('【')?;
    let end = rest.find('】')?;
    Some(rest[..end].trim().to_string())
}

/// Reads one description line of a top-level field: its 【title】 and enum values.
pub(super) fn description_line(f: &mut PageField, line: &str, in_values: &mut bool) {
    if f.title.is_none() {
        if let Some(t) = title_of(line) {
            f.title = Some(t);
        }
    }
    let marker = ["可选取值", "枚举值", "仅支持"]
        .iter()
        .filter_map(|m| line.find(m).map(|i| i + m.len()))
        .min();
    if let Some(end) = marker {
        *in_values = true;
        f.values.get_or_insert_with(Vec::new);
        let rest = line[end..].trim_start_matches([':', '：', ' ']);
        collect_glued(f, rest);
        return;
    }
    if *in_values {
        if value_line_re().is_match(line) {
            if let Some(c) = value_line_re().captures(line) {
                push_value(f, &c[1]);
            }
            collect_glued(f, line);
        } else {
            *in_values = false;
        }
    }
}

fn collect_glued(f: &mut PageField, s: &str) {
    for c in glued_value_re().captures_iter(s) {
        push_value(f, &c[1]);
    }
}

fn push_value(f: &mut PageField, v: &str) {
    if f.ty.base == "boolean" || v.chars().all(|c| c.is_ascii_digit()) {
        return;
    }
    let values = f.values.get_or_insert_with(Vec::new);
    if !values.iter().any(|x| x == v) {
        values.push(v.to_string());
    }
}

/// Splits the flattened lines of a nested table into its field rows (one level deep; deeper
/// tables are not shown by the saved pages, so their fields stay unknown).
pub(super) fn parse_nested(lines: &[(usize, String)]) -> Vec<PageField> {
    let mut out = Vec::new();
    for (lineno, text) in lines {
        let starts: Vec<_> = nested_row_re().captures_iter(text).collect();
        for (k, c) in starts.iter().enumerate() {
            let Some(ty) = PageType::parse(&c[3]) else {
                continue;
            };
            let whole = c.get(0).map(|m| m.end()).unwrap_or(0);
            let end = starts
                .get(k + 1)
                .and_then(|n| n.get(0))
                .map(|m| m.start())
                .unwrap_or(text.len());
            let desc = text.get(whole..end).unwrap_or("");
            out.push(PageField {
                name: c[1].to_string(),
                required: Some(&c[2] == "必填"),
                ty,
                title: title_of(desc),
                values: None,
                children: None,
                line: *lineno,
                opens: false,
                location: None,
            });
        }
    }
    out
}

pub(super) fn legacy_row(line: &str, lineno: usize) -> Option<PageField> {
    let c = legacy_row_re().captures(line)?;
    let ty_text = &c[4];
    // `array[object]`-like spellings in legacy tables read `array`.
    let ty = PageType::parse(ty_text).or_else(|| {
        let lower = ty_text.to_ascii_lowercase();
        lower.strip_prefix("array").map(|_| PageType {
            base: "array".into(),
            max_len: None,
            min_len: None,
            item: None,
        })
    })?;
    let desc = c.get(7).map(|m| m.as_str()).unwrap_or("");
    let mut f = PageField {
        name: c[3].to_string(),
        required: c.get(5).map(|m| m.as_str() == "是"),
        ty,
        title: Some(c[2].trim_start_matches('+').to_string()),
        values: None,
        children: None,
        line: lineno,
        opens: !c[1].is_empty(),
        location: c.get(6).map(|m| m.as_str().to_string()),
    };
    let mut in_values = false;
    description_line(&mut f, desc, &mut in_values);
    if f.title.as_deref() == Some("") {
        f.title = None;
    }
    Some(f)
}
