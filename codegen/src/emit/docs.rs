//! Documentation text derived from the IR: rustdoc strings for types, fields and operations,
//! and the human-readable constraint and rule summaries shared by rustdoc, Markdown and OpenAPI.

use crate::ir::*;

/// Escapes spec text for Markdown (rustdoc): brackets, angle brackets, emphasis markers and
/// backticks are escaped; bare URLs become autolinks; line breaks are kept as hard breaks.
pub fn md(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.trim().lines().enumerate() {
        if i > 0 {
            out.push_str("\\\n");
        }
        out.push_str(&md_line(line.trim_end()));
    }
    out
}

fn md_line(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(pos) = find_url(rest) {
        out.push_str(&escape(&rest[..pos]));
        let url_len = rest[pos..]
            .find(|c: char| {
                c.is_whitespace()
                    || !c.is_ascii()
                    || matches!(c, ',' | ')' | '\'' | '"' | '<' | '>')
            })
            .unwrap_or(rest.len() - pos);
        out.push('<');
        out.push_str(&rest[pos..pos + url_len]);
        out.push('>');
        rest = &rest[pos + url_len..];
    }
    out.push_str(&escape(rest));
    out
}

fn find_url(s: &str) -> Option<usize> {
    match (s.find("https://"), s.find("http://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '[' | ']' | '<' | '>' | '*' | '_' | '`' | '#' | '|' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Inline code span for a wire value.
pub fn code(s: &str) -> String {
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

/// Human-readable constraint list of a schema (`at most 20 characters`, `1 ..= 10`, …).
pub fn constraint_list(schema: &Schema, family: &Family) -> Vec<String> {
    let mut out = own_constraint_list(&schema.constraints);
    if let Ty::Enum(name) = &schema.ty {
        if let Some(e) = family.find_enum(name) {
            let vals: Vec<String> = e.values.iter().map(|v| code(&v.wire)).collect();
            out.push(format!("one of {}", vals.join(", ")));
        }
    }
    if let Ty::Array(item) = &schema.ty {
        let inner = constraint_list(item, family);
        if !inner.is_empty() {
            out.push(format!("each item: {}", inner.join("; ")));
        }
    }
    out
}

/// The field's own constraints (lengths, ranges, item counts, format, character rules),
/// without the enum values or item constraints its type brings.
pub fn own_constraint_list(c: &Constraints) -> Vec<String> {
    let mut out = Vec::new();
    let unit = match c.unit() {
        LenUnit::Chars => "characters",
        LenUnit::Bytes => "bytes",
    };
    match (c.min_len, c.max_len) {
        (Some(lo), Some(hi)) => out.push(format!("{lo} to {hi} {unit}")),
        (None, Some(hi)) => out.push(format!("at most {hi} {unit}")),
        (Some(lo), None) => out.push(format!("at least {lo} {unit}")),
        (None, None) => {}
    }
    match (c.min, c.max) {
        (Some(lo), Some(hi)) => out.push(format!("{lo} ..= {hi}")),
        (None, Some(hi)) => out.push(format!("at most {hi}")),
        (Some(lo), None) => out.push(format!("at least {lo}")),
        (None, None) => {}
    }
    match (c.min_items, c.max_items) {
        (Some(lo), Some(hi)) => out.push(format!("{lo} to {hi} items")),
        (None, Some(hi)) => out.push(format!("at most {hi} items")),
        (Some(lo), None) => out.push(format!("at least {lo} items")),
        (None, None) => {}
    }
    if let Some(Format::Rfc3339) = c.format {
        out.push("RFC 3339 timestamp".to_string());
    }
    if let Some(Format::Uri) = c.format {
        out.push("URI".to_string());
    }
    if let Some(cs) = &c.charset {
        out.push(format!("only {}", charset_text(cs)));
    }
    if let Some(fc) = &c.forbidden_chars {
        let list: Vec<String> = fc.chars().map(|ch| code(&ch.to_string())).collect();
        out.push(format!("must not contain {}", list.join(" ")));
    }
    out
}

/// `letters, digits, |, _` as prose.
pub fn charset_text(cs: &[CharClass]) -> String {
    let parts: Vec<String> = cs
        .iter()
        .map(|c| match c {
            CharClass::Digits => "digits".to_string(),
            CharClass::Letters => "ASCII letters".to_string(),
            CharClass::Upper => "upper-case ASCII letters".to_string(),
            CharClass::Lower => "lower-case ASCII letters".to_string(),
            CharClass::Han => "Chinese characters".to_string(),
            CharClass::Literal(ch) => code(&ch.to_string()),
        })
        .collect();
    parts.join(", ")
}

/// The wire/Rust type of a schema as documentation text (`array[string]`).
pub fn type_text(schema: &Schema) -> String {
    match &schema.ty {
        Ty::String => match schema.constraints.max_len {
            Some(n) => format!("string({n})"),
            None => "string".to_string(),
        },
        Ty::Integer => "integer".to_string(),
        Ty::Number => "number".to_string(),
        Ty::Boolean => "boolean".to_string(),
        Ty::Object(n) | Ty::Enum(n) => n.clone(),
        Ty::Array(item) => format!("array[{}]", type_text(item)),
    }
}

pub fn path_text(p: &[String]) -> String {
    p.join(".")
}

/// A condition in English, after the field it tests (`is A or B`, `is greater than 0`,
/// `contains MEMBER`); `quote` formats each value.
pub fn cond_text(cond: &Condition, quote: impl Fn(&str) -> String) -> String {
    let vals = |v: &[String]| v.iter().map(|s| quote(s)).collect::<Vec<_>>().join(" or ");
    match cond {
        Condition::Equals(v) => format!("is {}", vals(v)),
        Condition::GreaterThan(n) => format!("is greater than {n}"),
        Condition::Contains(v) => format!("contains {}", vals(v)),
    }
}

/// A rule in English.
pub fn rule_text(rule: &RuleKind) -> String {
    rule_text_at(rule, "")
}

/// A rule of an object found at `prefix` (`""` at the top level), with absolute paths.
pub fn rule_text_at(rule: &RuleKind, prefix: &str) -> String {
    let path_text = |p: &[String]| {
        if prefix.is_empty() {
            path_text(p)
        } else {
            format!("{prefix}.{}", path_text(p))
        }
    };
    let list = |fields: &[FieldPath]| {
        fields
            .iter()
            .map(|f| code(&path_text(f)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match rule {
        RuleKind::RequiredWhen { field, when, cond } => {
            format!(
                "{} is required when {} {}",
                code(&path_text(field)),
                code(&path_text(when)),
                cond_text(cond, code)
            )
        }
        RuleKind::ForbiddenUnless { field, when, cond } => {
            format!(
                "{} is only allowed when {} {}",
                code(&path_text(field)),
                code(&path_text(when)),
                cond_text(cond, code)
            )
        }
        RuleKind::AllOrNone { fields } => {
            format!("{} must be set together or not at all", list(fields))
        }
        RuleKind::ExactlyOneOf { fields } => format!(
            "exactly one of {} must be set",
            fields
                .iter()
                .map(|f| code(&path_text(f)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        RuleKind::AtMostOneOf { fields } => format!(
            "at most one of {} may be set",
            fields
                .iter()
                .map(|f| code(&path_text(f)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        RuleKind::NotBeforeNow { field } => {
            format!("{} must not be in the past", code(&path_text(field)))
        }
        RuleKind::MaxDaysAhead { field, days } => {
            format!(
                "{} must be at most {days} days from now",
                code(&path_text(field))
            )
        }
        RuleKind::MaxSpanDays { from, to, days } => format!(
            "{} must not be more than {days} days after {}",
            code(&path_text(to)),
            code(&path_text(from))
        ),
    }
}

/// rustdoc for an object or enum type.
pub fn type_doc(name: &str, d: &Doc, rules: &[Rule]) -> String {
    let mut s = gloss_lead(d);
    match (&d.title, &d.description) {
        (Some(t), Some(desc)) if t != desc => s.push_str(&format!("【{}】{}", md(t), md(desc))),
        (Some(t), _) => s.push_str(&format!("【{}】", md(t))),
        (None, Some(desc)) => s.push_str(&md(desc)),
        (None, None) if d.gloss.is_some() => {}
        (None, None) => s.push_str(&format!("`{name}` (no description on the page).")),
    }
    if !rules.is_empty() {
        s.push_str("\n\n# Rules\n");
        for r in rules {
            s.push_str(&format!("\n- {}", rule_text(&r.kind)));
            if let Some(g) = &r.gloss {
                s.push_str(&format!(" — {}", md(g)));
            }
            if let Some(desc) = &r.description {
                s.push_str(&format!(" (documented: {})", md(desc)));
            }
        }
    }
    s
}

/// The `gloss` of a doc, as a lead-in for English readers (`Stock name. `), or empty.
fn gloss_lead(d: &Doc) -> String {
    match &d.gloss {
        Some(g) => {
            let g = md(g);
            if g.ends_with(['.', '!', '?', ')']) {
                format!("{g} ")
            } else {
                format!("{g}. ")
            }
        }
        None => String::new(),
    }
}

/// Badges for fields the page marks as not open yet or deprecated (rustdoc and Markdown).
pub fn field_status(f: &Field) -> Option<String> {
    let mut parts = Vec::new();
    if f.not_open {
        parts.push(if f.required {
            "**Not open yet (暂未开放):** documented as not in effect; send it as the page says."
                .to_string()
        } else {
            "**Not open yet (暂未开放):** leave it unset; setting it fails validation.".to_string()
        });
    }
    if let Some(d) = &f.deprecated {
        parts.push(format!("**Deprecated:** {}", md(d)));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// rustdoc for a field: 【title】 description, requiredness and constraints, note.
pub fn field_doc(f: &Field, family: &Family) -> String {
    let mut s = gloss_lead(&f.doc);
    match (&f.doc.title, &f.doc.description) {
        (Some(t), Some(desc)) => s.push_str(&format!("【{}】{}", md(t), md(desc))),
        (Some(t), None) => s.push_str(&format!("【{}】", md(t))),
        (None, Some(desc)) => s.push_str(&md(desc)),
        (None, None) => s.push_str(&format!("`{}` (no description on the page).", f.wire_name)),
    }
    let loc = match f.location {
        Location::Body => String::new(),
        Location::Path => " Path parameter.".to_string(),
        Location::Query => " Query parameter.".to_string(),
    };
    s.push_str(&format!(
        "\n\n*{}* Wire name {}, type {}.{}",
        if f.required {
            "Required (必填)."
        } else {
            "Optional (选填)."
        },
        code(&f.wire_name),
        code(&type_text(&f.schema)),
        loc
    ));
    let cons = constraint_list(&f.schema, family);
    if !cons.is_empty() {
        s.push_str(&format!(" Constraints: {}.", cons.join("; ")));
    }
    if let Some(st) = field_status(f) {
        s.push_str(&format!("\n\n{st}"));
    }
    if let Some(n) = &f.doc.user_note {
        s.push_str(&format!("\n\nNote: {}", md(n)));
    }
    s
}

/// English for the merchant types the pages name (支持商户, a small closed vocabulary);
/// each shows as "English (中文)", and a type not listed here shows in Chinese only.
fn merchant_type_en(t: &str) -> Option<&'static str> {
    Some(match t {
        "普通商户" | "直连商户" => "direct merchant",
        "普通服务商" | "服务商" => "service provider",
        "渠道商" => "channel partner",
        "从业机构(银行)" => "licensed institution (bank)",
        "从业机构(支付机构)" => "licensed institution (payment institution)",
        "清算机构" => "clearing institution",
        _ => return None,
    })
}

/// The merchant types of an operation, English first: `service provider (普通服务商), …`.
pub fn merchant_types_text(types: &[String]) -> String {
    let shown: Vec<String> = types
        .iter()
        .map(|t| match merchant_type_en(t) {
            Some(en) => format!("{en} ({t})"),
            None => t.clone(),
        })
        .collect();
    shown.join(", ")
}

fn has_han(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// English reading of a page's rate-limit (接口频率) or latency text, from the phrases the
/// pages use (不区分来源 … 单ip …, 接口级限制, 频率:…QPS, 单个商户号/所有商户号, 商户号维度);
/// `None` when a phrase is not one of them, so the Chinese stays alone rather than half
/// translated.
fn limit_en(text: &str) -> Option<String> {
    let t = text
        .replace('，', ",")
        .replace('：', ":")
        .replace("QPS", "/s")
        .replace("/秒", "/s")
        .replace(" ,", ",");
    let t = t.trim();
    if !has_han(t) {
        return Some(t.replace('S', "s"));
    }
    let clean = |s: &str| s.trim().trim_matches(',').trim().to_owned();
    let en = if let Some(rest) = t.strip_prefix("不区分来源") {
        let (overall, per_ip) = rest.split_once("单ip")?;
        format!("{} overall, {} per IP", clean(overall), clean(per_ip))
    } else if let Some(rest) = t.strip_prefix("接口级限制") {
        format!("{} for the endpoint", clean(rest))
    } else if let Some(rest) = t.strip_prefix("核销频率:") {
        format!("{} for redemptions", clean(rest))
    } else if let Some(rest) = t.strip_prefix("频率:") {
        clean(rest)
    } else if let Some(rest) = t.strip_prefix("单个商户号调用频率") {
        let (one, all) = rest.split_once("所有商户号调用频率为")?;
        format!(
            "{} per merchant id, {} for all merchant ids together",
            clean(one),
            clean(all)
        )
    } else if let Some(rest) = t.strip_suffix("(商户号维度)") {
        format!("{} per merchant id", clean(rest))
    } else if let Some(rest) = t.strip_prefix("平均") {
        format!(
            "{} on average",
            clean(rest.trim_end_matches("以内")).replace("ms", " ms or less")
        )
    } else {
        return None;
    };
    (!has_han(&en)).then_some(en)
}

/// A rate-limit or latency text for users: `English (原文)` when the page's text is Chinese and
/// its phrases are known, the text itself when it has no Chinese.
pub fn limit_text(text: &str) -> String {
    match limit_en(text) {
        Some(en) if has_han(text) => format!("{en} ({})", text.trim()),
        Some(en) => en,
        None => text.trim().to_owned(),
    }
}

/// English for the generic example titles the pages use (请求示例, 应答示例, … with a
/// qualifier such as (旧版页面)); `None` for any other Chinese title, which needs a `gloss`.
pub fn example_title_en(title: &str) -> Option<String> {
    let t = title.trim();
    if !has_han(t) {
        return Some(t.to_owned());
    }
    let (base, qualifier) = match t.find(['(', '（']) {
        Some(i) => (t[..i].trim(), Some(t[i..].trim())),
        None => (t, None),
    };
    let base_en = match base {
        "请求示例" | "请求包体样例" => "Request example",
        "应答示例" | "返回示例" | "应答样例" => "Response example",
        "示例代码" => "Sample code",
        "旧版页面应答示例" => "Response example from the older page",
        "旧版页面示例" => "Example from the older page",
        "通知示例" | "商品券通知" => "Notification example",
        _ => return None,
    };
    let Some(q) = qualifier else {
        return Some(base_en.to_owned());
    };
    let inner = q
        .trim_start_matches(['(', '（'])
        .trim_end_matches([')', '）'])
        .trim();
    let q_en = match inner {
        "旧版页面" | "旧版页面示例" => "from the older page",
        "社区转录" => "from the community transcription",
        "SDK样例" => "SDK sample",
        "meta部分" | "meta" => "the meta part",
        other if !has_han(other) => other,
        _ => return None,
    };
    Some(format!("{base_en} ({q_en})"))
}

/// An example's heading for users: `English (原文)` (the spec's `gloss`, else
/// [`example_title_en`]), or the title alone when it has no Chinese or no English is known.
pub fn example_title_text(title: &str, gloss: Option<&str>) -> String {
    let t = title.trim();
    // The page's words beside the English: without a qualifier that is English already.
    let zh = match t.find(['(', '（']) {
        Some(i) if !has_han(&t[i..]) => t[..i].trim(),
        _ => t,
    };
    match gloss.map(str::to_owned).or_else(|| example_title_en(t)) {
        Some(en) if has_han(t) => format!("{en} ({zh})"),
        _ => t.to_owned(),
    }
}

/// rustdoc for an operation method.
pub fn operation_doc(op: &Operation, family: &Family) -> String {
    let mut s = format!("{} — {}\n\n", md(&op.title), md(&op.summary));
    if let Some(d) = &op.description {
        s.push_str(&format!("{}\n\n", md(d)));
    }
    s.push_str(&format!("`{} {}`\n\n", op.method.as_str(), op.path));
    s.push_str(&format!(
        "- Merchant types (支持商户): {}\n",
        if op.merchant_types.is_empty() {
            "not documented".to_string()
        } else {
            md(&merchant_types_text(&op.merchant_types))
        }
    ));
    if let Some(r) = &op.rate_limit {
        s.push_str(&format!(
            "- Rate limit (接口频率): {}\n",
            md(&limit_text(r))
        ));
    }
    if let Some(l) = &op.latency {
        s.push_str(&format!("- Latency (接口耗时): {}\n", md(&limit_text(l))));
    }
    if let Some(i) = &op.idempotency {
        if i.keys.is_empty() {
            s.push_str("- Idempotent: the request can be retried as is");
        } else {
            let keys: Vec<String> = i.keys.iter().map(|k| code(k)).collect();
            s.push_str(&format!(
                "- Idempotency: {} — when retrying, send the same value",
                keys.join(", ")
            ));
        }
        if let Some(d) = &i.description {
            s.push_str(&format!(" ({})", md(d)));
        }
        s.push('\n');
    }
    s.push_str(&source_line(&op.source));
    s.push_str(&format!(
        "\n\nThe request is validated first (unless validation is disabled on the client); a\nviolation is returned as [`crate::Error::Validation`] before anything is signed or sent.\nRequest type: [`{}`]. Family: {} ({}).",
        op.request_type, family.title, family.id
    ));
    if let Some(n) = &op.user_note {
        s.push_str(&format!("\n\nNote: {}", md(n)));
    }
    if let Some(p) = partial_text(&op.complete) {
        s.push_str(&format!("\n\n{p}"));
    }
    s.push_str("\n\n# Errors\n\n");
    s.push_str("Besides validation, transport, timeout and signature errors, the documented API errors\n(as [`crate::Error::Api`], whose `documented` rows carry the 解决方案):\n\n");
    s.push_str("| Status | Code | Meaning | Description | Solution |\n|---|---|---|---|---|\n");
    for e in &op.errors {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            e.status,
            code(&e.code),
            e.gloss.as_deref().map(md).unwrap_or_default(),
            md(&e.description),
            md(&e.solution)
        ));
    }
    if !op.complete.errors {
        s.push_str("\n*Partial table:* the official page could not be read whole, so other codes may be returned.\n");
    }
    s
}

/// A plain sentence naming the sections no source showed whole, or `None` when complete.
pub fn partial_text(c: &Completeness) -> Option<String> {
    let mut parts = Vec::new();
    if !c.request {
        parts.push("the request fields");
    }
    if !c.response {
        parts.push("the response fields");
    }
    if !c.errors {
        parts.push("the error table");
    }
    if !c.examples {
        parts.push("the examples");
    }
    if parts.is_empty() {
        return None;
    }
    Some(format!(
        "**Partly documented:** no source showed {} whole; what is listed here is what could be read, and more may exist.",
        join_and(&parts)
    ))
}

fn join_and(parts: &[&str]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

pub fn source_line(src: &Source) -> String {
    let mut s = String::from("- Official page: ");
    match &src.url {
        Some(u) => s.push_str(&format!("<{u}>")),
        None => s.push_str("none published; transcribed from secondary sources"),
    }
    if let Some(d) = &src.updated {
        s.push_str(&format!(", updated (更新时间) {d}"));
    }
    if let Some(d) = &src.checked {
        s.push_str(&format!(", last checked {d}"));
    }
    s.push_str(&format!("; spec `spec/{}`\n", src.spec_file));
    s
}

#[cfg(test)]
mod tests {
    use super::{limit_text, merchant_types_text};

    #[test]
    fn rate_limits_read_in_english_with_the_page_text_beside() {
        for (page, shown) in [
            ("500/s", "500/s"),
            ("1S", "1s"),
            (
                "不区分来源 1000/s 单ip 500/s",
                "1000/s overall, 500/s per IP (不区分来源 1000/s 单ip 500/s)",
            ),
            (
                "不区分来源 1000/min, 单ip 5/min",
                "1000/min overall, 5/min per IP (不区分来源 1000/min, 单ip 5/min)",
            ),
            (
                "接口级限制1000/min",
                "1000/min for the endpoint (接口级限制1000/min)",
            ),
            ("频率:500QPS", "500/s (频率:500QPS)"),
            ("核销频率:500QPS", "500/s for redemptions (核销频率:500QPS)"),
            ("2000QPS", "2000/s"),
            (
                "20/秒(商户号维度)",
                "20/s per merchant id (20/秒(商户号维度))",
            ),
            (
                "单个商户号调用频率60/min,所有商户号调用频率为1000/min",
                "60/min per merchant id, 1000/min for all merchant ids together \
                 (单个商户号调用频率60/min,所有商户号调用频率为1000/min)",
            ),
            ("平均100ms以内", "100 ms or less on average (平均100ms以内)"),
            // An unknown phrase stays Chinese alone, never half translated.
            ("高峰期限流", "高峰期限流"),
        ] {
            assert_eq!(limit_text(page), shown, "{page}");
        }
    }

    #[test]
    fn example_titles_read_in_english_first() {
        use super::example_title_text as t;
        assert_eq!(t("请求示例", None), "Request example (请求示例)");
        assert_eq!(
            t("应答示例(旧版页面)", None),
            "Response example (from the older page) (应答示例(旧版页面))"
        );
        assert_eq!(
            t("请求示例 (meta)", None),
            "Request example (the meta part) (请求示例)"
        );
        assert_eq!(t("Request", None), "Request");
        assert_eq!(t("发放普通券", None), "发放普通券");
        assert_eq!(
            t("发放普通券", Some("Send a normal coupon")),
            "Send a normal coupon (发放普通券)"
        );
    }

    #[test]
    fn merchant_types_read_in_english_first() {
        let types = ["普通服务商", "渠道商", "新类型"].map(String::from);
        assert_eq!(
            merchant_types_text(&types),
            "service provider (普通服务商), channel partner (渠道商), 新类型"
        );
    }
}
