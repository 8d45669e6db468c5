//! Build-time use: generate chosen families or operations from a spec directory into one Rust
//! file (for a downstream crate's `build.rs`, written into `OUT_DIR` and `include!`d).
//!
//! ```no_run
//! // build.rs of a crate that depends on `wechatpay-marketing` (for the runtime) and has
//! // `codegen` as a build-dependency:
//! let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("wechatpay_api.rs");
//! codegen::build::Build::new("../spec")
//!     .operation("favor.start_stock")
//!     .write(&out)
//!     .unwrap();
//! // src/lib.rs: include!(concat!(env!("OUT_DIR"), "/wechatpay_api.rs"));
//! // then: favor::FavorClient::new(&client).start_stock(&request).await
//! ```
//!
//! The generated code names `crate::runtime`, `crate::Client` … , so the file is included at
//! the crate root; by default it starts with the `pub use wechatpay_marketing::{…}` lines that
//! provide them (see [`Build::prelude`]). The including crate depends on `wechatpay-marketing`
//! (the runtime), `serde` (with `derive`) and `serde_json`, which the generated types use.

use crate::ir::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The items the generated code expects at the crate root, re-exported from the runtime crate.
pub const PRELUDE: &str = "#[allow(unused_imports)]\npub use ::wechatpay_marketing::{\n    runtime, ApiV3Key, BuildError, Client, Error, ErrorRow, HeaderLookup, Notification, Pages,\n    Timestamp, Validate,\n};\n";

/// What to generate, and from where.
#[derive(Debug, Clone)]
pub struct Build {
    spec: PathBuf,
    templates: PathBuf,
    families: BTreeSet<String>,
    operations: BTreeSet<String>,
    prelude: bool,
}

impl Build {
    /// Generates from the spec below `spec_dir` (every family unless narrowed).
    pub fn new(spec_dir: impl Into<PathBuf>) -> Build {
        Build {
            spec: spec_dir.into(),
            templates: crate::default_templates_dir(),
            families: BTreeSet::new(),
            operations: BTreeSet::new(),
            prelude: true,
        }
    }

    /// Keeps this family (all its operations and notifications).
    pub fn family(mut self, id: &str) -> Build {
        self.families.insert(id.to_string());
        self
    }

    /// Keeps this operation (`family.operation` or a bare operation id) and the types it uses.
    pub fn operation(mut self, id: &str) -> Build {
        self.operations.insert(id.to_string());
        self
    }

    /// Whether the file starts with [`PRELUDE`] (default: yes). Turn it off when the crate
    /// root provides `runtime`, `Client`, `BuildError`, `Validate` … itself.
    pub fn prelude(mut self, yes: bool) -> Build {
        self.prelude = yes;
        self
    }

    /// The Markdown templates directory the generator needs (default: the workspace's).
    pub fn templates(mut self, dir: impl Into<PathBuf>) -> Build {
        self.templates = dir.into();
        self
    }

    fn keeps_op(&self, fam: &str, op: &str) -> bool {
        self.families.contains(fam)
            || self.operations.contains(op)
            || self.operations.contains(&format!("{fam}.{op}"))
    }

    /// Narrows the API to the selection; an unknown name is an error.
    fn select(&self, mut api: Api) -> Result<Api, String> {
        let all = self.families.is_empty() && self.operations.is_empty();
        for name in &self.operations {
            let found = api.families.iter().any(|f| {
                f.operations
                    .iter()
                    .any(|o| *name == o.id || *name == format!("{}.{}", f.id, o.id))
            });
            if !found {
                return Err(format!("no operation `{name}` in the spec"));
            }
        }
        for name in &self.families {
            if !api.families.iter().any(|f| f.id == *name) {
                return Err(format!("no family `{name}` in the spec"));
            }
        }
        if all {
            return Ok(api);
        }
        api.families.retain(|f| {
            self.families.contains(&f.id)
                || f.operations.iter().any(|o| self.keeps_op(&f.id, &o.id))
        });
        for fam in &mut api.families {
            if self.families.contains(&fam.id) {
                continue;
            }
            let id = fam.id.clone();
            fam.operations.retain(|o| self.keeps_op(&id, &o.id));
            fam.notifications.clear();
            let roots: Vec<String> = fam
                .operations
                .iter()
                .flat_map(|o| {
                    std::iter::once(o.request_type.clone()).chain(o.response.type_name.clone())
                })
                .collect();
            let used = used_types(fam, roots);
            fam.types.retain(|t| used.contains(t.name()));
        }
        Ok(api)
    }

    /// The generated Rust source.
    pub fn render(&self) -> Result<String, String> {
        let api = crate::load_api(&self.spec).map_err(|d| crate::diag::render(&d))?;
        let api = self.select(api)?;
        let tree = crate::generate_tree_with(&api, &self.templates)
            .map_err(|d| crate::diag::render(&d))?;
        let mut out = format!(
            "// {} via codegen::build from {}. Do not edit.\n",
            crate::emit::MARKER,
            self.spec.display()
        );
        if self.prelude {
            out.push_str(PRELUDE);
        }
        out.push_str("pub mod api {\n");
        for fam in &api.families {
            let dir = format!("src/api/{}", fam.id);
            let Some(root) = tree.get(&format!("{dir}/mod.rs")) else {
                return Err(format!("{dir}/mod.rs was not generated"));
            };
            out.push_str(&format!("pub mod {} {{\n", fam.id));
            out.push_str(&inline_modules(root, &dir, &tree)?);
            out.push_str("}\n");
        }
        out.push_str("}\npub use api::*;\n");
        Ok(out)
    }

    /// Writes the generated source to `out` (only when it changed) and tells cargo to rerun
    /// the build script when the spec changes.
    pub fn write(&self, out: &Path) -> Result<(), String> {
        println!("cargo:rerun-if-changed={}", self.spec.display());
        let text = self.render()?;
        if std::fs::read_to_string(out).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(out, text).map_err(|e| format!("{}: {e}", out.display()))?;
        }
        Ok(())
    }
}

/// Replaces each `mod name;` line of `text` by the module's file from `tree`, inline.
fn inline_modules(text: &str, dir: &str, tree: &crate::emit::Tree) -> Result<String, String> {
    let mut out = String::new();
    for line in text.lines() {
        let decl = line.strip_suffix(';').and_then(|l| {
            l.strip_prefix("pub mod ")
                .or_else(|| l.strip_prefix("mod "))
        });
        match decl {
            Some(name) if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                let vis = if line.starts_with("pub ") { "pub " } else { "" };
                let file = format!("{dir}/{name}.rs");
                let body = tree
                    .get(&file)
                    .ok_or_else(|| format!("{file} was not generated"))?;
                out.push_str(&format!("{vis}mod {name} {{\n{body}}}\n"));
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    Ok(out)
}

/// Every type name reachable from `roots` through fields (objects and enums).
fn used_types(fam: &Family, roots: Vec<String>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack = roots;
    while let Some(name) = stack.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(o) = fam.find_object(&name) {
            for f in &o.fields {
                let mut s = &f.schema;
                while let Ty::Array(inner) = &s.ty {
                    s = inner;
                }
                if let Ty::Object(n) | Ty::Enum(n) = &s.ty {
                    stack.push(n.clone());
                }
            }
        }
    }
    seen
}
