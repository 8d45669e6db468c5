//! Numbered code blocks of a saved page: de-numbering (`1{ 2 "a" : 1 3}`), the request URL
//! and `-d` body of curl examples, JSON response examples.

use super::page::{ExampleKind, Page, PageExample};

/// Reads a numbered example block (`1curl … 2 …`, `1{ 2 "a" : 1 …`).
pub(super) fn read_example(
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
pub(super) fn numbered_block(lines: &[&str], start: usize) -> (String, usize) {
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

pub(super) fn url_path(url: &str) -> String {
    let after = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let path = after.find('/').map(|i| &after[i..]).unwrap_or("");
    path.split('?').next().unwrap_or(path).to_string()
}

pub(super) fn url_query(url: &str) -> Option<String> {
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
