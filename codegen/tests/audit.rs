//! `codegen audit` over the seed pages, read at test time from `shared/seeds/` beside the
//! repository (never copied into it): each page is matched to its operation, and a corpus of
//! upstream-style edits (length, 必填, new or removed field, enum value, error row, 更新时间,
//! rate limit, examples …) must each be reported, and nothing else.

mod common;
use codegen::audit::{audit, Finding};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// `shared/seeds` in the nearest ancestor of the workspace that has one, or `$WECHATPAY_SEEDS`.
fn seeds_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("WECHATPAY_SEEDS") {
        return Some(PathBuf::from(d));
    }
    let ws = common::workspace().canonicalize().ok()?;
    ws.ancestors()
        .map(|d| d.join("shared").join("seeds"))
        .find(|d| d.is_dir())
}

fn seed(name: &str) -> Option<String> {
    let Some(dir) = seeds_dir() else {
        eprintln!("SKIPPED: no shared/seeds directory beside the repository (set WECHATPAY_SEEDS)");
        return None;
    };
    let file = std::fs::read_dir(&dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|f| f.to_string_lossy().starts_with(name))
        });
    match file {
        Some(f) => std::fs::read_to_string(f).ok(),
        None => {
            eprintln!("SKIPPED: seed {name} not in {}", dir.display());
            None
        }
    }
}

fn api() -> codegen::ir::Api {
    codegen::load_api_from(&common::real_spec(), codegen::diag::Diagnostics::default())
        .expect("spec checks")
}

/// A finding without its page line (edits shift lines).
fn key(f: &Finding) -> (String, String, String) {
    (f.path.clone(), f.kind.clone(), f.message.clone())
}

fn counts(fs: &[Finding]) -> BTreeMap<(String, String, String), usize> {
    let mut m = BTreeMap::new();
    for f in fs {
        *m.entry(key(f)).or_insert(0) += 1;
    }
    m
}

/// Findings of `after` not in `before` (as a multiset).
fn minus(after: &[Finding], before: &[Finding]) -> Vec<(String, String, String)> {
    let mut b = counts(before);
    let mut out = Vec::new();
    for f in after {
        let k = key(f);
        match b.get_mut(&k) {
            Some(n) if *n > 0 => *n -= 1,
            _ => out.push(k),
        }
    }
    out
}

#[derive(Clone, Copy)]
enum Edit {
    /// Replace the `nth` (0-based) occurrence of the text.
    Replace(&'static str, &'static str, usize),
    /// Insert lines after the first line starting with the text.
    InsertAfter(&'static str, &'static str),
    /// Delete `n` lines starting at the first line starting with the text.
    Delete(&'static str, usize),
}

fn apply(page: &str, edit: Edit, name: &str) -> String {
    match edit {
        Edit::Replace(find, with, nth) => {
            let at = page
                .match_indices(find)
                .nth(nth)
                .unwrap_or_else(|| panic!("{name}: `{find}` (#{nth}) not on the page"))
                .0;
            format!("{}{with}{}", &page[..at], &page[at + find.len()..])
        }
        Edit::InsertAfter(start, text) => {
            let mut lines: Vec<&str> = page.lines().collect();
            let i = lines
                .iter()
                .position(|l| l.starts_with(start))
                .unwrap_or_else(|| panic!("{name}: no line starts with `{start}`"));
            for (k, l) in text.lines().enumerate() {
                lines.insert(i + 1 + k, l);
            }
            lines.join("\n") + "\n"
        }
        Edit::Delete(start, n) => {
            let mut lines: Vec<&str> = page.lines().collect();
            let i = lines
                .iter()
                .position(|l| l.starts_with(start))
                .unwrap_or_else(|| panic!("{name}: no line starts with `{start}`"));
            lines.drain(i..i + n);
            lines.join("\n") + "\n"
        }
    }
}

struct Mutation {
    seed: &'static str,
    name: &'static str,
    edit: Edit,
    /// Every (path, kind) the edit must add, and nothing else.
    expect: &'static [(&'static str, &'static str)],
}

use Edit::*;

const MUTATIONS: &[Mutation] = &[
    // 000: 创建代金券批次 (POST /v3/marketing/favor/coupon-stocks)
    Mutation { seed: "000", name: "longer string", edit: Replace("stock_name 必填 string(20)", "stock_name 必填 string(24)", 0), expect: &[("body.stock_name", "length")] },
    Mutation { seed: "000", name: "now required", edit: Replace("comment 选填 string(60)", "comment 必填 string(60)", 0), expect: &[("body.comment", "required")] },
    Mutation { seed: "000", name: "new body field", edit: InsertAfter("【批次备注】", "channel 选填 string(32)\n【投放渠道】投放渠道"), expect: &[("body.channel", "added")] },
    Mutation { seed: "000", name: "removed body field", edit: Delete("ext_info 选填 string(128)", 3), expect: &[("body.ext_info", "removed")] },
    Mutation { seed: "000", name: "new error row", edit: InsertAfter("404 | RESOURCE_NOT_EXISTS", "429 | FREQUENCY_LIMITED | 请求过于频繁 | 稍后重试 |"), expect: &[("errors.FREQUENCY_LIMITED", "error")] },
    Mutation { seed: "000", name: "removed error row", edit: Delete("403 | NO_AUTH |", 1), expect: &[("errors.NO_AUTH", "error")] },
    Mutation { seed: "000", name: "new enum value", edit: InsertAfter("NORMAL:固定面额满减券批次", "DISCOUNT:折扣券批次"), expect: &[("body.stock_type", "enum")] },
    Mutation { seed: "000", name: "new 更新时间", edit: Replace("更新时间:2024.10.31", "更新时间:2026.01.15", 0), expect: &[("updated", "updated")] },
    Mutation { seed: "000", name: "rate limit", edit: Replace("调用频率60/min", "调用频率120/min", 0), expect: &[("rate_limit", "rate_limit")] },
    Mutation { seed: "000", name: "latency", edit: Replace("接口耗时:500ms", "接口耗时:300ms", 0), expect: &[("latency", "latency")] },
    Mutation { seed: "000", name: "nested length", edit: Replace("merchant_name 选填 string(12)", "merchant_name 选填 string(16)", 0), expect: &[("body.pattern_info.merchant_name", "length")] },
    Mutation { seed: "000", name: "nested required", edit: Replace("max_amount_by_day 选填 integer", "max_amount_by_day 必填 integer", 0), expect: &[("body.stock_use_rule.max_amount_by_day", "required")] },
    Mutation { seed: "000", name: "type change", edit: Replace("no_cash 必填 boolean", "no_cash 必填 string", 0), expect: &[("body.no_cash", "type")] },
    Mutation { seed: "000", name: "response example", edit: Replace("\"98065001\"", "\"98065002\"", 0), expect: &[("examples.response[0]", "example")] },
    Mutation { seed: "000", name: "new response field", edit: InsertAfter("create_time 必填 string", "【创建时间】创建时间\nstatus 必填 string\n【批次状态】批次状态"), expect: &[("response.status", "added")] },
    // 001: 向用户发放商品券 (POST …/users/{openid}/coupons)
    Mutation { seed: "001", name: "path parameter length", edit: Replace("openid 必填 string\n", "openid 必填 string(128)\n", 0), expect: &[("path.openid", "length")] },
    Mutation { seed: "001", name: "now optional", edit: Replace("appid 必填 string\n", "appid 选填 string\n", 0), expect: &[("body.appid", "required")] },
    Mutation { seed: "001", name: "removed nested field", edit: Replace("member_tag_info 选填 object 【会员标签信息】 当用户商品券标签列表中有\n", "", 0), expect: &[("body.coupon_tag_info.member_tag_info", "removed")] },
    Mutation { seed: "001", name: "removed response enum value", edit: Replace("DELETED: 已删除,用户主动删除该券", "", 0), expect: &[("response.coupon_state", "enum")] },
    Mutation { seed: "001", name: "error solution", edit: Replace("| 请稍后使用原参数重试 |", "| 请降低调用频率 |", 0), expect: &[("errors.RATELIMIT_EXCEEDED", "error")] },
    Mutation { seed: "001", name: "error status", edit: Replace("404 | NOT_FOUND | 未找到 stock_id", "400 | NOT_FOUND | 未找到 stock_id", 0), expect: &[("errors.NOT_FOUND", "error")] },
    // (Seed 001's rate limit is already a finding: the spec follows the newer page's 500/s.)
    Mutation { seed: "001", name: "new 更新时间", edit: Replace("更新时间:2025.11.07", "更新时间:2026.02.01", 0), expect: &[("updated", "updated")] },
    Mutation { seed: "001", name: "request example body", edit: Replace("\"wx233544546545989\"", "\"wx000000000000001\"", 0), expect: &[("examples.request[0]", "example")] },
    Mutation { seed: "001", name: "shorter attach", edit: Replace("attach 选填 string(150)", "attach 选填 string(100)", 0), expect: &[("body.attach", "length")] },
    // 003: 修改商品券批次组 (PATCH …/stock-bundles/{stock_bundle_id})
    Mutation { seed: "003", name: "longer request number", edit: Replace("out_request_no 必填 string(40)", "out_request_no 必填 string(64)", 0), expect: &[("body.out_request_no", "length")] },
    Mutation { seed: "003", name: "removed field", edit: Delete("remark 选填 string(20)", 2), expect: &[("body.remark", "removed")] },
    Mutation { seed: "003", name: "new enum value", edit: Replace("SPECIFIC: 特定门店可用", "PARTIAL: 部分门店可用,品牌指定部分门店SPECIFIC: 特定门店可用", 0), expect: &[("body.store_scope", "enum")] },
    Mutation { seed: "003", name: "nested now optional", edit: Replace("notify_appid 必填 string", "notify_appid 选填 string", 0), expect: &[("body.notify_config.notify_appid", "required")] },
    Mutation { seed: "003", name: "new error row", edit: InsertAfter("429 | RATELIMIT_EXCEEDED", "403 | NO_AUTH | 商户无权限 | 请开通权限后重试 |"), expect: &[("errors.NO_AUTH", "error")] },
    Mutation { seed: "003", name: "new 更新时间", edit: Replace("更新时间:2025.11.20", "更新时间:2026.02.01", 0), expect: &[("updated", "updated")] },
    Mutation { seed: "003", name: "new nested response field", edit: Replace("stock_send_rule 必填 object 【发放规则】 发放规则\n", "stock_send_rule 必填 object 【发放规则】 发放规则 priority 选填 integer 【优先级】 投放优先级\n", 0), expect: &[("response.stock_list[].priority", "added")] },
    Mutation { seed: "003", name: "response example", edit: Replace("\"stock_bundle_id\" : \"123456789\"", "\"stock_bundle_id\" : \"987654321\"", 0), expect: &[("examples.response[0]", "example")] },
    // 004: 条件查询批次列表 (GET /v3/marketing/favor/stocks)
    Mutation { seed: "004", name: "query type", edit: Replace("limit 必填 integer\n【分页大小】 分页大小,最大10\nstock_creator_mchid", "limit 必填 string(8)\n【分页大小】 分页大小,最大10\nstock_creator_mchid", 0), expect: &[("query.limit", "type")] },
    Mutation { seed: "004", name: "new query parameter", edit: InsertAfter("【分页页码】", "stock_type 选填 string(16)\n【批次类型】 批次类型"), expect: &[("query.stock_type", "added")] },
    Mutation { seed: "004", name: "error description", edit: Replace("| 请求过于频繁 |", "| 请求太频繁 |", 0), expect: &[("errors.FREQUENCY_LIMITED", "error")] },
    Mutation { seed: "004", name: "removed response field", edit: Delete("total_count 必填 integer", 2), expect: &[("response.total_count", "removed")] },
    Mutation { seed: "004", name: "nested response type", edit: Replace("stock_name 必填 string 【批次名称】", "stock_name 必填 integer 【批次名称】", 0), expect: &[("response.data[].stock_name", "type")] },
    Mutation { seed: "004", name: "query example", edit: Replace("offset=1&limit=8", "offset=2&limit=8", 0), expect: &[("examples.request[0]", "example")] },
    Mutation { seed: "004", name: "merchant type", edit: Replace("【清算机构】", "【清算机构】 【品牌商户】", 0), expect: &[("merchant_types", "merchant_types")] },
    Mutation { seed: "004", name: "new status value", edit: InsertAfter("paused:暂停发放", "expired:已过期"), expect: &[("query.status", "enum")] },
    Mutation { seed: "004", name: "shorter mchid", edit: Replace("stock_creator_mchid 必填 string(20)", "stock_creator_mchid 必填 string(16)", 0), expect: &[("query.stock_creator_mchid", "length")] },
];

#[test]
fn each_reference_seed_documents_a_spec_operation() {
    let api = api();
    for s in ["000", "001", "003", "004"] {
        let Some(page) = seed(s) else { return };
        let a = audit(&api, &page);
        assert!(
            a.operation.is_some(),
            "seed {s}: {} {} not found",
            a.method.as_deref().unwrap_or("?"),
            a.path.as_deref().unwrap_or("?")
        );
        println!(
            "seed {s}: {} — {} finding(s) before any edit",
            a.operation.as_deref().unwrap_or("?"),
            a.findings.len()
        );
        for f in &a.findings {
            println!("  {f}");
        }
    }
}

#[test]
fn the_developer_guide_has_no_operation_to_audit() {
    let Some(page) = seed("002") else { return };
    let a = audit(&api(), &page);
    assert_eq!(a.method, None);
    assert_eq!(a.operation, None);
}

#[test]
fn every_edit_is_reported_and_nothing_else() {
    let api = api();
    let mut failures = Vec::new();
    let mut checked = 0;
    let per_seed: BTreeSet<&str> = MUTATIONS.iter().map(|m| m.seed).collect();
    assert!(MUTATIONS.len() >= 30, "the corpus needs at least 30 edits");
    for s in per_seed {
        let Some(page) = seed(s) else { return };
        let before = audit(&api, &page).findings;
        for m in MUTATIONS.iter().filter(|m| m.seed == s) {
            let changed = apply(&page, m.edit, m.name);
            let after = audit(&api, &changed).findings;
            let added = minus(&after, &before);
            let gone = minus(&before, &after);
            let got: BTreeSet<(String, String)> = added
                .iter()
                .map(|(p, k, _)| (p.clone(), k.clone()))
                .collect();
            let want: BTreeSet<(String, String)> = m
                .expect
                .iter()
                .map(|(p, k)| (p.to_string(), k.to_string()))
                .collect();
            checked += 1;
            if got != want || !gone.is_empty() {
                failures.push(format!(
                    "seed {s} `{}`: expected {want:?}\n  new findings: {added:#?}\n  findings gone: {gone:#?}",
                    m.name
                ));
            }
        }
    }
    println!("{checked} edits checked");
    assert_eq!(checked, MUTATIONS.len());
    assert!(
        failures.is_empty(),
        "{} of {checked} edits misreported:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A legacy page (`参数名 变量 类型[长度限制] 必填 描述` rows) is read too: built from the spec
/// of `favor.start_stock`'s request, with one length changed.
#[test]
fn legacy_tables_are_read() {
    let api = api();
    let (_, op) =
        codegen::audit::find_operation(&api, "POST", "/v3/marketing/favor/stocks/{stock_id}/start")
            .expect("start_stock in the spec");
    let page = format!(
        "激活代金券批次API\n最新更新时间:2019.09.27 版本说明\n请求URL:https://api.mch.weixin.qq.com{}\n请求方式:POST\n请求参数\n参数名 变量 类型[长度限制] 必填 描述\n批次号 stock_id string[1,20] 是 path 微信为每个代金券批次分配的唯一id。\n创建批次的商户号 stock_creator_mchid string[1,32] 是 body 批次创建方商户号。\n",
        op.path
    );
    let a = audit(&api, &page);
    assert_eq!(a.operation.as_deref(), Some("favor.start_stock"));
    let got: Vec<(String, String)> = a
        .findings
        .iter()
        .filter(|f| f.path.starts_with("body") || f.path.starts_with("path"))
        .map(|f| (f.path.clone(), f.kind.clone()))
        .collect();
    assert_eq!(
        got,
        vec![("body.stock_creator_mchid".to_string(), "length".to_string())],
        "{:#?}",
        a.findings
    );
}
