//! Reading a doc page saved as text: the header lines (更新时间, rate limit, method and path),
//! field rows of the request and response tables (nested tables included), examples and errors.

use regex::Regex;
use std::sync::OnceLock;

/// Everything `audit` compares, as the page states it.
#[derive(Debug, Default, Clone)]
pub struct Page {
    pub title: Option<String>,
    /// 更新时间 as `YYYY-MM-DD`.
    pub updated: Option<String>,
    pub rate_limit: Option<String>,
    pub latency: Option<String>,
    pub merchant_types: Vec<String>,
    pub method: Option<String>,
    pub path: Option<String>,
    /// The page has a request-parameter section (so a missing field is a removal).
    pub request_shown: bool,
    pub headers: Vec<PageField>,
    pub path_params: Vec<PageField>,
    pub query: Vec<PageField>,
    pub body: Vec<PageField>,
    pub response_shown: bool,
    pub response_status: Option<u16>,
    pub response: Vec<PageField>,
    pub examples: Vec<PageExample>,
    pub errors: Vec<PageError>,
    /// The page uses the legacy `参数名 变量 类型[长度限制] 必填 描述` tables.
    pub legacy: bool,
}

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

/// A request or response example.
#[derive(Debug, Clone, PartialEq)]
pub struct PageExample {
    pub kind: ExampleKind,
    pub title: Option<String>,
    pub status: Option<u16>,
    /// The request URL's path (with concrete path parameter values).
    pub url_path: Option<String>,
    /// The request URL's query string.
    pub query: Option<String>,
    /// The JSON body, de-numbered.
    pub body: Option<String>,
    pub line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExampleKind {
    Request,
    Response,
}

/// One row of the error table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageError {
    pub status: u16,
    pub code: String,
    pub description: String,
    pub solution: String,
    pub line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Intro,
    Headers,
    Path,
    Query,
    Body,
    /// Legacy request table (location per row).
    LegacyRequest,
    RequestExamples,
    Response,
    ResponseExamples,
    Errors,
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("static regex"))
}

fn row_re() -> &'static Regex {
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

fn error_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"^\|?\s*(\d{3})\s*\|\s*([A-Z][A-Z0-9_]*)\s*\|\s*(.*?)\s*\|\s*(.*?)\s*\|?\s*$",
    )
}

fn legacy_error_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"^(\d{3})\s+([A-Z][A-Z0-9_]*)\s+(\S+)\s*(.*)$")
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

/// Normalises whitespace: trims and collapses runs of spaces.
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `2024.10.31` / `2024-10-31` / `2024年10月31日` → `2024-10-31`.
fn date_in(s: &str) -> Option<String> {
    static R: OnceLock<Regex> = OnceLock::new();
    let r = re(&R, r"(\d{4})[.\-/年](\d{1,2})[.\-/月](\d{1,2})");
    let c = r.captures(s)?;
    Some(format!(
        "{}-{:02}-{:02}",
        &c[1],
        c[2].parse::<u32>().ok()?,
        c[3].parse::<u32>().ok()?
    ))
}

fn after_label<'a>(line: &'a str, labels: &[&str]) -> Option<&'a str> {
    for l in labels {
        if let Some(rest) = line.strip_prefix(l) {
            let rest = rest.trim_start();
            if let Some(v) = rest.strip_prefix(':').or_else(|| rest.strip_prefix('：')) {
                return Some(v.trim());
            }
        }
    }
    None
}

/// Parses a saved page.
pub fn parse(text: &str) -> Page {
    let mut p = Page::default();
    let lines: Vec<&str> = text.lines().collect();
    let mut section = Section::Intro;
    // The field whose description lines are being read: (section, index path).
    let mut current: Option<(Section, usize)> = None;
    let mut in_values = false;
    let mut nested: Option<Vec<(usize, String)>> = None;
    let mut example_title: Option<String> = None;
    let mut example_status: Option<u16> = None;
    let mut skip_to = 0;
    for (i, raw) in lines.iter().enumerate() {
        if i < skip_to {
            continue;
        }
        let lineno = i + 1;
        let line = raw.trim();
        if p.title.is_none() && !line.is_empty() {
            p.title = Some(line.to_string());
            continue;
        }
        // A nested table in progress collects lines up to the closing `|`.
        if let Some(buf) = nested.as_mut() {
            let closes = line.ends_with('|');
            let content = line.trim_end_matches('|').trim();
            if !content.is_empty() {
                buf.push((lineno, content.to_string()));
            }
            if closes || line.is_empty() {
                let buf = nested.take().unwrap_or_default();
                if let Some((sec, idx)) = current {
                    if let Some(f) = fields_mut(&mut p, sec).get_mut(idx) {
                        f.children = Some(parse_nested(&buf));
                    }
                }
                current = None;
            }
            continue;
        }
        // Code samples (Java, Go) sit on single long lines between the examples and the
        // response table; they are not compared.
        if line.is_empty()
            || line.starts_with("需配合微信支付工具库")
            || line.starts_with("1package")
            || line.starts_with("1import")
        {
            continue;
        }
        // Header lines, anywhere before the tables.
        if let Some(rest) = line
            .strip_prefix("更新时间")
            .or_else(|| line.strip_prefix("最新更新时间"))
        {
            if p.updated.is_none() {
                p.updated = date_in(rest);
            }
            continue;
        }
        if let Some(v) = after_label(line, &["接口频率", "频率限制", "接口限频", "调用频率"])
        {
            p.rate_limit.get_or_insert_with(|| squash(v));
            continue;
        }
        if let Some(v) = after_label(line, &["接口耗时"]) {
            p.latency.get_or_insert_with(|| squash(v));
            continue;
        }
        if let Some(v) = after_label(line, &["支持商户", "适用对象"]) {
            let types: Vec<String> = if v.contains('【') {
                v.split('【')
                    .filter_map(|s| s.split('】').next())
                    .map(squash)
                    .filter(|s| !s.is_empty())
                    .collect()
            } else {
                vec![squash(v)]
            };
            p.merchant_types.extend(types);
            continue;
        }
        if let Some(v) = after_label(line, &["请求方式"]) {
            // Modern: 【POST】/v3/…; legacy: `POST` with the URL on 请求URL.
            let v = v.replace(['【', '】'], " ");
            let mut parts = v.split_whitespace();
            if let Some(m) = parts.next() {
                p.method = Some(m.to_ascii_uppercase());
            }
            if let Some(path) = parts.next() {
                p.path = Some(path.to_string());
            }
            continue;
        }
        if let Some(v) = after_label(line, &["请求URL", "请求地址"]) {
            let path = v
                .split_once("://")
                .map(|(_, r)| r.find('/').map(|i| &r[i..]).unwrap_or(""))
                .unwrap_or(v);
            p.path = Some(path.split('?').next().unwrap_or(path).to_string());
            continue;
        }
        // Sections.
        let new_section = match line {
            "请求参数" => {
                p.request_shown = true;
                Some(Section::Body)
            }
            "请求示例" => Some(Section::RequestExamples),
            "应答参数" | "返回参数" => {
                p.response_shown = true;
                Some(Section::Response)
            }
            "应答示例" | "返回示例" => Some(Section::ResponseExamples),
            "错误码" => Some(Section::Errors),
            _ if line.starts_with("Header") && line.contains("头参数") => Some(Section::Headers),
            _ if line.starts_with("path") && line.contains("路径参数") => Some(Section::Path),
            _ if line.starts_with("query") && line.contains("查询参数") => Some(Section::Query),
            _ if line.starts_with("body") && line.contains("包体参数") => Some(Section::Body),
            _ => None,
        };
        if let Some(s) = new_section {
            section = s;
            current = None;
            in_values = false;
            example_title = None;
            example_status = None;
            continue;
        }
        if line.starts_with("参数名") && line.contains("变量") {
            p.legacy = true;
            if section == Section::Body {
                section = Section::LegacyRequest;
            }
            // In a legacy table a repeated header introduces the rows of the last `+` object.
            continue;
        }
        match section {
            Section::Intro => {}
            Section::Headers
            | Section::Path
            | Section::Query
            | Section::Body
            | Section::Response
            | Section::LegacyRequest => {
                if section == Section::Response && current.is_none() {
                    if let Some(status) = status_line(line) {
                        p.response_status = Some(status);
                        continue;
                    }
                }
                if is_nested_header(line) {
                    nested = Some(Vec::new());
                    continue;
                }
                if line == "|" {
                    continue;
                }
                if p.legacy {
                    if let Some(f) = legacy_row(line, lineno) {
                        let sec = match (section, f.location.as_deref()) {
                            (Section::Response, _) => Section::Response,
                            (_, Some("path")) => Section::Path,
                            (_, Some("query")) => Section::Query,
                            _ => Section::Body,
                        };
                        fields_mut(&mut p, sec).push(f);
                        current = Some((sec, fields_mut(&mut p, sec).len() - 1));
                        in_values = false;
                        continue;
                    }
                }
                if let Some(c) = row_re().captures(line) {
                    if let Some(ty) = PageType::parse(&c[3]) {
                        let f = PageField {
                            name: c[1].to_string(),
                            required: Some(&c[2] == "必填"),
                            ty,
                            title: title_of(&c[4]),
                            values: None,
                            children: None,
                            line: lineno,
                            opens: false,
                            location: None,
                        };
                        let sec = if section == Section::LegacyRequest {
                            Section::Body
                        } else {
                            section
                        };
                        fields_mut(&mut p, sec).push(f);
                        current = Some((sec, fields_mut(&mut p, sec).len() - 1));
                        in_values = false;
                        continue;
                    }
                }
                // A description line of the current field.
                if let Some((sec, idx)) = current {
                    if let Some(f) = fields_mut(&mut p, sec).get_mut(idx) {
                        description_line(f, line, &mut in_values);
                    }
                }
            }
            Section::RequestExamples | Section::ResponseExamples => {
                let kind = if section == Section::RequestExamples {
                    ExampleKind::Request
                } else {
                    ExampleKind::Response
                };
                if let Some(s) = status_line(line) {
                    example_status = Some(s);
                    continue;
                }
                if [
                    "GET", "POST", "PUT", "PATCH", "DELETE", "curl", "Java", "Go",
                ]
                .contains(&line)
                {
                    continue;
                }
                if line.starts_with("1curl") || line.starts_with("1{") || line.starts_with("1[") {
                    // A block numbered line by line (`1curl …`, `2  https://…`) or on one line.
                    let (block, next) = numbered_block(&lines, i);
                    skip_to = next;
                    read_example(
                        &mut p,
                        kind,
                        &block,
                        lineno,
                        &mut example_title,
                        example_status,
                    );
                } else if line.starts_with("https://") || line.starts_with("http://") {
                    p.examples.push(PageExample {
                        kind,
                        title: example_title.take(),
                        status: None,
                        url_path: Some(url_path(line)),
                        query: url_query(line),
                        body: None,
                        line: lineno,
                    });
                } else if !line.starts_with('1') {
                    example_title = Some(line.to_string());
                }
            }
            Section::Errors => {
                if let Some(c) = error_re().captures(line) {
                    if let Ok(status) = c[1].parse() {
                        p.errors.push(PageError {
                            status,
                            code: c[2].to_string(),
                            description: squash(&c[3]),
                            solution: squash(&c[4]),
                            line: lineno,
                        });
                    }
                } else if let Some(c) = legacy_error_re().captures(line) {
                    if let Ok(status) = c[1].parse() {
                        p.errors.push(PageError {
                            status,
                            code: c[2].to_string(),
                            description: squash(&c[3]),
                            solution: squash(&c[4]),
                            line: lineno,
                        });
                    }
                }
            }
        }
    }
    p
}

fn is_nested_header(line: &str) -> bool {
    let l = line.trim_start_matches('|').trim_start();
    l.starts_with("属性") && (line.contains('|') || l == "属性")
}

fn status_line(line: &str) -> Option<u16> {
    let (code, rest) = line.split_once(' ')?;
    if code.len() == 3 && rest.chars().all(|c| c.is_ascii_alphabetic() || c == ' ') {
        return code.parse().ok();
    }
    None
}

fn fields_mut(p: &mut Page, s: Section) -> &mut Vec<PageField> {
    match s {
        Section::Headers => &mut p.headers,
        Section::Path => &mut p.path_params,
        Section::Query => &mut p.query,
        Section::Response => &mut p.response,
        _ => &mut p.body,
    }
}

fn title_of(s: &str) -> Option<String> {
    let s = s.trim();
    let rest = s.strip_prefix('【')?;
    let end = rest.find('】')?;
    Some(rest[..end].trim().to_string())
}

/// Reads one description line of a top-level field: its 【title】 and enum values.
fn description_line(f: &mut PageField, line: &str, in_values: &mut bool) {
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
fn parse_nested(lines: &[(usize, String)]) -> Vec<PageField> {
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

fn legacy_row(line: &str, lineno: usize) -> Option<PageField> {
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

/// Reads a numbered example block (`1curl … 2 …`, `1{ 2 "a" : 1 …`).
fn read_example(
    p: &mut Page,
    kind: ExampleKind,
    line: &str,
    lineno: usize,
    title: &mut Option<String>,
    status: Option<u16>,
) {
    let text = denumber(line);
    let (kind, url, body) = if text.trim_start().starts_with("curl") {
        let url = text
            .split_whitespace()
            .find(|w| w.starts_with("https://") || w.starts_with("http://"))
            .map(str::to_string);
        let body = text.find("-d '").and_then(|i| {
            let rest = &text[i + 4..];
            rest.rfind('\'').map(|j| rest[..j].to_string())
        });
        (ExampleKind::Request, url, body)
    } else {
        (kind, None, Some(text.clone()))
    };
    p.examples.push(PageExample {
        kind,
        title: title.take(),
        status: if kind == ExampleKind::Response {
            status
        } else {
            None
        },
        url_path: url.as_deref().map(url_path),
        query: url.as_deref().and_then(url_query),
        body,
        line: lineno,
    });
}

/// Joins a code block whose lines each start with their number (`1curl …`, `2  https://…`)
/// into the one-line form `denumber` reads; returns it and the index after the block.
fn numbered_block(lines: &[&str], start: usize) -> (String, usize) {
    let mut text = lines[start].trim().to_string();
    let mut n = 2;
    let mut i = start + 1;
    while let Some(l) = lines.get(i) {
        let t = l.trim_start();
        let num = n.to_string();
        let follows = t
            .strip_prefix(num.as_str())
            .is_some_and(|r| !r.starts_with(|c: char| c.is_ascii_digit()));
        if !follows {
            break;
        }
        text.push(' ');
        text.push_str(t);
        n += 1;
        i += 1;
    }
    (text, i)
}

fn url_path(url: &str) -> String {
    let after = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let path = after.find('/').map(|i| &after[i..]).unwrap_or("");
    path.split('?').next().unwrap_or(path).to_string()
}

fn url_query(url: &str) -> Option<String> {
    url.split_once('?').map(|(_, q)| q.trim().to_string())
}

/// Removes the line numbers a saved page puts in front of each line of a code block
/// (`1{ 2 "a" : 1 3}` → `{\n"a" : 1\n}`): finds the markers 2, 3, … in order, each preceded by
/// whitespace and followed by whitespace, a quote, a bracket or a letter.
pub fn denumber(text: &str) -> String {
    let text = text.trim();
    let Some(mut rest) = text.strip_prefix('1') else {
        return text.to_string();
    };
    let mut lines = Vec::new();
    let mut n = 2u32;
    loop {
        match find_marker(rest, n) {
            Some((start, end)) => {
                lines.push(rest[..start].trim().to_string());
                rest = &rest[end..];
                n += 1;
            }
            None => {
                lines.push(rest.trim().to_string());
                break;
            }
        }
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

fn find_marker(s: &str, n: u32) -> Option<(usize, usize)> {
    let marker = n.to_string();
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(off) = s[from..].find(&marker) {
        let start = from + off;
        let end = start + marker.len();
        let before_ok = start == 0 || bytes[start - 1].is_ascii_whitespace();
        let after_ok = match s[end..].chars().next() {
            None => true,
            Some(c) => c.is_whitespace() || "\"'{}[]@/-(<".contains(c) || c.is_ascii_alphabetic(),
        };
        if before_ok && after_ok {
            return Some((start, end));
        }
        from = end;
    }
    None
}
