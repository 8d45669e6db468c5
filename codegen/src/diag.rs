//! Diagnostics: every problem found in a spec, with file, YAML path and (for syntax errors)
//! line:column. Collected, never thrown: a maintainer sees every problem at once.

use std::fmt;

/// One problem in the spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// Spec file, relative to the spec root (`favor/list_stocks.yaml`).
    pub file: String,
    /// 1-based line and column, for YAML syntax errors.
    pub line_col: Option<(usize, usize)>,
    /// YAML path (`types.StockRule.fields.max_coupons.max`), empty for the whole file.
    pub path: String,
    /// What is wrong, and where useful how to fix it.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some((line, col)) = self.line_col {
            write!(f, ":{line}:{col}")?;
        }
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A collector of diagnostics. Checking code pushes into it and carries on.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Records a problem at `file` / `path`.
    pub fn error(&mut self, file: &str, path: impl Into<String>, message: impl Into<String>) {
        self.items.push(Diagnostic {
            file: file.to_string(),
            line_col: None,
            path: path.into(),
            message: message.into(),
        });
    }

    /// Records a problem with a source position.
    pub fn error_at(
        &mut self,
        file: &str,
        line_col: Option<(usize, usize)>,
        message: impl Into<String>,
    ) {
        self.items.push(Diagnostic {
            file: file.to_string(),
            line_col,
            path: String::new(),
            message: message.into(),
        });
    }

    /// Whether nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The diagnostics, in the order they were found.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// `Ok(value)` when nothing was reported, otherwise every diagnostic.
    pub fn into_result<T>(self, value: T) -> Result<T, Vec<Diagnostic>> {
        if self.items.is_empty() {
            Ok(value)
        } else {
            Err(self.items)
        }
    }
}

/// Renders diagnostics one per line, followed by a count.
pub fn render(diags: &[Diagnostic]) -> String {
    let mut s = String::new();
    for d in diags {
        s.push_str("error: ");
        s.push_str(&d.to_string());
        s.push('\n');
    }
    s.push_str(&format!(
        "{} error{} in spec\n",
        diags.len(),
        if diags.len() == 1 { "" } else { "s" }
    ));
    s
}
