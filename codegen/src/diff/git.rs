//! The spec as of a git revision: `git ls-tree` lists the YAML files below the spec directory
//! at REV and `git show REV:path` reads each (local repository only, no network).

use crate::load::SourceFile;
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("git output is not UTF-8: {e}"))
}

/// Reads the spec directory `spec_dir` (in a git work tree) as it was at `rev`.
pub fn spec_at(spec_dir: &Path, rev: &str) -> Result<Vec<SourceFile>, String> {
    let top = git(spec_dir, &["rev-parse", "--show-toplevel"])?;
    let top = Path::new(top.trim());
    let abs = spec_dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", spec_dir.display()))?;
    let top = top
        .canonicalize()
        .map_err(|e| format!("{}: {e}", top.display()))?;
    let rel = abs.strip_prefix(&top).map_err(|_| {
        format!(
            "{} is not inside the git work tree {}",
            abs.display(),
            top.display()
        )
    })?;
    let rel = rel.to_string_lossy().replace('\\', "/");
    let prefix = if rel.is_empty() {
        String::new()
    } else {
        format!("{rel}/")
    };
    let listing = git(&top, &["ls-tree", "-r", "--name-only", rev, "--", &prefix])?;
    let mut files = Vec::new();
    for path in listing.lines() {
        if !(path.ends_with(".yaml") || path.ends_with(".yml")) {
            continue;
        }
        let text = git(&top, &["show", &format!("{rev}:{path}")])?;
        files.push(SourceFile {
            rel_path: path.strip_prefix(&prefix).unwrap_or(path).to_string(),
            text,
        });
    }
    if files.is_empty() {
        return Err(format!("no spec files under {prefix} at {rev}"));
    }
    files.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    Ok(files)
}
