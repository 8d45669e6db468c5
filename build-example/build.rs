//! Generates `favor.start_stock` (and the types it uses) from the workspace's spec into
//! `OUT_DIR/wechatpay_api.rs`; `src/lib.rs` includes it.

use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let spec = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec");
    if let Err(e) = codegen::build::Build::new(spec)
        .operation("favor.start_stock")
        .write(&out.join("wechatpay_api.rs"))
    {
        panic!("generating from spec/ failed:\n{e}");
    }
}
