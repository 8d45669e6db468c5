//! `codegen diff [REV]`: a semantic diff of the checked IR between the spec at a git revision
//! and the working tree, each change classified by what it means for the generated crate's
//! callers (breaking / compatible / docs-only), with the semver bump and a CHANGELOG entry.
//! Loading the old spec from git is in `git`; comparing types in `types`.

pub mod git;
mod types;

use crate::ir::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// What a change means for callers of the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Impact {
    /// Code that compiled or requests that validated before may fail now.
    Breaking,
    /// Additions: new operations, optional fields, enum values, wider constraints.
    Compatible,
    /// Only documentation changes (descriptions, glosses, notes, examples, sources).
    Docs,
}

impl Impact {
    pub fn label(self) -> &'static str {
        match self {
            Impact::Breaking => "breaking",
            Impact::Compatible => "compatible",
            Impact::Docs => "docs-only",
        }
    }
}

/// One semantic change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    pub impact: Impact,
    /// `family.Type.field`, `family.operation`, `family.Enum.VALUE` …
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}: {}",
            self.impact.label(),
            self.path,
            self.message
        )
    }
}

/// The bump a set of changes implies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bump {
    Major,
    Minor,
    Patch,
    None,
}

pub(crate) struct Out {
    changes: Vec<Change>,
}

impl Out {
    pub(crate) fn push(
        &mut self,
        impact: Impact,
        path: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.changes.push(Change {
            impact,
            path: path.into(),
            message: message.into(),
        });
    }
}

/// Every change from `old` to `new`, breaking first.
pub fn diff(old: &Api, new: &Api) -> Vec<Change> {
    let mut out = Out {
        changes: Vec::new(),
    };
    let olds: BTreeMap<&str, &Family> = old.families.iter().map(|f| (f.id.as_str(), f)).collect();
    let news: BTreeMap<&str, &Family> = new.families.iter().map(|f| (f.id.as_str(), f)).collect();
    for (id, o) in &olds {
        match news.get(id) {
            None => out.push(
                Impact::Breaking,
                *id,
                "family removed (its module and feature disappear)",
            ),
            Some(n) => family(&mut out, o, n),
        }
    }
    for id in news.keys() {
        if !olds.contains_key(id) {
            out.push(
                Impact::Compatible,
                *id,
                "new family (module and cargo feature)",
            );
        }
    }
    error_codes(&mut out, old, new);
    out.changes.sort();
    out.changes.dedup();
    out.changes
}

fn family(out: &mut Out, o: &Family, n: &Family) {
    if o.feature != n.feature {
        out.push(
            Impact::Breaking,
            &n.id,
            format!("cargo feature renamed `{}` → `{}`", o.feature, n.feature),
        );
    }
    if o.title != n.title || o.summary != n.summary {
        out.push(Impact::Docs, &n.id, "family title or summary changed");
    }
    types::types(out, o, n);
    let oops: BTreeMap<&str, &Operation> =
        o.operations.iter().map(|x| (x.id.as_str(), x)).collect();
    let nops: BTreeMap<&str, &Operation> =
        n.operations.iter().map(|x| (x.id.as_str(), x)).collect();
    for (id, a) in &oops {
        let path = format!("{}.{id}", n.id);
        match nops.get(id) {
            None => out.push(
                Impact::Breaking,
                path,
                format!("operation removed ({} {})", a.method.as_str(), a.path),
            ),
            Some(b) => operation(out, &path, a, b),
        }
    }
    for (id, b) in &nops {
        if !oops.contains_key(id) {
            out.push(
                Impact::Compatible,
                format!("{}.{id}", n.id),
                format!("new operation ({} {})", b.method.as_str(), b.path),
            );
        }
    }
    let onot: BTreeMap<&str, &Notification> =
        o.notifications.iter().map(|x| (x.id.as_str(), x)).collect();
    let nnot: BTreeMap<&str, &Notification> =
        n.notifications.iter().map(|x| (x.id.as_str(), x)).collect();
    for (id, a) in &onot {
        let path = format!("{}.{id}", n.id);
        match nnot.get(id) {
            None => out.push(
                Impact::Breaking,
                path,
                format!("notification {} removed", a.event_type),
            ),
            Some(b) => {
                if a.event_type != b.event_type
                    || a.payload != b.payload
                    || a.envelope != b.envelope
                {
                    out.push(
                        Impact::Breaking,
                        &path,
                        "notification event type or payload type changed",
                    );
                }
                if a.title != b.title
                    || a.summary != b.summary
                    || a.description != b.description
                    || a.note != b.note
                    || a.user_note != b.user_note
                    || !same_json(&a.examples, &b.examples)
                    || !same_json(&a.source, &b.source)
                {
                    out.push(
                        Impact::Docs,
                        &path,
                        "notification documentation, examples or sources changed",
                    );
                }
            }
        }
    }
    for (id, b) in &nnot {
        if !onot.contains_key(id) {
            out.push(
                Impact::Compatible,
                format!("{}.{id}", n.id),
                format!("new notification {}", b.event_type),
            );
        }
    }
}

pub(crate) fn same_json<T: Serialize>(a: &T, b: &T) -> bool {
    serde_json::to_value(a).ok() == serde_json::to_value(b).ok()
}

fn operation(out: &mut Out, path: &str, a: &Operation, b: &Operation) {
    if a.method != b.method || a.path != b.path {
        out.push(
            Impact::Breaking,
            path,
            format!(
                "endpoint changed {} {} → {} {} (the method now calls another endpoint)",
                a.method.as_str(),
                a.path,
                b.method.as_str(),
                b.path
            ),
        );
    }
    if a.request_type != b.request_type {
        out.push(
            Impact::Breaking,
            path,
            format!(
                "request type renamed `{}` → `{}`",
                a.request_type, b.request_type
            ),
        );
    }
    if a.response.type_name != b.response.type_name || a.response.status != b.response.status {
        out.push(
            Impact::Breaking,
            path,
            format!(
                "response changed {} {} → {} {}",
                a.response.status,
                a.response.type_name.as_deref().unwrap_or("(no body)"),
                b.response.status,
                b.response.type_name.as_deref().unwrap_or("(no body)")
            ),
        );
    }
    kind_change(out, path, "pagination", &a.pagination, &b.pagination);
    kind_change(out, path, "upload", &a.upload, &b.upload);
    kind_change(out, path, "download", &a.download, &b.download);
    if !same_json(&a.idempotency, &b.idempotency) {
        out.push(
            Impact::Compatible,
            path,
            "idempotency keys changed (retry safety changes)",
        );
    }
    let mut docs = Vec::new();
    if a.title != b.title || a.summary != b.summary || a.description != b.description {
        docs.push("title/summary/description");
    }
    if a.note != b.note || a.user_note != b.user_note {
        docs.push("notes");
    }
    if !same_json(&a.source, &b.source) || a.complete != b.complete {
        docs.push("sources");
    }
    if a.rate_limit != b.rate_limit
        || a.latency != b.latency
        || a.merchant_types != b.merchant_types
    {
        docs.push("rate limit/latency/merchant types");
    }
    if !same_json(&a.examples, &b.examples) {
        docs.push("examples");
    }
    if !same_json(&a.headers, &b.headers) {
        docs.push("headers");
    }
    if !same_json(&a.errors, &b.errors) {
        docs.push("error rows");
    }
    if !docs.is_empty() {
        out.push(Impact::Docs, path, format!("{} changed", docs.join(", ")));
    }
}

/// `pagination` / `upload` / `download`: added is compatible (a new helper), removed or
/// changed is breaking (a helper disappears or behaves differently).
fn kind_change<T: Serialize>(out: &mut Out, path: &str, what: &str, a: &Option<T>, b: &Option<T>) {
    match (a, b) {
        (None, None) => {}
        (None, Some(_)) => out.push(
            Impact::Compatible,
            path,
            format!("now {what} (a new generated helper)"),
        ),
        (Some(_), None) => out.push(
            Impact::Breaking,
            path,
            format!("no longer {what} (its generated helper is removed)"),
        ),
        (Some(x), Some(y)) => {
            if !same_json(x, y) {
                out.push(
                    Impact::Breaking,
                    path,
                    format!("{what} changed (its generated helper behaves differently)"),
                );
            }
        }
    }
}

/// `ErrorCode` (crate root) has a variant per documented code: a code no operation documents
/// any more loses its variant.
fn error_codes(out: &mut Out, old: &Api, new: &Api) {
    let codes = |api: &Api| -> std::collections::BTreeSet<String> {
        api.families
            .iter()
            .flat_map(|f| f.operations.iter())
            .flat_map(|o| o.errors.iter().map(|e| e.code.clone()))
            .collect()
    };
    let (a, b) = (codes(old), codes(new));
    for c in a.difference(&b) {
        out.push(
            Impact::Breaking,
            format!("ErrorCode.{c}"),
            "error code no longer documented: its `ErrorCode` variant is removed",
        );
    }
    for c in b.difference(&a) {
        out.push(
            Impact::Compatible,
            format!("ErrorCode.{c}"),
            "new documented error code (new `ErrorCode` variant)",
        );
    }
}

/// The bump the changes imply (for a crate at 1.0 or later).
pub fn bump(changes: &[Change]) -> Bump {
    if changes.iter().any(|c| c.impact == Impact::Breaking) {
        Bump::Major
    } else if changes.iter().any(|c| c.impact == Impact::Compatible) {
        Bump::Minor
    } else if changes.is_empty() {
        Bump::None
    } else {
        Bump::Patch
    }
}

/// The next version after `current` (`0.1.0`) for `bump`; below 1.0 a breaking change bumps
/// the minor number and anything else the patch number, as cargo reads 0.x versions.
pub fn next_version(current: &str, bump: Bump) -> String {
    let parts: Vec<u64> = current
        .split(['.', '-', '+'])
        .take(3)
        .map(|p| p.parse().unwrap_or(0))
        .collect();
    let (ma, mi, pa) = (
        parts.first().copied().unwrap_or(0),
        parts.get(1).copied().unwrap_or(0),
        parts.get(2).copied().unwrap_or(0),
    );
    match (bump, ma) {
        (Bump::None, _) => format!("{ma}.{mi}.{pa}"),
        (Bump::Major, 0) => format!("0.{}.0", mi + 1),
        (Bump::Major, _) => format!("{}.0.0", ma + 1),
        (Bump::Minor, 0) | (Bump::Patch, _) => format!("{ma}.{mi}.{}", pa + 1),
        (Bump::Minor, _) => format!("{ma}.{}.0", mi + 1),
    }
}

/// A ready CHANGELOG entry for `version`.
pub fn changelog(changes: &[Change], version: &str) -> String {
    let mut s = format!("## wechatpay-marketing {version}\n");
    for (impact, heading) in [
        (Impact::Breaking, "Breaking changes"),
        (Impact::Compatible, "Added"),
        (Impact::Docs, "Documentation"),
    ] {
        let items: Vec<&Change> = changes.iter().filter(|c| c.impact == impact).collect();
        if items.is_empty() {
            continue;
        }
        s.push_str(&format!("\n### {heading}\n\n"));
        for c in items {
            s.push_str(&format!("- `{}`: {}\n", c.path, c.message));
        }
    }
    if changes.is_empty() {
        s.push_str("\nNo change to the generated API.\n");
    }
    s
}
