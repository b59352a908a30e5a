//! The front end: parse Python source with ruff's parser and lower it to Cellar's AST.
//!
//! Anything outside the supported subset is rejected here, before scope analysis, with
//! `SyntaxError: '<construct>' is not supported by cellar` pointing at the construct.

pub mod ast;
pub mod lower;

use ast::Span;

/// A compile-time error (syntax error, unsupported construct, scope error) with its location.
#[derive(Clone, Debug)]
pub struct CompileError {
    /// Python exception type name, e.g. `SyntaxError`.
    pub kind: &'static str,
    /// The message after `SyntaxError: `.
    pub message: String,
    /// Where the error is.
    pub span: Span,
}

impl CompileError {
    /// A `SyntaxError` at `span`.
    pub fn syntax(message: impl Into<String>, span: Span) -> Self {
        CompileError {
            kind: "SyntaxError",
            message: message.into(),
            span,
        }
    }

    /// The error for a construct outside Cellar's subset.
    pub fn unsupported(construct: &str, span: Span) -> Self {
        Self::syntax(format!("'{construct}' is not supported by cellar"), span)
    }

    /// Render as CPython prints a SyntaxError: file and line, the source line, a caret line,
    /// then `SyntaxError: message`.
    pub fn render(&self, file: &str, source: &SourceText) -> String {
        let (line, col) = source.line_col(self.span.start);
        let col = col as usize;
        let text = source.line_text(line);
        let trimmed = text.trim_start();
        let indent = text.len() - trimmed.len();
        let trimmed = trimmed.trim_end();
        let mut out = format!("  File \"{file}\", line {line}\n");
        if !trimmed.is_empty() {
            out.push_str(&format!("    {trimmed}\n"));
            let start = col.saturating_sub(indent).min(trimmed.chars().count());
            let width = {
                let (eline, ecol) = source.line_col(self.span.end.max(self.span.start));
                let ecol = ecol as usize;
                if eline == line && ecol > col {
                    (ecol - col).min(trimmed.chars().count().saturating_sub(start)).max(1)
                } else {
                    1
                }
            };
            out.push_str(&format!("    {}{}\n", " ".repeat(start), "^".repeat(width)));
        }
        out.push_str(&format!("{}: {}\n", self.kind, self.message));
        out
    }
}

/// Program source with a line index, for turning byte offsets into lines and columns.
#[derive(Clone, Debug)]
pub struct SourceText {
    /// The full source text.
    pub text: String,
    line_starts: Vec<u32>,
}

impl SourceText {
    /// Index `text`.
    pub fn new(text: String) -> Self {
        let mut line_starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i as u32 + 1);
            }
        }
        SourceText { text, line_starts }
    }

    /// 1-based line and 0-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let offset = offset.min(self.text.len() as u32);
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line] as usize;
        let end = (offset as usize).max(start);
        let col = self.text.get(start..end).map(|s| s.chars().count()).unwrap_or(0);
        (line as u32 + 1, col as u32)
    }

    /// 1-based line number of a byte offset.
    pub fn line(&self, offset: u32) -> u32 {
        self.line_col(offset).0
    }

    /// The text of a 1-based line, without its newline.
    pub fn line_text(&self, line: u32) -> &str {
        let i = (line as usize).saturating_sub(1);
        let Some(&start) = self.line_starts.get(i) else {
            return "";
        };
        let end = self
            .line_starts
            .get(i + 1)
            .map(|&e| e as usize)
            .unwrap_or(self.text.len());
        self.text[start as usize..end].trim_end_matches(['\n', '\r'])
    }
}
