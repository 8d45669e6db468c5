//! The `codegen` command line (clap): `generate`, `check`, `openapi`, `ir` over the spec, and
//! the maintainer commands `audit` (a doc page against the spec), `diff` (what a spec change
//! means for callers) and `lint` (glosses).

use clap::{Parser, Subcommand};
use codegen::{audit, diff, tree::Stale};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "codegen",
    about = "Generator and maintainer tools for the wechatpay-marketing crate",
    after_help = "<workspace> is the nearest directory at or above the current one holding spec/families.yaml."
)]
struct Cli {
    /// Spec root [default: <workspace>/spec]
    #[arg(long, global = true, value_name = "DIR")]
    spec: Option<PathBuf>,
    /// Generated crate root [default: <workspace>/generated-sdk]
    #[arg(long, global = true, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Markdown reference templates [default: <workspace>/templates]
    #[arg(long, global = true, value_name = "DIR")]
    templates: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Rewrite the generator-owned files of generated-sdk/ from spec/
    Generate,
    /// Exit 1 and print a unified diff of each stale file when generated-sdk/ differs from a
    /// fresh generation
    Check {
        /// Name the stale files only, without diffs
        #[arg(long)]
        names_only: bool,
    },
    /// Print an OpenAPI 3.1 document (JSON) of the whole spec
    Openapi,
    /// Print the checked IR (JSON), for debugging the spec
    Ir,
    /// Compare a doc page saved as text with the spec of the operation it documents; exit 1
    /// when they differ
    Audit {
        /// The saved page (text)
        page: PathBuf,
        /// Print the findings as JSON
        #[arg(long)]
        json: bool,
    },
    /// Classify every change of the spec between REV and the working tree (breaking,
    /// compatible, docs-only) and print the semver bump and a CHANGELOG entry
    Diff {
        /// Git revision of the old spec
        #[arg(default_value = "HEAD")]
        rev: String,
        /// Print the changes as JSON
        #[arg(long)]
        json: bool,
    },
    /// Report every field, enum value and error row without a `gloss`, and source shorthand
    /// in `gloss`/`user_note`; exit 1 when any
    Lint {
        /// Print only the count
        #[arg(long)]
        count: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let workspace = find_workspace();
    let spec = cli.spec.unwrap_or_else(|| workspace.join("spec"));
    let out = cli.out.unwrap_or_else(|| workspace.join("generated-sdk"));
    let templates = cli.templates.unwrap_or_else(|| workspace.join("templates"));
    let prefix = display_prefix(&spec);
    if let Command::Lint { count } = cli.command {
        return lint(&spec, &prefix, count);
    }
    let api = match codegen::load_api_report(&spec) {
        Ok(api) => api,
        Err(report) => {
            eprint!("{}", report.render(&prefix));
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Command::Openapi => print_json(&codegen::emit::openapi::openapi(&api)),
        Command::Ir => print_json(&api),
        Command::Audit { page, json } => audit_page(&api, &page, json),
        Command::Diff { rev, json } => diff_rev(&api, &spec, &out, &rev, json),
        Command::Generate | Command::Check { .. } => {
            let tree = match codegen::generate_tree_with(&api, &templates) {
                Ok(t) => t,
                Err(diags) => {
                    eprint!("{}", codegen::diag::render(&diags));
                    return ExitCode::FAILURE;
                }
            };
            match cli.command {
                Command::Check { names_only } => check(&out, &tree, names_only),
                _ => generate(&out, &tree),
            }
        }
        Command::Lint { .. } => unreachable!("handled above"),
    }
}

/// Writes to stdout, ignoring a closed pipe (`codegen lint | head`).
fn emit(s: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(s.as_bytes());
}

fn print_json<T: serde::Serialize>(v: &T) -> ExitCode {
    match serde_json::to_string_pretty(v) {
        Ok(s) => {
            emit(&format!("{s}\n"));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot serialize: {e}");
            ExitCode::FAILURE
        }
    }
}

fn generate(out: &Path, tree: &codegen::emit::Tree) -> ExitCode {
    match codegen::tree::write(out, tree) {
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
}

fn check(out: &Path, tree: &codegen::emit::Tree, names_only: bool) -> ExitCode {
    let stale = codegen::tree::check(out, tree);
    if stale.is_empty() {
        println!("generated-sdk is up to date ({} files)", tree.len());
        return ExitCode::SUCCESS;
    }
    let shown = display_prefix(out);
    for s in &stale {
        if names_only {
            eprintln!("stale: {s}");
            continue;
        }
        let (rel, have, want) = match s {
            Stale::Differs(rel) => (
                rel,
                std::fs::read_to_string(out.join(rel)).unwrap_or_default(),
                tree[rel].clone(),
            ),
            Stale::Missing(rel) => (rel, String::new(), tree[rel].clone()),
            Stale::Extra(rel) => (
                rel,
                std::fs::read_to_string(out.join(rel)).unwrap_or_default(),
                String::new(),
            ),
        };
        eprintln!("stale: {s}");
        let diff = similar::TextDiff::from_lines(&have, &want);
        emit(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{shown}{rel}"), &format!("b/{shown}{rel}"))
                .to_string(),
        );
    }
    eprintln!(
        "{} stale file(s); run `cargo run -p codegen -- generate` and commit the result",
        stale.len()
    );
    ExitCode::FAILURE
}

fn audit_page(api: &codegen::ir::Api, page: &Path, json: bool) -> ExitCode {
    let text = match std::fs::read_to_string(page) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", page.display());
            return ExitCode::from(2);
        }
    };
    let result = audit::audit(api, &text);
    if result.method.is_none() || result.path.is_none() {
        eprintln!(
            "error: {} names no method and path (no `请求方式:` line): not an API reference page, nothing to audit",
            page.display()
        );
        return ExitCode::from(2);
    }
    if json {
        if print_json(&result) != ExitCode::SUCCESS {
            return ExitCode::from(2);
        }
    } else {
        emit(&audit::render(&result));
        let what = match (&result.operation, &result.spec_file) {
            (Some(op), Some(file)) => format!("documents {op} (spec/{file})"),
            _ => format!(
                "documents {} {}",
                result.method.as_deref().unwrap_or("?"),
                result.path.as_deref().unwrap_or("?")
            ),
        };
        eprintln!(
            "{}: {what}; {} finding(s)",
            page.display(),
            result.findings.len()
        );
    }
    if result.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn diff_rev(api: &codegen::ir::Api, spec: &Path, out: &Path, rev: &str, json: bool) -> ExitCode {
    let old_files = match diff::git::spec_at(spec, rev) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let old = match codegen::check_sources(&old_files, codegen::diag::Diagnostics::default()) {
        Ok(a) => a,
        Err(report) => {
            eprintln!("error: the spec at {rev} does not check:");
            eprint!("{}", report.render(&format!("{rev}:spec/")));
            return ExitCode::from(2);
        }
    };
    let changes = diff::diff(&old, api);
    let bump = diff::bump(&changes);
    let current = crate_version(out).unwrap_or_else(|| "0.1.0".into());
    let next = diff::next_version(&current, bump);
    if json {
        #[derive(serde::Serialize)]
        struct Out<'a> {
            rev: &'a str,
            changes: &'a [diff::Change],
            bump: diff::Bump,
            version: &'a str,
            next_version: &'a str,
        }
        return print_json(&Out {
            rev,
            changes: &changes,
            bump,
            version: &current,
            next_version: &next,
        });
    }
    let mut text: String = changes.iter().map(|c| format!("{c}\n")).collect();
    let count = |i: diff::Impact| changes.iter().filter(|c| c.impact == i).count();
    let verdict = match bump {
        diff::Bump::Major => "breaking",
        diff::Bump::Minor => "compatible",
        diff::Bump::Patch => "docs-only",
        diff::Bump::None => "no change",
    };
    text.push_str(&format!(
        "\nverdict: {verdict} ({} breaking, {} compatible, {} docs-only since {rev}); semver {} bump: {current} → {next}\n",
        count(diff::Impact::Breaking),
        count(diff::Impact::Compatible),
        count(diff::Impact::Docs),
        format!("{bump:?}").to_lowercase()
    ));
    text.push_str(&format!(
        "\nCHANGELOG entry:\n\n{}",
        diff::changelog(&changes, &next)
    ));
    emit(&text);
    ExitCode::SUCCESS
}

fn lint(spec: &Path, prefix: &str, count_only: bool) -> ExitCode {
    let mut diags = codegen::diag::Diagnostics::default();
    let files = codegen::load::read_dir(spec, &mut diags);
    let raw = codegen::load::parse(&files, &mut diags);
    if !diags.is_empty() {
        eprint!("{}", codegen::diag::render(diags.items()));
        return ExitCode::FAILURE;
    }
    let found = codegen::lint::lint(&raw);
    let positions: std::collections::BTreeMap<&str, _> = files
        .iter()
        .map(|f| {
            (
                f.rel_path.as_str(),
                codegen::load::positions::Positions::of(&f.text),
            )
        })
        .collect();
    let n = found.items().len();
    if !count_only {
        let mut text = String::new();
        for d in found.items() {
            let mut d = d.clone();
            d.line_col = positions
                .get(d.file.as_str())
                .and_then(|p| p.find(&d.path))
                .map(|p| (p.line, p.col));
            text.push_str(&format!("{prefix}{d}\n"));
        }
        emit(&text);
    }
    eprintln!("lint: {n} finding(s)");
    if n == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `version = "…"` of the generated crate's Cargo.toml.
fn crate_version(out: &Path) -> Option<String> {
    let text = std::fs::read_to_string(out.join("Cargo.toml")).ok()?;
    text.lines()
        .find_map(|l| l.trim().strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .map(str::to_string)
}

/// How to show paths below `dir`: relative to the current directory when inside it
/// (`spec/`), else as given.
fn display_prefix(dir: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let abs = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let cwd = cwd.canonicalize().unwrap_or(cwd);
    let shown = abs
        .strip_prefix(&cwd)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| dir.to_path_buf());
    let s = shown.to_string_lossy().replace('\\', "/");
    if s.is_empty() {
        String::new()
    } else {
        format!("{}/", s.trim_end_matches('/'))
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
