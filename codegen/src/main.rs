//! The `codegen` command line: `generate`, `check`, `openapi` and `ir` over the spec.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str =
    "usage: codegen <generate|check|openapi|ir> [--spec DIR] [--out DIR] [--templates DIR]

  generate   rewrite the generator-owned files of generated-sdk/ from spec/
  check      exit 1 and name each stale file when generated-sdk/ differs from a fresh generation
  openapi    print an OpenAPI 3.1 document (JSON) of the whole spec
  ir         print the checked IR (JSON), for debugging the spec

  --spec DIR   spec root (default: <workspace>/spec)
  --out DIR    generated crate root (default: <workspace>/generated-sdk)
  --templates DIR
               Markdown reference templates (default: <workspace>/templates)

  <workspace> is the nearest directory at or above the current one holding spec/families.yaml.";

fn main() -> ExitCode {
    let workspace = find_workspace();
    let mut spec = workspace.join("spec");
    let mut out = workspace.join("generated-sdk");
    let mut templates = workspace.join("templates");
    let mut args = std::env::args().skip(1);
    let mut cmd = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--spec" => match args.next() {
                Some(v) => spec = PathBuf::from(v),
                None => return usage("--spec needs a directory"),
            },
            "--out" => match args.next() {
                Some(v) => out = PathBuf::from(v),
                None => return usage("--out needs a directory"),
            },
            "--templates" => match args.next() {
                Some(v) => templates = PathBuf::from(v),
                None => return usage("--templates needs a directory"),
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            c if cmd.is_none() && !c.starts_with('-') => cmd = Some(c.to_string()),
            other => return usage(&format!("unexpected argument `{other}`")),
        }
    }
    let Some(cmd) = cmd else {
        return usage("missing command");
    };
    if !["generate", "check", "openapi", "ir"].contains(&cmd.as_str()) {
        return usage(&format!("unknown command `{cmd}`"));
    }
    let api = match codegen::load_api(&spec) {
        Ok(api) => api,
        Err(diags) => {
            eprint!("{}", codegen::diag::render(&diags));
            return ExitCode::FAILURE;
        }
    };
    match cmd.as_str() {
        "openapi" => {
            let doc = codegen::emit::openapi::openapi(&api);
            match serde_json::to_string_pretty(&doc) {
                Ok(s) => println!("{s}"),
                Err(e) => {
                    eprintln!("error: cannot serialize OpenAPI: {e}");
                    return ExitCode::FAILURE;
                }
            }
            ExitCode::SUCCESS
        }
        "ir" => {
            println!("{}", serde_json::to_string_pretty(&api).unwrap_or_default());
            ExitCode::SUCCESS
        }
        _ => {
            let tree = match codegen::generate_tree_with(&api, &templates) {
                Ok(t) => t,
                Err(diags) => {
                    eprint!("{}", codegen::diag::render(&diags));
                    return ExitCode::FAILURE;
                }
            };
            if cmd == "generate" {
                match codegen::tree::write(&out, &tree) {
                    Ok(changed) => {
                        for c in &changed {
                            println!("{c}");
                        }
                        println!(
                            "{} file(s) generated, {} changed",
                            tree.len(),
                            changed.len()
                        );
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("error: cannot write {}: {e}", out.display());
                        ExitCode::FAILURE
                    }
                }
            } else {
                let stale = codegen::tree::check(&out, &tree);
                if stale.is_empty() {
                    println!("generated-sdk is up to date ({} files)", tree.len());
                    ExitCode::SUCCESS
                } else {
                    for s in &stale {
                        eprintln!("stale: {s}");
                    }
                    eprintln!("{} stale file(s); run `cargo run -p codegen -- generate` and commit the result", stale.len());
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// The nearest directory at or above the current one that holds `spec/families.yaml`
/// (so the same binary works in any checkout); the current directory when none does.
fn find_workspace() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    cwd.ancestors()
        .find(|d| d.join("spec").join("families.yaml").is_file())
        .map(PathBuf::from)
        .unwrap_or(cwd)
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("error: {msg}\n\n{USAGE}");
    ExitCode::from(2)
}
