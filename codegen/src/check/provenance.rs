//! Provenance: the primary source of an operation or notification, its second sources (role,
//! location, dates), the `checked` date, and which sections were read whole (`complete:`).

use super::*;

/// Builds the IR source from `source:`, `sources:` and `checked:` at `path` (the entry).
pub(super) fn check_source(
    ctx: &mut Ctx,
    file: &str,
    path: &str,
    src: &RawSource,
    also: &[RawSecondSource],
    checked: &Option<String>,
) -> Source {
    let updated = check_date(ctx, file, &format!("{path}.source.updated"), &src.updated);
    let retrieved = check_date(
        ctx,
        file,
        &format!("{path}.source.retrieved"),
        &src.retrieved,
    );
    if let Some(id) = &src.page_id {
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
            ctx.diags.error(
                file,
                format!("{path}.source.page_id"),
                format!("page id `{id}` must be the digits of the doc centre's page (…/doc/v3/partner/4016434630)"),
            );
        }
    }
    let mut out = Vec::new();
    for (i, s) in also.iter().enumerate() {
        let spath = format!("{path}.sources[{i}]");
        let role = match s.role.as_str() {
            "official_twin" => Some(SourceRole::OfficialTwin),
            "legacy" => Some(SourceRole::Legacy),
            "sdk" => Some(SourceRole::Sdk),
            "samples" => Some(SourceRole::Samples),
            "community" => Some(SourceRole::Community),
            other => {
                ctx.diags.error(
                    file,
                    format!("{spath}.role"),
                    format!("unknown source role `{other}` (expected official_twin, legacy, sdk, samples or community)"),
                );
                None
            }
        };
        let location = match (&s.url, &s.repo, &s.path) {
            (Some(u), None, None) => Some(u.clone()),
            (None, Some(r), Some(p)) => Some(format!("{r}:{p}")),
            (None, Some(r), None) => Some(r.clone()),
            _ => {
                ctx.diags.error(
                    file,
                    &spath,
                    "a source needs either `url` or `repo` (with an optional `path`)",
                );
                None
            }
        };
        let updated = check_date(ctx, file, &format!("{spath}.updated"), &s.updated);
        let retrieved = check_date(ctx, file, &format!("{spath}.retrieved"), &s.retrieved);
        if let (Some(role), Some(location)) = (role, location) {
            out.push(SecondSource {
                role,
                location,
                updated,
                retrieved,
                note: clean(&s.note),
            });
        }
    }
    Source {
        seed: src.seed.clone(),
        url: src.url.clone(),
        page_id: src.page_id.clone(),
        updated,
        retrieved,
        also: out,
        checked: check_date(ctx, file, &format!("{path}.checked"), checked),
        spec_file: file.to_string(),
    }
}

/// `complete:` → which sections were read whole (absent keys: complete).
pub(super) fn completeness(c: &RawComplete) -> Completeness {
    Completeness {
        request: c.request.unwrap_or(true),
        response: c.response.unwrap_or(true),
        errors: c.errors.unwrap_or(true),
        examples: c.examples.unwrap_or(true),
    }
}
