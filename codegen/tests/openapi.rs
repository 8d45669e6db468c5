//! The OpenAPI export: validated by `openapi-spec-validator` (installed into the target dir
//! from PyPI when missing), and checked for completeness against the IR.

mod common;
use serde_json::Value;
use std::process::Command;

fn document() -> Value {
    let api = codegen::load_api_from(&common::real_spec(), codegen::diag::Diagnostics::default())
        .expect("spec checks");
    codegen::emit::openapi::openapi(&api)
}

fn python_path() -> std::path::PathBuf {
    common::workspace().join("target").join("pydeps")
}

fn validator_available() -> bool {
    Command::new("python3")
        .args(["-c", "import openapi_spec_validator"])
        .env("PYTHONPATH", python_path())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn openapi_document_validates() {
    if !validator_available() {
        let status = Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "--target"])
            .arg(python_path())
            .arg("openapi-spec-validator")
            .status()
            .expect("python3 and pip are needed to validate the OpenAPI document");
        assert!(
            status.success(),
            "pip install openapi-spec-validator failed"
        );
    }
    let file = std::env::temp_dir().join(format!("wechatpay-openapi-{}.json", std::process::id()));
    std::fs::write(
        &file,
        serde_json::to_string_pretty(&document()).expect("json"),
    )
    .expect("write");
    let out = Command::new("python3")
        .args(["-m", "openapi_spec_validator"])
        .arg(&file)
        .env("PYTHONPATH", python_path())
        .output()
        .expect("run validator");
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "OpenAPI document is invalid:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_operation_is_listed_with_its_method_path_errors_and_rate_limit() {
    let doc = document();
    let api = codegen::load_api_from(&common::real_spec(), codegen::diag::Diagnostics::default())
        .expect("spec checks");
    let mut count = 0;
    for fam in &api.families {
        for op in &fam.operations {
            count += 1;
            let o = &doc["paths"][&op.path][op.method.as_str().to_ascii_lowercase()];
            assert_eq!(
                o["operationId"],
                format!("{}.{}", fam.id, op.id),
                "{} {}",
                op.method.as_str(),
                op.path
            );
            assert_eq!(
                o["x-wechatpay-errors"].as_array().map(Vec::len),
                Some(op.errors.len())
            );
            if let Some(r) = &op.rate_limit {
                assert_eq!(o["x-wechatpay-rate-limit"], r.as_str());
            }
        }
    }
    // Counted from the spec, which grows: every `operations:` entry of every spec file is one
    // OpenAPI operation, and nothing else is.
    let mut diags = codegen::diag::Diagnostics::default();
    let raw = codegen::load::parse(&common::real_spec(), &mut diags);
    let in_spec: usize = raw.files.iter().map(|f| f.operations.len()).sum();
    let in_doc: usize = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .map(|item| {
            ["get", "post", "put", "patch", "delete"]
                .iter()
                .filter(|m| item.get(**m).is_some())
                .count()
        })
        .sum();
    assert_eq!(count, in_spec, "IR operations vs spec entries");
    assert_eq!(in_doc, in_spec, "OpenAPI operations vs spec entries");
}

#[test]
fn fields_carry_type_required_length_and_enum() {
    let doc = document();
    let s = &doc["components"]["schemas"];
    let req = &s["favor.CreateCouponStockRequest"];
    assert_eq!(req["properties"]["stock_name"]["maxLength"], 20);
    assert_eq!(req["properties"]["stock_name"]["type"], "string");
    assert!(req["required"]
        .as_array()
        .expect("required")
        .contains(&Value::from("stock_name")));
    assert!(!req["required"]
        .as_array()
        .expect("required")
        .contains(&Value::from("comment")));
    assert_eq!(
        req["properties"]["available_begin_time"]["format"],
        "date-time"
    );
    let stock_type = &req["properties"]["stock_type"];
    assert_eq!(stock_type["enum"], serde_json::json!(["NORMAL"]));
    let pattern = &s["favor.PatternInfo"]["properties"]["jump_target"]["enum"];
    assert_eq!(
        *pattern,
        serde_json::json!(["PAYMENT_CODE", "MINI_PROGRAM", "DEFAULT_PAGE"])
    );
    let goods_tag = &s["favor.CouponRule"]["properties"]["goods_tag"];
    assert_eq!(goods_tag["type"], "array");
    assert_eq!(goods_tag["items"]["maxLength"], 128);
    let params = doc["paths"]["/v3/marketing/favor/stocks"]["get"]["parameters"]
        .as_array()
        .expect("params")
        .clone();
    let limit = params.iter().find(|p| p["name"] == "limit").expect("limit");
    assert_eq!(limit["in"], "query");
    assert_eq!(limit["required"], true);
    assert_eq!(limit["schema"]["maximum"], 10);
    // A path parameter of 商品券.
    let send = &doc["paths"]["/v3/marketing/partner/product-coupon/users/{openid}/coupons"]["post"];
    let openid = send["parameters"]
        .as_array()
        .expect("params")
        .iter()
        .find(|p| p["name"] == "openid")
        .expect("openid")
        .clone();
    assert_eq!(openid["in"], "path");
    assert_eq!(openid["required"], true);
}
