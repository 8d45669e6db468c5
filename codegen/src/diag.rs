//! Diagnostics: every problem found in a spec, with file, YAML path and line:column.
//! Collected, never thrown: a maintainer sees every problem at once. Rendered like rustc's
//! (source snippet, related locations, help) by `annotate-snippets`.

use std::collections::BTreeMap;
use std::fmt;

/// One problem in the spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// Spec file, relative to the spec root (`favor/list_stocks.yaml`).
    pub file: String,
    /// 1-based line and column: of the YAML syntax error, or of the node at `path`.
    pub line_col: Option<(usize, usize)>,
    /// YAML path (`types.StockRule.fields.max_coupons.max`), empty for the whole file.
    pub path: String,
    /// What is wrong, and where useful how to fix it.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some((line, col)) = self.line_col {
            write!(f, ":{line}:{col}")?;
        }
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A second location a diagnostic points at (the first definition of a duplicate).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Related {
    pub file: String,
    pub path: String,
    pub label: String,
}

/// What a diagnostic carries beyond [`Diagnostic`]: related locations and a help line.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Extra {
    pub related: Vec<Related>,
    /// `did you mean …?` and similar advice.
    pub help: Option<String>,
}

/// A collector of diagnostics. Checking code pushes into it and carries on.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    /// Parallel to `items`.
    extras: Vec<Extra>,
}

impl Diagnostics {
    /// Records a problem at `file` / `path`.
    pub fn error(&mut self, file: &str, path: impl Into<String>, message: impl Into<String>) {
        self.push(file, None, path.into(), message.into(), Extra::default());
    }

    /// Records a problem with a help line (`did you mean …?`).
    pub fn error_help(
        &mut self,
        file: &str,
        path: impl Into<String>,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let extra = Extra {
            help,
            ..Extra::default()
        };
        self.push(file, None, path.into(), message.into(), extra);
    }

    /// Records a problem that also points at a second location (`file`, `path`, label).
    pub fn error_related(
        &mut self,
        file: &str,
        path: impl Into<String>,
        message: impl Into<String>,
        related: (&str, &str, &str),
    ) {
        let extra = Extra {
            related: vec![Related {
                file: related.0.to_string(),
                path: related.1.to_string(),
                label: related.2.to_string(),
            }],
            help: None,
        };
        self.push(file, None, path.into(), message.into(), extra);
    }

    /// Records a problem with a source position.
    pub fn error_at(
        &mut self,
        file: &str,
        line_col: Option<(usize, usize)>,
        message: impl Into<String>,
    ) {
        self.push(
            file,
            line_col,
            String::new(),
            message.into(),
            Extra::default(),
        );
    }

    fn push(
        &mut self,
        file: &str,
        line_col: Option<(usize, usize)>,
        path: String,
        message: String,
        extra: Extra,
    ) {
        self.items.push(Diagnostic {
            file: file.to_string(),
            line_col,
            path,
            message,
        });
        self.extras.push(extra);
    }

    /// Whether nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The diagnostics, in the order they were found.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// The diagnostics with their extras, consecutive duplicates removed.
    pub fn into_parts(self) -> Vec<(Diagnostic, Extra)> {
        let mut out: Vec<(Diagnostic, Extra)> = self.items.into_iter().zip(self.extras).collect();
        out.dedup();
        out
    }

    /// `Ok(value)` when nothing was reported, otherwise every diagnostic.
    pub fn into_result<T>(self, value: T) -> Result<T, Vec<Diagnostic>> {
        if self.items.is_empty() {
            Ok(value)
        } else {
            Err(self.items)
        }
    }
}

/// Renders diagnostics one per line, followed by a count (the plain form, without sources).
pub fn render(diags: &[Diagnostic]) -> String {
    let mut s = String::new();
    for d in diags {
        s.push_str("error: ");
        s.push_str(&d.to_string());
        s.push('\n');
    }
    s.push_str(&count(diags.len()));
    s
}

fn count(n: usize) -> String {
    format!("{n} error{} in spec\n", if n == 1 { "" } else { "s" })
}

/// Every diagnostic of a failed check, with what is needed to show it in context.
#[derive(Debug, Default)]
pub struct Report {
    pub diagnostics: Vec<(Diagnostic, Extra)>,
    /// Spec file text by path relative to the spec root.
    pub sources: BTreeMap<String, String>,
    /// Byte spans by (file, YAML path), for snippets.
    pub spans: BTreeMap<(String, String), std::ops::Range<usize>>,
}

impl Report {
    /// The diagnostics alone (line:column filled in).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        self.diagnostics.iter().map(|(d, _)| d.clone()).collect()
    }

    /// Renders every diagnostic like rustc: `error: message`, `--> file:line:col`, the source
    /// line with the offending key underlined, related locations, the YAML path and help.
    /// `prefix` is prepended to file names (`spec/`, so they read relative to the repository).
    pub fn render(&self, prefix: &str) -> String {
        use annotate_snippets::{Level, Renderer, Snippet};
        let renderer = Renderer::plain();
        let mut out = String::new();
        for (d, extra) in &self.diagnostics {
            let origin = format!("{prefix}{}", d.file);
            let path_note = (!d.path.is_empty()).then(|| format!("at `{}`", d.path));
            let title = d.message.clone();
            let mut msg = Level::Error.title(&title);
            let span = self.spans.get(&(d.file.clone(), d.path.clone()));
            let source = self.sources.get(&d.file);
            let span = match (span, d.line_col, source) {
                (Some(s), _, Some(src)) => safe(src, s.clone()),
                (None, Some((line, col)), Some(src)) => {
                    let start = offset_of(src, line, col);
                    let end = src[start..]
                        .chars()
                        .next()
                        .map_or(start, |c| start + c.len_utf8());
                    safe(src, start..end)
                }
                _ => None,
            };
            let related: Vec<(String, String, std::ops::Range<usize>, &str)> = extra
                .related
                .iter()
                .filter_map(|r| {
                    let span = self.spans.get(&(r.file.clone(), r.path.clone()))?;
                    let src = self.sources.get(&r.file)?;
                    Some((
                        format!("{prefix}{}", r.file),
                        src.clone(),
                        safe(src, span.clone())?,
                        r.label.as_str(),
                    ))
                })
                .collect();
            if let (Some(span), Some(src)) = (span, source) {
                let mut snippet = Snippet::source(src)
                    .origin(&origin)
                    .fold(true)
                    .annotation(Level::Error.span(span).label(""));
                // A related location in the same file joins the same snippet.
                for (file, _, rspan, label) in &related {
                    if *file == origin {
                        snippet = snippet.annotation(Level::Info.span(rspan.clone()).label(label));
                    }
                }
                msg = msg.snippet(snippet);
            }
            for (file, src, rspan, label) in &related {
                if *file != origin {
                    msg = msg.snippet(
                        Snippet::source(src)
                            .origin(file)
                            .fold(true)
                            .annotation(Level::Info.span(rspan.clone()).label(label)),
                    );
                }
            }
            let located;
            if source.is_none() || span_missing(&self.spans, d) && d.line_col.is_none() {
                located = format!("in {origin}");
                msg = msg.footer(Level::Note.title(&located));
            }
            if let Some(p) = &path_note {
                msg = msg.footer(Level::Note.title(p));
            }
            if let Some(h) = &extra.help {
                msg = msg.footer(Level::Help.title(h));
            }
            out.push_str(&renderer.render(msg).to_string());
            out.push_str("\n\n");
        }
        out.push_str(&count(self.diagnostics.len()));
        out
    }
}

fn span_missing(
    spans: &BTreeMap<(String, String), std::ops::Range<usize>>,
    d: &Diagnostic,
) -> bool {
    !spans.contains_key(&(d.file.clone(), d.path.clone()))
}

/// A span the renderer can slice: within `src` and on character boundaries.
fn safe(src: &str, r: std::ops::Range<usize>) -> Option<std::ops::Range<usize>> {
    (r.start <= r.end
        && r.end <= src.len()
        && src.is_char_boundary(r.start)
        && src.is_char_boundary(r.end))
    .then_some(r)
}

/// Byte offset of 1-based `line`, `col` (in characters) in `src`, on a character boundary
/// (the end of the line when the column is past it).
fn offset_of(src: &str, line: usize, col: usize) -> usize {
    let mut offset = 0;
    for (i, l) in src.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset
                + l.char_indices()
                    .nth(col.saturating_sub(1))
                    .map(|(b, _)| b)
                    .unwrap_or(l.trim_end_matches('\n').len());
        }
        offset += l.len();
    }
    src.len()
}

/// Edit distance in chars counting an adjacent swap as one edit (optimal string alignment),
/// for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// The candidate closest to `name`, when it is close enough to be a likely typo
/// (distance at most a third of the name's length, and at least 1 allowed).
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    let lower = name.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let d = edit_distance(&lower, &c.to_ascii_lowercase());
            (d, c)
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(edit_distance("maxlen", "max_len"), 1);
        assert_eq!(edit_distance("lable", "label"), 1);
        assert_eq!(
            did_you_mean("maxlen", ["min_len", "max_len", "name"]),
            Some("max_len")
        );
        assert_eq!(did_you_mean("zzz", ["max_len"]), None);
        assert_eq!(
            did_you_mean("StockRul", ["StockRule", "Stock"]),
            Some("StockRule")
        );
    }
}
