//! The generator-owned files of `generated-sdk/`: writing a fresh generation, and comparing
//! the committed files with one. A file is owned when its first line carries the marker.

use crate::emit::{Tree, MARKER};
use std::path::{Path, PathBuf};

/// Directories below the crate root where generated files may live.
const OWNED_DIRS: &[&str] = &["src/api", "src/testing", "src", "tests", "docs"];

/// Paths (relative, `/`-separated) of every file below `root` that carries the marker.
pub fn owned_files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for dir in OWNED_DIRS {
        let base = root.join(dir);
        let recursive = *dir != "src";
        collect(root, &base, recursive, &mut out);
    }
    out.sort();
    out.dedup();
    out
}

fn collect(root: &Path, dir: &Path, recursive: bool, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if recursive {
                collect(root, &p, recursive, out);
            }
        } else if is_owned(&p) {
            if let Ok(rel) = p.strip_prefix(root) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
}

fn is_owned(p: &Path) -> bool {
    std::fs::read_to_string(p)
        .map(|s| s.lines().next().is_some_and(|l| l.contains(MARKER)))
        .unwrap_or(false)
}

/// What differs between the committed files and a fresh generation.
#[derive(Debug, PartialEq, Eq)]
pub enum Stale {
    Missing(String),
    Differs(String),
    Extra(String),
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stale::Missing(p) => write!(f, "{p}: missing (not generated yet)"),
            Stale::Differs(p) => write!(f, "{p}: stale (differs from a fresh generation)"),
            Stale::Extra(p) => write!(f, "{p}: no longer generated (delete it or regenerate)"),
        }
    }
}

/// Compares `root` with `tree`.
pub fn check(root: &Path, tree: &Tree) -> Vec<Stale> {
    let mut out = Vec::new();
    for (rel, want) in tree {
        match std::fs::read_to_string(root.join(rel)) {
            Ok(have) if have == *want => {}
            Ok(_) => out.push(Stale::Differs(rel.clone())),
            Err(_) => out.push(Stale::Missing(rel.clone())),
        }
    }
    for rel in owned_files(root) {
        if !tree.contains_key(&rel) {
            out.push(Stale::Extra(rel));
        }
    }
    out
}

/// Writes `tree` below `root` and removes owned files it no longer contains.
/// Returns the paths written or removed.
pub fn write(root: &Path, tree: &Tree) -> std::io::Result<Vec<String>> {
    let mut changed = Vec::new();
    for rel in owned_files(root) {
        if !tree.contains_key(&rel) {
            std::fs::remove_file(root.join(&rel))?;
            changed.push(format!("removed {rel}"));
        }
    }
    for (rel, text) in tree {
        let path: PathBuf = root.join(rel);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text)?;
        changed.push(format!("wrote {rel}"));
    }
    Ok(changed)
}
