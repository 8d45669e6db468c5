//! Reading a doc page saved as text: the header lines (更新时间, rate limit, method and path),
//! field rows of the request and response tables (nested tables included), examples and errors.

use super::blocks::{numbered_block, read_example, url_path, url_query};
use super::rows::{description_line, legacy_row, parse_nested, row_re, title_of};
pub use super::rows::{PageField, PageType};
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

pub(super) fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("static regex"))
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
