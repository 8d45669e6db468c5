//! Notifications: event type, envelope and payload types, examples.

use crate::ir::*;
use crate::naming;
use crate::raw::*;

use super::*;

pub(super) fn check_notification(
    ctx: &mut Ctx,
    file: &str,
    path: &str,
    id: &str,
    n: &RawNotification,
) -> Notification {
    if naming::field_name(id) != id {
        ctx.diags.error(
            file,
            path,
            format!("notification id `{id}` must be snake_case"),
        );
    }
    let mut resolve = |key: &str, t: &Option<String>| -> Option<String> {
        let t = t.as_ref()?;
        match ctx.names.get(t) {
            Some(d) if !d.is_enum => Some(t.clone()),
            _ => {
                ctx.diags.error(
                    file,
                    format!("{path}.{key}"),
                    format!("unknown object type `{t}` in family `{}`", ctx.family),
                );
                None
            }
        }
    };
    let envelope = resolve("envelope", &n.envelope);
    let payload = resolve("payload", &n.payload);
    let mut examples = Vec::new();
    for (i, e) in n.examples.iter().enumerate() {
        let epath = format!("{path}.examples[{i}]");
        let part = match e.kind.as_str() {
            "envelope" => NotificationPart::Envelope,
            "payload" => NotificationPart::Payload,
            other => {
                ctx.diags.error(
                    file,
                    format!("{epath}.kind"),
                    format!("unknown example kind `{other}` (expected `envelope` or `payload`)"),
                );
                continue;
            }
        };
        let Some(body) = &e.body else {
            ctx.diags
                .error(file, format!("{epath}.body"), "missing key `body`");
            continue;
        };
        if let Err(err) = serde_json::from_str::<serde_json::Value>(body) {
            ctx.diags.error(
                file,
                format!("{epath}.body"),
                format!("example body is not valid JSON: {err}"),
            );
            continue;
        }
        examples.push(Example::Notification {
            title: e.title.clone(),
            gloss: e.gloss.clone(),
            part,
            body: body.clone(),
            note: e.note.clone(),
        });
    }
    let source = check_source(ctx, file, path, &n.source, &n.sources, &n.checked);
    let event_ok = !n.event_type.is_empty()
        && n.event_type
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '.');
    if !event_ok {
        ctx.diags.error(
            file,
            format!("{path}.event_type"),
            format!(
                "event type `{}` must be upper case with dots and underscores (COUPON.SEND)",
                n.event_type
            ),
        );
    }
    for (key, v) in [
        ("original_type", &n.original_type),
        ("associated_data", &n.associated_data),
    ] {
        if let Some(v) = v {
            check_trimmed(ctx, file, &format!("{path}.{key}"), key, v);
        }
    }
    if n.complete.request.is_some() || n.complete.response.is_some() {
        ctx.diags.error(
            file,
            format!("{path}.complete"),
            "a notification's `complete` takes only `errors` and `examples`",
        );
    }
    Notification {
        id: id.to_string(),
        title: n.title.trim().to_string(),
        summary: n.summary.trim().to_string(),
        description: n.description.clone(),
        event_type: n.event_type.clone(),
        original_type: n.original_type.clone(),
        associated_data: n.associated_data.clone(),
        source,
        complete: completeness(&n.complete),
        envelope,
        payload,
        examples,
        note: clean(&n.note),
        user_note: clean(&n.user_note),
    }
}
