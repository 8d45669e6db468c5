fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    match codegen::load_api(&root) {
        Ok(api) => println!("{}", serde_json::to_string_pretty(&api).unwrap_or_default()),
        Err(d) => eprint!("{}", codegen::diag::render(&d)),
    }
}
