//! Parse Python source with ruff's parser and lower it to Cellar's AST ([`super::ast`]).
//!
//! The steps, in CPython's order of reporting:
//! 1. Parse with `ruff_python_parser` (target Python 3.11). Ruff recovers from errors, so the
//!    first error is translated to CPython's wording (`expected ':'`, `'(' was never closed`,
//!    `IndentationError: unexpected indent`, `cannot assign to function call here. ...`).
//!    Bracket nesting deeper than 200 (`too many nested parentheses`) and indentation deeper than
//!    99 levels (`too many levels of indentation`) are rejected from the token stream, as CPython's
//!    tokenizer does. Ruff's own parser grows its stack as needed, so deep input cannot crash it;
//!    a syntax tree nested deeper than [`MAX_DEPTH`] is rejected with
//!    `RecursionError: maximum recursion depth exceeded during compilation` and is leaked rather
//!    than dropped (dropping it would recurse).
//! 2. Lower every node, rejecting constructs outside Cellar's subset with
//!    `'<construct>' is not supported by cellar` at the first one met.
//! 3. Errors CPython reports after parsing (symbol-table errors such as `duplicate argument`,
//!    then compiler errors such as `'return' outside function`, `'break' outside loop`,
//!    `keyword argument repeated`, `too many statically nested blocks`) are collected while
//!    lowering; if there is one, [`crate::scope::analyze`] runs first so that its errors win, as
//!    CPython's symtable pass runs before its compiler pass.
//!
//! Scope ids: the module is 0; every `def` and `lambda` gets the next id in order of the position
//! of its `def`/`lambda` keyword in the source (so a lambda inside a decorator gets a smaller id
//! than the function it decorates, and a lambda in a default value a larger one).

use super::ast::*;
use super::{CompileError, SourceText};
use ruff_python_ast as py;
use ruff_python_ast::token::TokenKind;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_parser::{Mode, ParseErrorType, ParseOptions, UnsupportedSyntaxErrorKind};
use ruff_text_size::{Ranged, TextRange};

/// What a comprehension builds (see [`Lowerer::comprehension`]).
#[derive(Clone, Copy)]
enum Comprehension<'a> {
    /// `[elt for ...]`.
    List(&'a py::Expr),
    /// `{key: value for ...}`.
    Dict(&'a py::Expr, &'a py::Expr),
}

/// Deepest nesting of expressions and statements accepted (CPython's recursion limit).
pub const MAX_DEPTH: usize = 1000;
/// Deepest bracket nesting accepted (CPython's tokenizer `MAXLEVEL`).
pub const MAX_PAREN_DEPTH: usize = 200;
/// Indentation levels CPython's tokenizer accepts (`MAXINDENT` is 100 including level 0).
pub const MAX_INDENT: usize = 99;
/// Statically nested blocks per function (CPython's `CO_MAXBLOCKS`).
const MAX_BLOCKS: u32 = 20;

/// Parse `source` as a module and lower it to Cellar's AST.
pub fn parse_module(source: &SourceText) -> Result<Module, CompileError> {
    let options = ParseOptions::from(Mode::Module).with_target_version(ruff_python_ast::PythonVersion::PY311);
    let parsed = ruff_python_parser::parse_unchecked(&source.text, options)
        .try_into_module()
        .expect("module mode yields a module");
    let too_deep = deep_node(parsed.syntax(), MAX_DEPTH);
    let result = check_and_lower(&parsed, source, too_deep);
    if too_deep.is_some() {
        // Dropping a very deep ruff tree recurses once per level: leak it instead.
        std::mem::forget(parsed);
    }
    result
}

fn span(r: TextRange) -> Span {
    Span {
        start: r.start().into(),
        end: r.end().into(),
    }
}

fn check_and_lower(
    parsed: &ruff_python_parser::Parsed<py::ModModule>,
    source: &SourceText,
    too_deep: Option<TextRange>,
) -> Result<Module, CompileError> {
    let text = source.text.as_str();
    let first_error = parsed.errors().first();
    token_checks(parsed.tokens(), source, first_error.map(|e| e.location.start().into()))?;
    if let Some(err) = first_error {
        return Err(translate_error(err, parsed, source));
    }
    if let Some(err) = parsed.unsupported_syntax_errors().iter().find(|e| {
        !matches!(
            e.kind,
            UnsupportedSyntaxErrorKind::TypeAliasStatement
                | UnsupportedSyntaxErrorKind::TypeParameterList
                | UnsupportedSyntaxErrorKind::TypeParamDefault
                | UnsupportedSyntaxErrorKind::LazyImportStatement
        )
    }) {
        return Err(CompileError::syntax("invalid syntax", span(err.range)));
    }
    if let Some(r) = too_deep {
        return Err(CompileError {
            kind: "RecursionError",
            message: "maximum recursion depth exceeded during compilation".into(),
            span: span(r),
        });
    }
    let mut lw = Lowerer {
        src: text,
        next_scope: 1,
        in_function: false,
        loop_depth: 0,
        fblocks: 0,
        compile_error: None,
        symtable_error: false,
        comprehensions: Vec::new(),
        in_comprehension_iterable: 0,
        walrus_error: None,
    };
    let body = lw.stmts(&parsed.syntax().body)?;
    let module = Module { body };
    if lw.symtable_error || lw.compile_error.is_some() || lw.walrus_error.is_some() {
        // Symbol-table errors come before compiler errors. A misused `:=` is an error of
        // the symbol table's first pass, which reports the first it meets in the source;
        // its second pass (unresolvable `nonlocal`s) comes after.
        if let Some(w) = lw.walrus_error {
            return Err(match crate::scope::first_pass_error(&module) {
                Some(e) if e.span.start < w.span.start => e,
                _ => w,
            });
        }
        crate::scope::analyze(&module)?;
    }
    match lw.compile_error {
        Some(e) => Err(e),
        None => Ok(module),
    }
}

// ---------------------------------------------------------------------------------------------
// Depth guard
// ---------------------------------------------------------------------------------------------

/// The first node nested deeper than `limit`, if any. Never recurses deeper than `limit`.
fn deep_node(module: &py::ModModule, limit: usize) -> Option<TextRange> {
    struct Probe {
        depth: usize,
        limit: usize,
        found: Option<TextRange>,
    }
    impl<'a> Visitor<'a> for Probe {
        fn visit_stmt(&mut self, stmt: &'a py::Stmt) {
            if self.found.is_some() {
                return;
            }
            self.depth += 1;
            if self.depth > self.limit {
                self.found = Some(stmt.range());
            } else {
                visitor::walk_stmt(self, stmt);
            }
            self.depth -= 1;
        }
        fn visit_expr(&mut self, expr: &'a py::Expr) {
            if self.found.is_some() {
                return;
            }
            self.depth += 1;
            if self.depth > self.limit {
                self.found = Some(expr.range());
            } else {
                visitor::walk_expr(self, expr);
            }
            self.depth -= 1;
        }
    }
    let mut probe = Probe {
        depth: 0,
        limit,
        found: None,
    };
    probe.visit_body(&module.body);
    probe.found
}

// ---------------------------------------------------------------------------------------------
// Token-level checks (CPython tokenizer errors)
// ---------------------------------------------------------------------------------------------

fn closer_for(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

/// Bracket and indentation checks on the token stream. `first_error` is the offset of ruff's
/// first error, if any: bracket problems after it are left to the error translation.
fn token_checks(
    tokens: &ruff_python_ast::token::Tokens,
    source: &SourceText,
    first_error: Option<u32>,
) -> Result<(), CompileError> {
    let mut stack: Vec<(char, TextRange)> = Vec::new();
    // CPython's indentation stack: (column with tabs to 8, column with tabs to 1).
    let mut indents: Vec<(u32, u32)> = vec![(0, 0)];
    let mut line_start = true;
    for tok in tokens.iter() {
        let r = tok.range();
        let at: u32 = r.start().into();
        let open = match tok.kind() {
            TokenKind::Lpar => Some('('),
            TokenKind::Lsqb => Some('['),
            TokenKind::Lbrace => Some('{'),
            _ => None,
        };
        if let Some(c) = open {
            if stack.len() >= MAX_PAREN_DEPTH {
                return Err(CompileError::syntax(
                    "too many nested parentheses",
                    Span { start: at, end: at + 1 },
                ));
            }
            stack.push((c, r));
            continue;
        }
        let close = match tok.kind() {
            TokenKind::Rpar => Some(')'),
            TokenKind::Rsqb => Some(']'),
            TokenKind::Rbrace => Some('}'),
            _ => None,
        };
        let before_error = first_error.is_none_or(|e| at <= e);
        if let Some(c) = close {
            match stack.pop() {
                None if before_error => {
                    return Err(CompileError::syntax(format!("unmatched '{c}'"), span(r)));
                }
                Some((o, orange)) if closer_for(o) != c && before_error => {
                    let (oline, _) = source.line_col(orange.start().into());
                    let (cline, _) = source.line_col(at);
                    let msg = if oline == cline {
                        format!("closing parenthesis '{c}' does not match opening parenthesis '{o}'")
                    } else {
                        format!("closing parenthesis '{c}' does not match opening parenthesis '{o}' on line {oline}")
                    };
                    return Err(CompileError::syntax(msg, span(r)));
                }
                _ => {}
            }
            continue;
        }
        match tok.kind() {
            TokenKind::Newline => line_start = true,
            TokenKind::NonLogicalNewline
            | TokenKind::Comment
            | TokenKind::Indent
            | TokenKind::Dedent
            | TokenKind::EndOfFile => {}
            _ if line_start => {
                line_start = false;
                let text = &source.text[..at as usize];
                let ls = text.rfind('\n').map(|i| i + 1).unwrap_or(0);
                if first_error.is_some_and(|e| (ls as u32) > e) {
                    continue;
                }
                let (mut col, mut alt) = (0u32, 0u32);
                for c in text[ls..].chars() {
                    match c {
                        ' ' => {
                            col += 1;
                            alt += 1;
                        }
                        '\t' => {
                            col = (col / 8 + 1) * 8;
                            alt += 1;
                        }
                        '\x0c' => {
                            col = 0;
                            alt = 0;
                        }
                        _ => {}
                    }
                }
                let line_span = Span {
                    start: ls as u32,
                    end: at,
                };
                let tab_error = || CompileError {
                    kind: "TabError",
                    message: "inconsistent use of tabs and spaces in indentation".into(),
                    span: line_span,
                };
                let &(top, top_alt) = indents.last().expect("level 0");
                if col == top {
                    if alt != top_alt {
                        return Err(tab_error());
                    }
                } else if col > top {
                    if indents.len() > MAX_INDENT {
                        return Err(CompileError {
                            kind: "IndentationError",
                            message: "too many levels of indentation".into(),
                            span: line_span,
                        });
                    }
                    if alt <= top_alt {
                        return Err(tab_error());
                    }
                    indents.push((col, alt));
                } else {
                    while indents.len() > 1 && col < indents.last().expect("level").0 {
                        indents.pop();
                    }
                    let &(top, top_alt) = indents.last().expect("level 0");
                    if col == top && alt != top_alt {
                        return Err(tab_error());
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The innermost bracket still open at the end of the token stream, if any.
fn unclosed_bracket(tokens: &ruff_python_ast::token::Tokens) -> Option<(char, TextRange)> {
    let mut stack: Vec<(char, TextRange)> = Vec::new();
    for tok in tokens.iter() {
        match tok.kind() {
            TokenKind::Lpar => stack.push(('(', tok.range())),
            TokenKind::Lsqb => stack.push(('[', tok.range())),
            TokenKind::Lbrace => stack.push(('{', tok.range())),
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.pop()
}

/// The innermost bracket open just before `offset`.
fn innermost_bracket_at(tokens: &ruff_python_ast::token::Tokens, offset: u32) -> Option<char> {
    let mut stack = Vec::new();
    for tok in tokens.iter() {
        if u32::from(tok.start()) >= offset {
            break;
        }
        match tok.kind() {
            TokenKind::Lpar => stack.push('('),
            TokenKind::Lsqb => stack.push('['),
            TokenKind::Lbrace => stack.push('{'),
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.pop()
}

/// Bracket depth just before `offset`.
fn bracket_depth_at(tokens: &ruff_python_ast::token::Tokens, offset: u32) -> usize {
    let mut depth = 0usize;
    for tok in tokens.iter() {
        if u32::from(tok.start()) >= offset {
            break;
        }
        match tok.kind() {
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => depth += 1,
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    depth
}

// ---------------------------------------------------------------------------------------------
// Translating ruff's parse errors into CPython's wording
// ---------------------------------------------------------------------------------------------

/// CPython's name for an expression in "cannot assign to ..." messages.
fn expr_name(e: &py::Expr) -> &'static str {
    use py::Expr as E;
    match e {
        E::Attribute(_) => "attribute",
        E::Subscript(_) => "subscript",
        E::Starred(_) => "starred",
        E::Name(_) => "name",
        E::List(_) => "list",
        E::Tuple(_) => "tuple",
        E::Lambda(_) => "lambda",
        E::Call(_) => "function call",
        E::BoolOp(_) | E::BinOp(_) | E::UnaryOp(_) => "expression",
        E::Generator(_) => "generator expression",
        E::Yield(_) | E::YieldFrom(_) => "yield expression",
        E::Await(_) => "await expression",
        E::ListComp(_) => "list comprehension",
        E::SetComp(_) => "set comprehension",
        E::DictComp(_) => "dict comprehension",
        E::Dict(_) => "dict literal",
        E::Set(_) => "set display",
        E::FString(_) | E::TString(_) => "f-string expression",
        E::NoneLiteral(_) => "None",
        E::BooleanLiteral(b) => {
            if b.value {
                "True"
            } else {
                "False"
            }
        }
        E::EllipsisLiteral(_) => "ellipsis",
        E::StringLiteral(_) | E::BytesLiteral(_) | E::NumberLiteral(_) => "literal",
        E::Compare(_) => "comparison",
        E::If(_) => "conditional expression",
        E::Named(_) => "named expression",
        E::Slice(_) | E::IpyEscapeCommand(_) => "expression",
    }
}

/// Is `e` a valid assignment target (ignoring `__debug__` and attribute support)?
fn valid_target(e: &py::Expr) -> bool {
    match e {
        py::Expr::Name(_) | py::Expr::Attribute(_) | py::Expr::Subscript(_) => true,
        py::Expr::Starred(s) => valid_target(&s.value),
        py::Expr::Tuple(t) => t.elts.iter().all(valid_target),
        py::Expr::List(l) => l.elts.iter().all(valid_target),
        _ => false,
    }
}

/// The first invalid target inside `e`, depth first.
fn first_invalid_target(e: &py::Expr) -> Option<&py::Expr> {
    match e {
        py::Expr::Name(_) | py::Expr::Attribute(_) | py::Expr::Subscript(_) => None,
        py::Expr::Starred(s) => first_invalid_target(&s.value),
        py::Expr::Tuple(t) => t.elts.iter().find_map(first_invalid_target),
        py::Expr::List(l) => l.elts.iter().find_map(first_invalid_target),
        other => Some(other),
    }
}

/// Is `e` at CPython's `bitwise_or` precedence level or tighter (and not list/tuple/True/...)?
fn is_bitwise_or_level(e: &py::Expr, src: &str) -> bool {
    use py::Expr as E;
    // A parenthesized expression is an atom.
    let r = e.range();
    let start: usize = r.start().into();
    if src[..start].trim_end().ends_with('(') && !matches!(e, E::Tuple(_) | E::Generator(_)) {
        return true;
    }
    match e {
        E::BoolOp(_) | E::Compare(_) | E::If(_) | E::Lambda(_) | E::Named(_) | E::Starred(_) => false,
        E::UnaryOp(u) => u.op != py::UnaryOp::Not,
        E::Yield(_) | E::YieldFrom(_) | E::Slice(_) => false,
        _ => true,
    }
}

/// Does the text of `e` begin with a `bitwise_or` (anything but `not`, `lambda`, `*`, `yield`)?
fn starts_with_bitwise_or(e: &py::Expr) -> bool {
    use py::Expr as E;
    match e {
        E::Lambda(_) | E::Starred(_) | E::Yield(_) | E::YieldFrom(_) => false,
        E::UnaryOp(u) => u.op != py::UnaryOp::Not,
        E::BoolOp(b) => b.values.first().is_some_and(starts_with_bitwise_or),
        E::Compare(c) => starts_with_bitwise_or(&c.left),
        E::If(i) => starts_with_bitwise_or(&i.body),
        E::Tuple(t) if !t.parenthesized => t.elts.first().is_some_and(starts_with_bitwise_or),
        _ => true,
    }
}

/// The innermost statement of `body` whose range contains `offset`.
fn stmt_at(body: &[py::Stmt], offset: ruff_text_size::TextSize) -> Option<&py::Stmt> {
    let mut body = body;
    let mut found = None;
    loop {
        let Some(s) = body.iter().find(|s| s.range().contains_inclusive(offset)) else {
            return found;
        };
        found = Some(s);
        let inner: Vec<&[py::Stmt]> = match s {
            py::Stmt::FunctionDef(f) => vec![&f.body],
            py::Stmt::ClassDef(c) => vec![&c.body],
            py::Stmt::For(f) => vec![&f.body, &f.orelse],
            py::Stmt::While(w) => vec![&w.body, &w.orelse],
            py::Stmt::If(i) => {
                let mut v: Vec<&[py::Stmt]> = vec![&i.body];
                v.extend(i.elif_else_clauses.iter().map(|c| &c.body[..]));
                v
            }
            py::Stmt::With(w) => vec![&w.body],
            py::Stmt::Try(t) => {
                let mut v: Vec<&[py::Stmt]> = vec![&t.body];
                v.extend(t.handlers.iter().map(|h| {
                    let py::ExceptHandler::ExceptHandler(h) = h;
                    &h.body[..]
                }));
                v.push(&t.orelse);
                v.push(&t.finalbody);
                v
            }
            _ => vec![],
        };
        match inner
            .into_iter()
            .find(|b| b.iter().any(|s| s.range().contains_inclusive(offset)))
        {
            Some(b) => body = b,
            None => return found,
        }
    }
}

/// CPython's message for an invalid assignment target in statement `stmt`.
fn assignment_target_error(stmt: &py::Stmt, src: &str) -> Option<CompileError> {
    match stmt {
        py::Stmt::Assign(a) => {
            // CPython's `invalid_named_expression` is tried on the first target (each element
            // of an unparenthesized tuple; only the last can be followed by `=`), if what
            // follows the `=` starts with a `bitwise_or` not itself followed by `=`.
            let t = &a.targets[0];
            let next = a.targets.get(1).unwrap_or(&a.value);
            let cand = match t {
                py::Expr::Tuple(tt) if !tt.parenthesized => tt.elts.last(),
                other => Some(other),
            };
            let lookahead_ok =
                starts_with_bitwise_or(next) && (a.targets.len() == 1 || !is_bitwise_or_level(next, src));
            if let (Some(c), true) = (cand, lookahead_ok) {
                if let py::Expr::Name(_) = c {
                    if a.targets.iter().any(|t| first_invalid_target(t).is_some()) {
                        return Some(CompileError::syntax(
                            "invalid syntax. Maybe you meant '==' or ':=' instead of '='?",
                            Span {
                                start: c.range().start().into(),
                                end: next.range().end().into(),
                            },
                        ));
                    }
                }
                let excluded = matches!(
                    c,
                    py::Expr::List(_)
                        | py::Expr::Tuple(_)
                        | py::Expr::Generator(_)
                        | py::Expr::BooleanLiteral(_)
                        | py::Expr::NoneLiteral(_)
                        | py::Expr::Name(_)
                );
                if !excluded && !valid_target(c) && is_bitwise_or_level(c, src) {
                    return Some(CompileError::syntax(
                        format!(
                            "cannot assign to {} here. Maybe you meant '==' instead of '='?",
                            expr_name(c)
                        ),
                        span(c.range()),
                    ));
                }
            }
            let bad = a.targets.iter().find_map(first_invalid_target)?;
            Some(CompileError::syntax(
                format!("cannot assign to {}", expr_name(bad)),
                span(bad.range()),
            ))
        }
        py::Stmt::For(f) => {
            let bad = first_invalid_target(&f.target)?;
            Some(CompileError::syntax(
                format!("cannot assign to {}", expr_name(bad)),
                span(bad.range()),
            ))
        }
        py::Stmt::AugAssign(a) => Some(CompileError::syntax(
            format!(
                "'{}' is an illegal expression for augmented assignment",
                expr_name(&a.target)
            ),
            span(a.target.range()),
        )),
        py::Stmt::Delete(d) => {
            let bad = d.targets.iter().find_map(first_invalid_target)?;
            Some(CompileError::syntax(
                format!("cannot delete {}", expr_name(bad)),
                span(bad.range()),
            ))
        }
        _ => None,
    }
}

/// The 1-based line of the header that an "expected an indented block" error refers to:
/// the nearest line at or before `offset` that starts with `keyword`.
fn header_line(source: &SourceText, offset: u32, keyword: &str) -> u32 {
    let (mut line, _) = source.line_col(offset);
    // The error token may be on the header line itself (end of file) or after it.
    loop {
        let t = source.line_text(line).trim_start();
        let t = t.strip_prefix("async ").map(str::trim_start).unwrap_or(t);
        if let Some(rest) = t.strip_prefix(keyword) {
            if !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
                return line;
            }
        }
        if line <= 1 {
            return source.line(offset);
        }
        line -= 1;
    }
}

fn translate_error(
    err: &ruff_python_parser::ParseError,
    parsed: &ruff_python_parser::Parsed<py::ModModule>,
    source: &SourceText,
) -> CompileError {
    use ruff_python_parser::{InterpolatedStringErrorType as F, LexicalErrorType as L};
    let src = source.text.as_str();
    let loc = err.location;
    let at: u32 = loc.start().into();
    let sp = span(loc);
    let syntax = |m: &str| CompileError::syntax(m, sp);
    let indentation = |m: String| CompileError {
        kind: "IndentationError",
        message: m,
        span: sp,
    };

    // An unclosed bracket before the error: CPython reports it (it reads on to the end).
    let unclosed = unclosed_bracket(parsed.tokens());
    let unclosed_error = |(c, r): (char, TextRange)| CompileError::syntax(format!("'{c}' was never closed"), span(r));
    match &err.error {
        ParseErrorType::Lexical(L::Eof) => {
            return match unclosed {
                Some(u) => unclosed_error(u),
                None => syntax("unexpected EOF while parsing"),
            }
        }
        ParseErrorType::OtherError(m) if m.starts_with("Expected an indented block after ") => {}
        ParseErrorType::Lexical(L::IndentationError) | ParseErrorType::UnexpectedIndentation => {}
        _ => {
            if let Some(u) = unclosed {
                let fstring_brace = u.0 == '{' && matches!(err.error, ParseErrorType::FStringError(_));
                let later_line = source.line(loc.start().into()) > source.line(u.1.start().into());
                if !fstring_brace && u.1.start() <= loc.start() && later_line {
                    return unclosed_error(u);
                }
            }
        }
    }

    match &err.error {
        ParseErrorType::OtherError(m) if m.starts_with("Expected an indented block after ") => {
            let what = &m["Expected an indented block after ".len()..];
            let (cpython, keyword) = match what.replace('`', "").as_str() {
                "function definition" => ("function definition".to_string(), "def".to_string()),
                "class definition" => ("class definition".to_string(), "class".to_string()),
                _ => {
                    let kw: String = what.trim_start_matches('`').chars().take_while(|c| *c != '`').collect();
                    (format!("'{kw}' statement"), kw)
                }
            };
            let line = header_line(source, at, &keyword);
            indentation(format!("expected an indented block after {cpython} on line {line}"))
        }
        ParseErrorType::OtherError(m) if m.starts_with("Expected `except` or `finally`") => {
            let end = src.trim_end().len() as u32;
            let s = if at >= end { Span { start: end, end } } else { sp };
            CompileError::syntax("expected 'except' or 'finally' block", s)
        }
        ParseErrorType::UnexpectedIndentation => indentation("unexpected indent".into()),
        ParseErrorType::Lexical(L::IndentationError) => {
            indentation("unindent does not match any outer indentation level".into())
        }
        ParseErrorType::Lexical(L::UnclosedStringError) => {
            let body = src[at as usize..].trim_start_matches(|c: char| c.is_alphabetic());
            let triple = body.starts_with("'''") || body.starts_with("\"\"\"");
            let end: u32 = loc.end().into();
            let line = if triple && end > at && source.text[..end as usize].ends_with('\n') {
                source.line(end - 1)
            } else {
                source.line(end)
            };
            let s = Span { start: at, end: at };
            if triple {
                CompileError::syntax(
                    format!("unterminated triple-quoted string literal (detected at line {line})"),
                    s,
                )
            } else {
                CompileError::syntax(format!("unterminated string literal (detected at line {line})"), s)
            }
        }
        ParseErrorType::Lexical(L::UnrecognizedToken { tok }) => {
            if tok.is_ascii() {
                syntax("invalid syntax")
            } else if tok.is_alphanumeric() || !tok.is_control() && !tok.is_whitespace() {
                syntax(&format!("invalid character '{tok}' (U+{:04X})", *tok as u32))
            } else {
                syntax(&format!("invalid non-printable character U+{:04X}", *tok as u32))
            }
        }
        ParseErrorType::Lexical(L::OtherError(m)) if m.contains("Invalid decimal integer") => {
            syntax("leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers")
        }
        ParseErrorType::Lexical(L::LineContinuationError) => {
            syntax("unexpected character after line continuation character")
        }
        ParseErrorType::Lexical(L::FStringError(F::SingleRbrace)) | ParseErrorType::FStringError(F::SingleRbrace) => {
            syntax("f-string: single '}' is not allowed")
        }
        ParseErrorType::Lexical(L::FStringError(F::UnclosedLbrace))
        | ParseErrorType::FStringError(F::UnclosedLbrace) => syntax("f-string: expecting '}'"),
        ParseErrorType::Lexical(L::FStringError(F::InvalidConversionFlag))
        | ParseErrorType::FStringError(F::InvalidConversionFlag) => {
            syntax("f-string: invalid conversion character: expected 's', 'r', or 'a'")
        }
        ParseErrorType::Lexical(L::FStringError(F::UnterminatedString))
        | ParseErrorType::FStringError(F::UnterminatedString) => {
            let line = source.line(loc.end().into());
            syntax(&format!("unterminated string literal (detected at line {line})"))
        }
        ParseErrorType::Lexical(L::FStringError(F::UnterminatedTripleQuotedString))
        | ParseErrorType::FStringError(F::UnterminatedTripleQuotedString) => {
            let line = source.line(loc.end().into());
            syntax(&format!(
                "unterminated triple-quoted string literal (detected at line {line})"
            ))
        }
        ParseErrorType::InvalidAssignmentTarget
        | ParseErrorType::InvalidAugmentedAssignmentTarget
        | ParseErrorType::InvalidDeleteTarget => {
            match stmt_at(&parsed.syntax().body, loc.start()).and_then(|s| assignment_target_error(s, src)) {
                Some(e) => e,
                None => syntax("invalid syntax"),
            }
        }
        ParseErrorType::InvalidNamedAssignmentTarget => {
            let name = stmt_at(&parsed.syntax().body, loc.start())
                .and_then(|_| {
                    // Find the target expression by its range.
                    struct Find {
                        range: TextRange,
                        name: Option<&'static str>,
                    }
                    impl<'a> Visitor<'a> for Find {
                        fn visit_expr(&mut self, e: &'a py::Expr) {
                            if e.range() == self.range && self.name.is_none() {
                                self.name = Some(expr_name(e));
                            } else if e.range().contains_range(self.range) {
                                visitor::walk_expr(self, e);
                            }
                        }
                    }
                    let mut f = Find { range: loc, name: None };
                    f.visit_body(&parsed.syntax().body);
                    f.name
                })
                .unwrap_or("expression");
            syntax(&format!("cannot use assignment expressions with {name}"))
        }
        ParseErrorType::NonDefaultParamAfterDefaultParam => syntax("non-default argument follows default argument"),
        ParseErrorType::ParamAfterVarKeywordParam => syntax("arguments cannot follow var-keyword argument"),
        ParseErrorType::ExpectedKeywordParam => syntax("named arguments must follow bare *"),
        ParseErrorType::VarParameterWithDefault => {
            let before = src[..at as usize].trim_end();
            if before.ends_with("**") || src[..at as usize].contains("**") && !before.ends_with('*') {
                syntax("var-keyword argument cannot have default value")
            } else {
                syntax("var-positional argument cannot have default value")
            }
        }
        ParseErrorType::PositionalAfterKeywordArgument => syntax("positional argument follows keyword argument"),
        ParseErrorType::PositionalAfterKeywordUnpacking => {
            syntax("positional argument follows keyword argument unpacking")
        }
        ParseErrorType::InvalidArgumentUnpackingOrder => {
            syntax("iterable argument unpacking follows keyword argument unpacking")
        }
        ParseErrorType::UnparenthesizedGeneratorExpression => syntax("Generator expression must be parenthesized"),
        ParseErrorType::OtherError(m) if m == "Expected a parameter name" => {
            let word: String = src[at as usize..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if matches!(word.as_str(), "True" | "False" | "None") {
                let s = Span {
                    start: at,
                    end: at + word.len() as u32,
                };
                CompileError::syntax(format!("cannot assign to {word}"), s)
            } else {
                syntax("expression cannot contain assignment, perhaps you meant \"==\"?")
            }
        }
        ParseErrorType::SimpleStatementsOnSameLine => {
            // `1a`, `0b12`: a number running into letters or digits.
            let before = &src[..at as usize];
            let tail: String = before
                .chars()
                .rev()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                .collect();
            let tail: String = tail.chars().rev().collect();
            let line_text = source.line_text(source.line(at)).trim_start();
            if tail.starts_with(|c: char| c.is_ascii_digit()) && before.ends_with(|c: char| c.is_alphanumeric()) {
                let num_start = at - tail.len() as u32;
                let next = src[at as usize..].chars().next().unwrap_or(' ');
                let lower = tail.to_ascii_lowercase();
                let kind = if lower.starts_with("0b") {
                    Some("binary")
                } else if lower.starts_with("0o") {
                    Some("octal")
                } else {
                    None
                };
                match kind {
                    Some(k) if next.is_ascii_digit() => CompileError::syntax(
                        format!("invalid digit '{next}' in {k} literal"),
                        Span { start: at, end: at },
                    ),
                    _ => CompileError::syntax(
                        "invalid decimal literal",
                        Span {
                            start: num_start,
                            end: num_start,
                        },
                    ),
                }
            } else if let Some(word) = ["print", "exec"].iter().find(|w| {
                line_text.starts_with(*w) && line_text[w.len()..].starts_with(' ') && before.trim_end().ends_with(*w)
            }) {
                let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
                let line = source.line_text(source.line(at));
                let indent = line.len() - line.trim_start().len();
                let s = Span {
                    start: (line_start + indent) as u32,
                    end: (line_start + line.trim_end().len()) as u32,
                };
                CompileError::syntax(
                    format!("Missing parentheses in call to '{word}'. Did you mean {word}(...)?"),
                    s,
                )
            } else {
                syntax("invalid syntax")
            }
        }
        ParseErrorType::ExpectedToken { expected, found } => {
            if *expected == TokenKind::Colon && *found == TokenKind::Equal {
                syntax("invalid syntax. Maybe you meant '==' or ':=' instead of '='?")
            } else if *expected == TokenKind::Colon
                && matches!(found, TokenKind::Rbrace | TokenKind::Comma)
                && innermost_bracket_at(parsed.tokens(), at) == Some('{')
            {
                syntax("':' expected after dictionary key")
            } else if *expected == TokenKind::Colon && *found != TokenKind::Dot {
                syntax("expected ':'")
            } else if *expected == TokenKind::Else {
                syntax("expected 'else' after 'if' expression")
            } else if *expected == TokenKind::Lpar
                && src[..at as usize].trim_end().rsplit(char::is_whitespace).nth(1) == Some("def")
            {
                syntax("expected '('")
            } else if *expected == TokenKind::Comma
                && matches!(
                    found,
                    TokenKind::PlusEqual
                        | TokenKind::MinusEqual
                        | TokenKind::StarEqual
                        | TokenKind::SlashEqual
                        | TokenKind::DoubleSlashEqual
                        | TokenKind::PercentEqual
                        | TokenKind::DoubleStarEqual
                )
            {
                let start = stmt_at(&parsed.syntax().body, loc.start())
                    .map(|s| u32::from(s.start()))
                    .unwrap_or(at);
                CompileError::syntax(
                    "'tuple' is an illegal expression for augmented assignment",
                    Span { start, end: at },
                )
            } else if *expected == TokenKind::Comma
                && matches!(
                    found,
                    TokenKind::Name
                        | TokenKind::Int
                        | TokenKind::Float
                        | TokenKind::String
                        | TokenKind::FStringStart
                        | TokenKind::Lpar
                        | TokenKind::Lsqb
                        | TokenKind::Lbrace
                        | TokenKind::True
                        | TokenKind::False
                        | TokenKind::None
                )
                && bracket_depth_at(parsed.tokens(), at) > 0
            {
                syntax("invalid syntax. Perhaps you forgot a comma?")
            } else {
                syntax("invalid syntax")
            }
        }
        ParseErrorType::ExpectedExpression => {
            // `f'{}'`: an empty replacement field.
            let before = src[..at as usize].trim_end();
            let here = src[at as usize..].chars().next();
            if before.ends_with('{') && matches!(here, Some('}' | '!' | ':' | '=')) {
                syntax("f-string: empty expression not allowed")
            } else {
                syntax("invalid syntax")
            }
        }
        _ => syntax("invalid syntax"),
    }
}

// ---------------------------------------------------------------------------------------------
// Lowering
// ---------------------------------------------------------------------------------------------

struct Lowerer<'a> {
    src: &'a str,
    next_scope: u32,
    /// Inside a `def` or `lambda` body.
    in_function: bool,
    /// Loops enclosing the current statement within the current function.
    loop_depth: u32,
    /// CPython's frame-block count in the current code unit.
    fblocks: u32,
    /// The first compiler-stage error, in compilation order.
    compile_error: Option<CompileError>,
    /// A symbol-table error exists (reported by `scope::analyze`).
    symtable_error: bool,
    /// The comprehensions being lowered inside the current function, innermost last.
    comprehensions: Vec<ComprehensionNames>,
    /// Inside a comprehension's iterable expression (lambdas there included).
    in_comprehension_iterable: u32,
    /// The first misuse of `:=` in a comprehension, in CPython's symbol-table order.
    walrus_error: Option<CompileError>,
}

/// The names one comprehension binds so far, for CPython's checks of `:=` against them.
#[derive(Default)]
struct ComprehensionNames {
    /// Its iteration variables (the targets of its `for` clauses lowered so far).
    iteration: Vec<String>,
    /// The targets of `:=` directly inside it (not in a nested comprehension).
    walrus: Vec<String>,
}

type R<T> = Result<T, CompileError>;

fn unsupported<T>(construct: &str, r: TextRange) -> R<T> {
    Err(CompileError::unsupported(construct, span(r)))
}

fn binop(op: py::Operator, r: TextRange) -> R<BinOp> {
    use py::Operator as O;
    Ok(match op {
        O::Add => BinOp::Add,
        O::Sub => BinOp::Sub,
        O::Mult => BinOp::Mul,
        O::Div => BinOp::Div,
        O::FloorDiv => BinOp::FloorDiv,
        O::Mod => BinOp::Mod,
        O::Pow => BinOp::Pow,
        O::MatMult => return unsupported("matrix multiplication", r),
        O::BitAnd => BinOp::BitAnd,
        O::BitOr => BinOp::BitOr,
        O::BitXor => BinOp::BitXor,
        O::LShift => BinOp::LShift,
        O::RShift => BinOp::RShift,
    })
}

/// A function named `<genexpr>` of at most one positional parameter (a generator
/// expression or one of its clauses, see [`Lowerer::generator_expression`]).
fn clause_function(param: Option<&str>, body: Vec<Stmt>, sp: Span, scope_id: ScopeId) -> FunctionDef {
    FunctionDef {
        name: "<genexpr>".to_string(),
        params: Params {
            positional: param
                .map(|p| Param {
                    name: Ident {
                        name: p.into(),
                        span: sp,
                    },
                    default: None,
                })
                .into_iter()
                .collect(),
            ..Params::default()
        },
        body,
        decorators: Vec::new(),
        is_lambda: false,
        span: sp,
        scope_id,
    }
}

/// The names an assignment target binds (`a`, `(a, *b)`, `[a, (b, c)]`; not `x.y` or
/// `x[i]`), in order.
fn bound_names(target: &Expr, out: &mut Vec<String>) {
    let mut named = Vec::new();
    target_names(target, &mut named);
    for (n, _) in named {
        if !out.iter().any(|o| o == n) {
            out.push(n.to_string());
        }
    }
}

/// The names an assignment target binds, with where each is written.
fn target_names<'e>(target: &'e Expr, out: &mut Vec<(&'e str, Span)>) {
    match &target.kind {
        ExprKind::Name(n) => out.push((n, target.span)),
        ExprKind::Tuple(items) | ExprKind::List(items) => items.iter().for_each(|t| target_names(t, out)),
        ExprKind::Starred(t) => target_names(t, out),
        _ => {}
    }
}

/// Convert an integer literal's text (any base, underscores allowed) to decimal digits.
fn int_to_decimal(token: &str) -> String {
    let t: String = token.chars().filter(|c| *c != '_').collect();
    let lower = t.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.to_string())
    } else {
        (10, lower)
    };
    if radix == 10 {
        let s = digits.trim_start_matches('0');
        return if s.is_empty() { "0".into() } else { s.to_string() };
    }
    // Little-endian limbs in base 10^9.
    let mut limbs: Vec<u64> = vec![0];
    for c in digits.chars() {
        let mut carry = c.to_digit(radix).unwrap_or(0) as u64;
        for limb in limbs.iter_mut() {
            let v = *limb * radix as u64 + carry;
            *limb = v % 1_000_000_000;
            carry = v / 1_000_000_000;
        }
        while carry > 0 {
            limbs.push(carry % 1_000_000_000);
            carry /= 1_000_000_000;
        }
    }
    let mut out = limbs.last().unwrap().to_string();
    for limb in limbs.iter().rev().skip(1) {
        out.push_str(&format!("{limb:09}"));
    }
    out
}

impl Lowerer<'_> {
    fn compile_err(&mut self, msg: impl Into<String>, s: Span) {
        if self.compile_error.is_none() {
            self.compile_error = Some(CompileError::syntax(msg, s));
        }
    }

    /// Enter a frame block (loop, try, handler); false if CPython's limit is exceeded.
    fn push_block(&mut self, n: u32, r: TextRange) {
        self.fblocks += n;
        if self.fblocks > MAX_BLOCKS {
            self.compile_err("too many statically nested blocks", span(r));
        }
    }

    fn stmts(&mut self, body: &[py::Stmt]) -> R<Vec<Stmt>> {
        let mut out = Vec::with_capacity(body.len());
        for s in body {
            out.push(self.stmt(s)?);
        }
        Ok(out)
    }

    fn ident(&self, id: &py::Identifier) -> Ident {
        Ident {
            name: id.as_str().to_string(),
            span: span(id.range),
        }
    }

    /// Byte offset of the `def` keyword of a function whose range starts at `from`.
    fn def_keyword(&self, from: u32, name_start: u32) -> u32 {
        let text = &self.src[from as usize..name_start as usize];
        let mut i = 0;
        let bytes = text.as_bytes();
        let mut last = None;
        while i < bytes.len() {
            match bytes[i] {
                b'#' => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                b'd' if text[i..].starts_with("def")
                    && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric() && bytes[i - 1] != b'_')
                    && text[i + 3..].starts_with(|c: char| c.is_whitespace() || c == '\\') =>
                {
                    last = Some(i);
                    i += 3;
                }
                _ => i += 1,
            }
        }
        from + last.unwrap_or(0) as u32
    }

    fn stmt(&mut self, s: &py::Stmt) -> R<Stmt> {
        use py::Stmt as S;
        let r = s.range();
        let sp = span(r);
        let kind = match s {
            S::FunctionDef(f) => {
                if f.is_async {
                    return unsupported("async def", r);
                }
                let decorators = f
                    .decorator_list
                    .iter()
                    .map(|d| self.expr(&d.expression))
                    .collect::<R<Vec<_>>>()?;
                if let Some(tp) = &f.type_params {
                    return unsupported("type parameters", tp.range);
                }
                if let Some(ret) = &f.returns {
                    return unsupported("function annotation", ret.range());
                }
                let start = self.def_keyword(r.start().into(), f.name.range.start().into());
                let def_span = Span { start, end: sp.end };
                let def = self.function(
                    f.name.as_str(),
                    Some(&f.parameters),
                    FunctionBody::Stmts(&f.body),
                    decorators,
                    def_span,
                )?;
                if f.name.as_str() == "__debug__" {
                    self.compile_err("cannot assign to __debug__", span(f.name.range));
                }
                StmtKind::FunctionDef(Box::new(def))
            }
            S::ClassDef(_) => return unsupported("class", r),
            S::Return(ret) => {
                if !self.in_function {
                    self.compile_err("'return' outside function", sp);
                }
                StmtKind::Return(ret.value.as_deref().map(|v| self.expr(v)).transpose()?)
            }
            S::Delete(d) => {
                let mut targets = Vec::new();
                for t in &d.targets {
                    self.del_target(t, &mut targets)?;
                }
                StmtKind::Delete(targets)
            }
            S::TypeAlias(_) => return unsupported("type alias", r),
            S::Assign(a) => {
                // CPython evaluates the value first, but lowering order only matters for ids
                // and errors; follow source order for scope ids.
                let targets = a.targets.iter().map(|t| self.target(t, true)).collect::<R<Vec<_>>>()?;
                let value = self.expr(&a.value)?;
                StmtKind::Assign { targets, value }
            }
            S::AugAssign(a) => {
                let target = match &*a.target {
                    py::Expr::Name(_) | py::Expr::Subscript(_) | py::Expr::Attribute(_) => {
                        self.target(&a.target, false)?
                    }
                    other => {
                        return Err(CompileError::syntax(
                            format!(
                                "'{}' is an illegal expression for augmented assignment",
                                expr_name(other)
                            ),
                            span(other.range()),
                        ))
                    }
                };
                let op = binop(a.op, r)?;
                let value = self.expr(&a.value)?;
                StmtKind::AugAssign { target, op, value }
            }
            S::AnnAssign(_) => return unsupported("annotated assignment", r),
            S::For(f) => {
                if f.is_async {
                    return unsupported("async for", r);
                }
                let target = self.target(&f.target, true)?;
                let iter = self.expr(&f.iter)?;
                self.push_block(1, r);
                self.loop_depth += 1;
                let body = self.stmts(&f.body);
                self.loop_depth -= 1;
                self.fblocks -= 1;
                let body = body?;
                let orelse = self.stmts(&f.orelse)?;
                StmtKind::For {
                    target,
                    iter,
                    body,
                    orelse,
                }
            }
            S::While(w) => {
                let test = self.expr(&w.test)?;
                self.push_block(1, r);
                self.loop_depth += 1;
                let body = self.stmts(&w.body);
                self.loop_depth -= 1;
                self.fblocks -= 1;
                let body = body?;
                let orelse = self.stmts(&w.orelse)?;
                StmtKind::While { test, body, orelse }
            }
            S::If(i) => {
                let test = self.expr(&i.test)?;
                let body = self.stmts(&i.body)?;
                let orelse = self.elif_chain(&i.elif_else_clauses, sp.end)?;
                StmtKind::If { test, body, orelse }
            }
            S::With(_) => return unsupported("with", r),
            S::Match(_) => return unsupported("match", r),
            S::Raise(ra) => {
                if let Some(c) = &ra.cause {
                    let start = u32::from(ra.exc.as_ref().map(|e| e.end()).unwrap_or(r.start()));
                    let _ = c;
                    return Err(CompileError::unsupported(
                        "raise ... from",
                        Span {
                            start: sp.start.min(start),
                            end: sp.end,
                        },
                    ));
                }
                StmtKind::Raise(ra.exc.as_deref().map(|e| self.expr(e)).transpose()?)
            }
            S::Try(t) => self.try_stmt(t, r)?,
            S::Assert(a) => StmtKind::Assert {
                test: self.expr(&a.test)?,
                msg: a.msg.as_deref().map(|m| self.expr(m)).transpose()?,
            },
            S::Import(_) => return unsupported("import", r),
            S::ImportFrom(_) => return unsupported("from ... import", r),
            S::Global(g) => StmtKind::Global(g.names.iter().map(|n| self.ident(n)).collect()),
            S::Nonlocal(n) => StmtKind::Nonlocal(n.names.iter().map(|n| self.ident(n)).collect()),
            S::Expr(e) => {
                if let py::Expr::Starred(st) = &*e.value {
                    self.compile_err("can't use starred expression here", span(st.range));
                }
                StmtKind::Expr(self.expr(&e.value)?)
            }
            S::Pass(_) => StmtKind::Pass,
            S::Break(_) => {
                if self.loop_depth == 0 {
                    self.compile_err("'break' outside loop", sp);
                }
                StmtKind::Break
            }
            S::Continue(_) => {
                if self.loop_depth == 0 {
                    self.compile_err("'continue' not properly in loop", sp);
                }
                StmtKind::Continue
            }
            S::IpyEscapeCommand(_) => return unsupported("IPython escape command", r),
        };
        Ok(Stmt { kind, span: sp })
    }

    fn elif_chain(&mut self, clauses: &[py::ElifElseClause], end: u32) -> R<Vec<Stmt>> {
        let Some((first, rest)) = clauses.split_first() else {
            return Ok(Vec::new());
        };
        match &first.test {
            None => self.stmts(&first.body),
            Some(test) => {
                let test = self.expr(test)?;
                let body = self.stmts(&first.body)?;
                let orelse = self.elif_chain(rest, end)?;
                let sp = Span {
                    start: first.range.start().into(),
                    end,
                };
                Ok(vec![Stmt {
                    kind: StmtKind::If { test, body, orelse },
                    span: sp,
                }])
            }
        }
    }

    fn try_stmt(&mut self, t: &py::StmtTry, r: TextRange) -> R<StmtKind> {
        if t.is_star {
            return unsupported("except*", r);
        }
        let has_finally = !t.finalbody.is_empty();
        let has_handlers = !t.handlers.is_empty();
        let base = self.fblocks;
        if has_finally {
            self.push_block(1, r);
        }
        if has_handlers {
            self.push_block(1, r);
        }
        let body = self.stmts(&t.body);
        self.fblocks = base + has_finally as u32;
        let body = body?;
        let mut handlers = Vec::with_capacity(t.handlers.len());
        for (i, h) in t.handlers.iter().enumerate() {
            let py::ExceptHandler::ExceptHandler(h) = h;
            if h.type_.is_none() && i + 1 < t.handlers.len() {
                self.compile_err("default 'except:' must be last", span(h.range));
            }
            let typ = h.type_.as_deref().map(|e| self.expr(e)).transpose()?;
            let name = h.name.as_ref().map(|n| self.ident(n));
            if let Some(n) = &name {
                if n.name == "__debug__" {
                    self.compile_err("cannot assign to __debug__", n.span);
                }
            }
            self.push_block(2, h.range);
            let hbody = self.stmts(&h.body);
            self.fblocks -= 2;
            handlers.push(ExceptHandler {
                typ,
                name,
                body: hbody?,
                span: span(h.range),
            });
        }
        let orelse = self.stmts(&t.orelse)?;
        self.fblocks = base;
        let finalbody = if has_finally {
            self.push_block(1, r);
            let f = self.stmts(&t.finalbody);
            self.fblocks = base;
            f?
        } else {
            Vec::new()
        };
        Ok(StmtKind::Try {
            body,
            handlers,
            orelse,
            finalbody,
        })
    }

    /// Lower a `def` or `lambda`.
    fn function(
        &mut self,
        name: &str,
        params: Option<&py::Parameters>,
        body: FunctionBody<'_>,
        decorators: Vec<Expr>,
        def_span: Span,
    ) -> R<FunctionDef> {
        let scope_id = ScopeId(self.next_scope);
        self.next_scope += 1;
        let is_lambda = matches!(body, FunctionBody::Expr(_));
        let mut p = Params::default();
        if let Some(params) = params {
            if let Some(first) = params.posonlyargs.first() {
                return unsupported("positional-only parameters", first.range);
            }
            let mut seen: Vec<String> = Vec::new();
            let mut check = |this: &mut Self, prm: &py::Parameter| -> R<()> {
                if let Some(a) = &prm.annotation {
                    return unsupported("function annotation", a.range());
                }
                let n = prm.name.as_str();
                if seen.iter().any(|s| s == n) {
                    this.symtable_error = true;
                }
                if n == "__debug__" {
                    this.compile_err("cannot assign to __debug__", span(prm.name.range));
                }
                seen.push(n.to_string());
                Ok(())
            };
            for a in &params.args {
                check(self, &a.parameter)?;
            }
            for a in &params.kwonlyargs {
                check(self, &a.parameter)?;
            }
            if let Some(v) = &params.vararg {
                check(self, v)?;
            }
            if let Some(k) = &params.kwarg {
                check(self, k)?;
            }
            for a in &params.args {
                let default = a.default.as_deref().map(|d| self.expr(d)).transpose()?;
                p.positional.push(Param {
                    name: self.ident(&a.parameter.name),
                    default,
                });
            }
            p.vararg = params.vararg.as_ref().map(|v| self.ident(&v.name));
            for a in &params.kwonlyargs {
                let default = a.default.as_deref().map(|d| self.expr(d)).transpose()?;
                p.kwonly.push(Param {
                    name: self.ident(&a.parameter.name),
                    default,
                });
            }
            p.kwarg = params.kwarg.as_ref().map(|k| self.ident(&k.name));
        }
        let saved = (self.in_function, self.loop_depth, self.fblocks);
        self.in_function = true;
        self.loop_depth = 0;
        self.fblocks = 0;
        // `:=` in a lambda binds in the lambda, whatever comprehension it is in.
        let comprehensions = std::mem::take(&mut self.comprehensions);
        let body = match body {
            FunctionBody::Stmts(b) => self.stmts(b),
            FunctionBody::Expr(e) => self.expr(e).map(|e| {
                let sp = e.span;
                vec![Stmt {
                    kind: StmtKind::Return(Some(e)),
                    span: sp,
                }]
            }),
        };
        (self.in_function, self.loop_depth, self.fblocks) = saved;
        self.comprehensions = comprehensions;
        Ok(FunctionDef {
            name: name.to_string(),
            params: p,
            body: body?,
            decorators,
            is_lambda,
            span: def_span,
            scope_id,
        })
    }

    /// Lower an assignment target (`allow_seq`: tuples, lists and starred are allowed).
    fn target(&mut self, e: &py::Expr, allow_seq: bool) -> R<Expr> {
        let sp = span(e.range());
        match e {
            py::Expr::Name(n) => {
                if n.id.as_str() == "__debug__" {
                    self.compile_err("cannot assign to __debug__", sp);
                }
                Ok(Expr {
                    kind: ExprKind::Name(n.id.to_string()),
                    span: sp,
                })
            }
            py::Expr::Subscript(_) | py::Expr::Attribute(_) => self.expr(e),
            py::Expr::Tuple(_) | py::Expr::List(_) if allow_seq => {
                let elts = match e {
                    py::Expr::Tuple(t) => &t.elts,
                    py::Expr::List(l) => &l.elts,
                    _ => unreachable!(),
                };
                let stars: Vec<&py::Expr> = elts.iter().filter(|x| matches!(x, py::Expr::Starred(_))).collect();
                if stars.len() > 1 {
                    self.compile_err("multiple starred expressions in assignment", sp);
                }
                let mut out = Vec::with_capacity(elts.len());
                for x in elts {
                    out.push(match x {
                        py::Expr::Starred(st) => Expr {
                            kind: ExprKind::Starred(Box::new(self.target(&st.value, true)?)),
                            span: span(st.range),
                        },
                        other => self.target(other, true)?,
                    });
                }
                let kind = if matches!(e, py::Expr::Tuple(_)) {
                    ExprKind::Tuple(out)
                } else {
                    ExprKind::List(out)
                };
                Ok(Expr { kind, span: sp })
            }
            py::Expr::Starred(st) if allow_seq => {
                self.compile_err("starred assignment target must be in a list or tuple", sp);
                let inner = self.target(&st.value, true)?;
                Ok(Expr {
                    kind: ExprKind::Starred(Box::new(inner)),
                    span: sp,
                })
            }
            other => Err(CompileError::syntax(
                format!("cannot assign to {}", expr_name(other)),
                span(other.range()),
            )),
        }
    }

    fn del_target(&mut self, e: &py::Expr, out: &mut Vec<Expr>) -> R<()> {
        match e {
            py::Expr::Name(n) => {
                if n.id.as_str() == "__debug__" {
                    self.compile_err("cannot delete __debug__", span(n.range));
                }
                out.push(Expr {
                    kind: ExprKind::Name(n.id.to_string()),
                    span: span(n.range),
                });
            }
            py::Expr::Subscript(_) | py::Expr::Attribute(_) => out.push(self.expr(e)?),
            py::Expr::Tuple(t) => {
                for x in &t.elts {
                    self.del_target(x, out)?;
                }
            }
            py::Expr::List(l) => {
                for x in &l.elts {
                    self.del_target(x, out)?;
                }
            }
            other => {
                return Err(CompileError::syntax(
                    format!("cannot delete {}", expr_name(other)),
                    span(other.range()),
                ))
            }
        }
        Ok(())
    }

    fn exprs(&mut self, es: &[py::Expr]) -> R<Vec<Expr>> {
        es.iter().map(|e| self.expr_or_starred(e)).collect()
    }

    /// Elements of list/tuple displays: `*x` allowed.
    fn expr_or_starred(&mut self, e: &py::Expr) -> R<Expr> {
        match e {
            py::Expr::Starred(st) => Ok(Expr {
                kind: ExprKind::Starred(Box::new(self.expr(&st.value)?)),
                span: span(st.range),
            }),
            other => self.expr(other),
        }
    }

    /// Lower a list or dict comprehension as CPython 3.11 compiles it: a nested function
    /// `<listcomp>` / `<dictcomp>` of one parameter `.0`, called at once with the first
    /// iterable, which is evaluated in the enclosing scope:
    ///
    /// ```text
    /// [elt for x in xs if c for y in ys]      def <listcomp>(.0):
    ///                                              .r = []
    ///   becomes  <listcomp>(xs)  with              for x in .0:
    ///                                                  if c:
    ///                                                      for y in ys:
    ///                                                          .r.append(elt)
    ///                                              return .r
    /// ```
    ///
    /// So the targets are the comprehension's own locals, and a closure made in `elt`
    /// captures them as cells of that function (`[lambda: i for i in range(3)]` binds late,
    /// as in CPython). A dict comprehension evaluates the key before the value (`.k = key;
    /// .r[.k] = value`). The names starting with `.` cannot clash with user names. The
    /// comprehension's scope id follows those of lambdas in the first iterable and precedes
    /// those in the rest, so a parent's id stays smaller than its children's.
    fn comprehension(&mut self, kind: Comprehension<'_>, generators: &[py::Comprehension], sp: Span) -> R<ExprKind> {
        let (first, scope_id, body) =
            self.comprehension_scope(generators, |l| l.comprehension_body(kind, generators))?;
        let (name, empty) = match kind {
            Comprehension::List(_) => ("<listcomp>", ExprKind::List(Vec::new())),
            Comprehension::Dict(..) => ("<dictcomp>", ExprKind::Dict(Vec::new())),
        };
        let at = |kind: ExprKind| Expr { kind, span: sp };
        let stmt = |kind: StmtKind| Stmt { kind, span: sp };
        let mut stmts = vec![stmt(StmtKind::Assign {
            targets: vec![at(ExprKind::Name(".r".into()))],
            value: at(empty),
        })];
        stmts.push(body?);
        stmts.push(stmt(StmtKind::Return(Some(at(ExprKind::Name(".r".into()))))));
        let f = FunctionDef {
            name: name.to_string(),
            params: Params {
                positional: vec![Param {
                    name: Ident {
                        name: ".0".into(),
                        span: sp,
                    },
                    default: None,
                }],
                ..Params::default()
            },
            body: stmts,
            decorators: Vec::new(),
            is_lambda: false,
            span: sp,
            scope_id,
        };
        Ok(ExprKind::Call {
            func: Box::new(at(ExprKind::Lambda(Box::new(f)))),
            args: vec![Arg::Positional(first)],
        })
    }

    /// Lower a comprehension's iterable expression, where `:=` is not allowed.
    fn comprehension_iterable(&mut self, e: &py::Expr) -> R<Expr> {
        self.in_comprehension_iterable += 1;
        let out = self.expr(e);
        self.in_comprehension_iterable -= 1;
        out
    }

    /// Record the names a comprehension's `for` target binds as its iteration variables;
    /// one that a `:=` of the same comprehension already bound is CPython's symbol-table
    /// error.
    fn iteration_target(&mut self, target: &Expr) {
        let mut names = Vec::new();
        target_names(target, &mut names);
        let Some(comp) = self.comprehensions.last_mut() else {
            return;
        };
        for (name, sp) in names {
            if comp.walrus.iter().any(|w| w == name) && self.walrus_error.is_none() {
                self.walrus_error = Some(CompileError::syntax(
                    format!("comprehension inner loop cannot rebind assignment expression target '{name}'"),
                    sp,
                ));
            }
            if !comp.iteration.iter().any(|n| n == name) {
                comp.iteration.push(name.to_string());
            }
        }
    }

    /// Check `target := ...` (at `sp`) against the enclosing comprehensions as CPython's
    /// symbol table does, and record it in the innermost one.
    fn walrus_target(&mut self, target: &Ident, sp: Span) {
        let error = if self.in_comprehension_iterable > 0 {
            Some(CompileError::syntax(
                "assignment expression cannot be used in a comprehension iterable expression",
                sp,
            ))
        } else if self.comprehensions.iter().any(|c| c.iteration.contains(&target.name)) {
            Some(CompileError::syntax(
                format!(
                    "assignment expression cannot rebind comprehension iteration variable '{}'",
                    target.name
                ),
                target.span,
            ))
        } else {
            None
        };
        if self.walrus_error.is_none() {
            self.walrus_error = error;
        }
        if let Some(comp) = self.comprehensions.last_mut() {
            comp.walrus.push(target.name.clone());
        }
    }

    /// What every comprehension does first: reject `async for`, lower the first iterable
    /// (in the enclosing scope), take the comprehension function's scope id, then lower its
    /// inside with `inner` as a function body of its own (no enclosing loop or `try`).
    fn comprehension_scope<T>(
        &mut self,
        generators: &[py::Comprehension],
        inner: impl FnOnce(&mut Self) -> R<T>,
    ) -> R<(Expr, ScopeId, R<T>)> {
        if let Some(g) = generators.iter().find(|g| g.is_async) {
            return unsupported("asynchronous comprehension", g.range);
        }
        let first = self.comprehension_iterable(&generators[0].iter)?;
        let scope_id = ScopeId(self.next_scope);
        self.next_scope += 1;
        let saved = (self.in_function, self.loop_depth, self.fblocks);
        self.in_function = true;
        self.loop_depth = 0;
        self.fblocks = 0;
        self.comprehensions.push(ComprehensionNames::default());
        let inside = inner(self);
        self.comprehensions.pop();
        (self.in_function, self.loop_depth, self.fblocks) = saved;
        Ok((first, scope_id, inside))
    }

    /// The loops of a comprehension (see [`Self::comprehension`]), innermost statement first
    /// built, then wrapped in its `if`s and `for`s from the last generator out.
    fn comprehension_body(&mut self, kind: Comprehension<'_>, generators: &[py::Comprehension]) -> R<Stmt> {
        // Lower in source order (targets and conditions of each generator, then the element)
        // so that scope ids of lambdas follow their position.
        let mut levels = Vec::with_capacity(generators.len());
        for (i, g) in generators.iter().enumerate() {
            let target = self.target(&g.target, true)?;
            self.iteration_target(&target);
            let iter = if i == 0 {
                Expr {
                    kind: ExprKind::Name(".0".into()),
                    span: span(g.iter.range()),
                }
            } else {
                self.comprehension_iterable(&g.iter)?
            };
            let ifs = g.ifs.iter().map(|c| self.expr(c)).collect::<R<Vec<_>>>()?;
            levels.push((target, iter, ifs, span(g.range)));
        }
        let name = |n: &str, span: Span| Expr {
            kind: ExprKind::Name(n.into()),
            span,
        };
        let mut inner = match kind {
            Comprehension::List(elt) => {
                let elt = self.expr(elt)?;
                let esp = elt.span;
                let append = Expr {
                    kind: ExprKind::Attribute {
                        value: Box::new(name(".r", esp)),
                        attr: Ident {
                            name: "append".into(),
                            span: esp,
                        },
                    },
                    span: esp,
                };
                vec![Stmt {
                    kind: StmtKind::Expr(Expr {
                        kind: ExprKind::Call {
                            func: Box::new(append),
                            args: vec![Arg::Positional(elt)],
                        },
                        span: esp,
                    }),
                    span: esp,
                }]
            }
            Comprehension::Dict(key, value) => {
                let key = self.expr(key)?;
                let value = self.expr(value)?;
                let (ksp, vsp) = (key.span, value.span);
                let slot = Expr {
                    kind: ExprKind::Subscript {
                        value: Box::new(name(".r", ksp)),
                        index: Box::new(name(".k", ksp)),
                    },
                    span: ksp,
                };
                vec![
                    Stmt {
                        kind: StmtKind::Assign {
                            targets: vec![name(".k", ksp)],
                            value: key,
                        },
                        span: ksp,
                    },
                    Stmt {
                        kind: StmtKind::Assign {
                            targets: vec![slot],
                            value,
                        },
                        span: vsp,
                    },
                ]
            }
        };
        for (target, iter, ifs, gsp) in levels.into_iter().rev() {
            for test in ifs.into_iter().rev() {
                let tsp = test.span;
                inner = vec![Stmt {
                    kind: StmtKind::If {
                        test,
                        body: inner,
                        orelse: Vec::new(),
                    },
                    span: tsp,
                }];
            }
            inner = vec![Stmt {
                kind: StmtKind::For {
                    target,
                    iter,
                    body: inner,
                    orelse: Vec::new(),
                },
                span: gsp,
            }];
        }
        Ok(inner.pop().expect("one generator at least"))
    }

    /// A generator expression, as a `<genexpr>` function called at once with the first
    /// iterable (evaluated in the enclosing scope, as CPython 3.11 does), whose body hands
    /// its clauses, as small functions, to the runtime's generator (`.generator`, see
    /// `cellar_runtime::iter`), which runs the loops one item at a time:
    ///
    /// ```text
    ///   (elt for x in xs if c for y in f(x))      <genexpr>(.0):
    ///                                                 def <genexpr>(.v):    test of clause 1
    ///                                                     nonlocal x
    ///   becomes  <genexpr>(xs)  with                      x = .v
    ///                                                     return c
    ///                                                 def <genexpr>():      then of clause 1
    ///                                                     return f(x)
    ///                                                 def <genexpr>(.v):    then of clause 2
    ///                                                     nonlocal y
    ///                                                     y = .v
    ///                                                     return elt
    ///                                                 return .generator(.0, test1, then1,
    ///                                                                   None, then2)
    ///                                                 x = y = None   (never run: binds them)
    /// ```
    ///
    /// A clause without `if`s has no test: its "then" function takes the item. The "then"
    /// of a clause returns the next clause's iterable, or, for the last, the element. So
    /// the targets are locals (cells) of `<genexpr>`, shared by its clauses, and a closure
    /// made in `elt` sees the value of the item being produced (late binding, as in
    /// CPython). The clause functions are named `<genexpr>` and have no `.0`: their
    /// qualname is the generator's (`crate::scope`), as are the frames in a traceback.
    fn generator_expression(&mut self, elt: &py::Expr, generators: &[py::Comprehension], sp: Span) -> R<ExprKind> {
        let (first, scope_id, clauses) =
            self.comprehension_scope(generators, |l| l.generator_clauses(elt, generators))?;
        let (fns, bound) = clauses?;
        let at = |kind: ExprKind| Expr { kind, span: sp };
        let stmt = |kind: StmtKind| Stmt { kind, span: sp };
        let mut args = vec![Arg::Positional(at(ExprKind::Name(".0".into())))];
        args.extend(fns.into_iter().map(Arg::Positional));
        let mut body = vec![stmt(StmtKind::Return(Some(at(ExprKind::Call {
            func: Box::new(at(ExprKind::Name(".generator".into()))),
            args,
        }))))];
        for name in bound {
            body.push(stmt(StmtKind::Assign {
                targets: vec![at(ExprKind::Name(name))],
                value: at(ExprKind::Constant(Constant::None)),
            }));
        }
        Ok(ExprKind::Call {
            func: Box::new(at(ExprKind::Lambda(Box::new(clause_function(
                Some(".0"),
                body,
                sp,
                scope_id,
            ))))),
            args: vec![Arg::Positional(first)],
        })
    }

    /// The clause functions of a generator expression (see [`Self::generator_expression`]),
    /// as lambda expressions in argument order (test or None, then), and the names their
    /// targets bind. Lowered in source order so that scope ids follow positions.
    fn generator_clauses(&mut self, elt: &py::Expr, generators: &[py::Comprehension]) -> R<(Vec<Expr>, Vec<String>)> {
        let mut fns = Vec::with_capacity(2 * generators.len());
        let mut bound: Vec<String> = Vec::new();
        for (k, g) in generators.iter().enumerate() {
            let gsp = span(g.range);
            let at = |kind: ExprKind| Expr { kind, span: gsp };
            let mut id = ScopeId(self.next_scope);
            self.next_scope += 1;
            let target = self.target(&g.target, true)?;
            self.iteration_target(&target);
            let mut names = Vec::new();
            bound_names(&target, &mut names);
            let assign = vec![
                Stmt {
                    kind: StmtKind::Nonlocal(
                        names
                            .iter()
                            .map(|n| Ident {
                                name: n.clone(),
                                span: target.span,
                            })
                            .collect(),
                    ),
                    span: target.span,
                },
                Stmt {
                    kind: StmtKind::Assign {
                        targets: vec![target],
                        value: at(ExprKind::Name(".v".into())),
                    },
                    span: gsp,
                },
            ];
            for n in names {
                if !bound.contains(&n) {
                    bound.push(n);
                }
            }
            let mut then_param = Some(assign);
            if !g.ifs.is_empty() {
                let mut tests = g.ifs.iter().map(|c| self.expr(c)).collect::<R<Vec<_>>>()?;
                let test = if tests.len() == 1 {
                    tests.pop().unwrap()
                } else {
                    let tsp = Span {
                        start: tests[0].span.start,
                        end: tests[tests.len() - 1].span.end,
                    };
                    Expr {
                        kind: ExprKind::BoolOp {
                            is_and: true,
                            values: tests,
                        },
                        span: tsp,
                    }
                };
                let mut body = then_param.take().unwrap();
                let tsp = test.span;
                body.push(Stmt {
                    kind: StmtKind::Return(Some(test)),
                    span: tsp,
                });
                fns.push(at(ExprKind::Lambda(Box::new(clause_function(
                    Some(".v"),
                    body,
                    gsp,
                    id,
                )))));
                id = ScopeId(self.next_scope);
                self.next_scope += 1;
            } else {
                fns.push(at(ExprKind::Constant(Constant::None)));
            }
            let then = match generators.get(k + 1) {
                Some(next) => self.expr(&next.iter)?,
                None => self.expr(elt)?,
            };
            let tsp = then.span;
            let (param, mut body) = match then_param {
                Some(assign) => (Some(".v"), assign),
                None => (None, Vec::new()),
            };
            body.push(Stmt {
                kind: StmtKind::Return(Some(then)),
                span: tsp,
            });
            fns.push(at(ExprKind::Lambda(Box::new(clause_function(param, body, gsp, id)))));
        }
        Ok((fns, bound))
    }

    fn boxed(&mut self, e: &py::Expr) -> R<Box<Expr>> {
        Ok(Box::new(self.expr(e)?))
    }

    fn expr(&mut self, e: &py::Expr) -> R<Expr> {
        use py::Expr as E;
        let r = e.range();
        let sp = span(r);
        let kind = match e {
            E::BoolOp(b) => ExprKind::BoolOp {
                is_and: b.op == py::BoolOp::And,
                values: b.values.iter().map(|v| self.expr(v)).collect::<R<_>>()?,
            },
            E::Named(n) => {
                let E::Name(target) = &*n.target else {
                    // The parser only lets a name through.
                    return unsupported("assignment expression target", n.target.range());
                };
                let target = Ident {
                    name: target.id.to_string(),
                    span: span(target.range),
                };
                if target.name == "__debug__" {
                    self.compile_err("cannot assign to __debug__", target.span);
                }
                self.walrus_target(&target, sp);
                ExprKind::Named {
                    target,
                    value: self.boxed(&n.value)?,
                }
            }
            E::BinOp(b) => {
                let op = binop(b.op, r)?;
                ExprKind::BinOp {
                    left: self.boxed(&b.left)?,
                    op,
                    right: self.boxed(&b.right)?,
                }
            }
            E::UnaryOp(u) => {
                let op = match u.op {
                    py::UnaryOp::Not => UnaryOp::Not,
                    py::UnaryOp::USub => UnaryOp::Neg,
                    py::UnaryOp::UAdd => UnaryOp::Pos,
                    py::UnaryOp::Invert => UnaryOp::Invert,
                };
                ExprKind::UnaryOp {
                    op,
                    operand: self.boxed(&u.operand)?,
                }
            }
            E::Lambda(l) => {
                let f = self.function(
                    "<lambda>",
                    l.parameters.as_deref(),
                    FunctionBody::Expr(&l.body),
                    Vec::new(),
                    sp,
                )?;
                ExprKind::Lambda(Box::new(f))
            }
            E::If(i) => ExprKind::IfExp {
                test: self.boxed(&i.test)?,
                body: self.boxed(&i.body)?,
                orelse: self.boxed(&i.orelse)?,
            },
            E::Dict(d) => {
                let mut items = Vec::with_capacity(d.items.len());
                for item in &d.items {
                    let k = item.key.as_ref().map(|k| self.expr(k)).transpose()?;
                    let v = self.expr(&item.value)?;
                    items.push((k, v));
                }
                ExprKind::Dict(items)
            }
            E::Set(_) => return unsupported("set", r),
            E::ListComp(c) => self.comprehension(Comprehension::List(&c.elt), &c.generators, sp)?,
            E::SetComp(_) => return unsupported("set comprehension", r),
            E::DictComp(d) => match d.key.as_deref() {
                Some(key) => self.comprehension(Comprehension::Dict(key, &d.value), &d.generators, sp)?,
                // Only in a tree recovered from a syntax error (`{**x for x in y}`).
                None => return unsupported("dict unpacking in a comprehension", r),
            },
            E::Generator(g) => self.generator_expression(&g.elt, &g.generators, sp)?,
            E::Await(_) => return unsupported("await", r),
            E::Yield(_) => return unsupported("yield", r),
            E::YieldFrom(_) => return unsupported("yield from", r),
            E::Compare(c) => {
                let left = self.boxed(&c.left)?;
                let ops = c
                    .ops
                    .iter()
                    .map(|o| match o {
                        py::CmpOp::Eq => CmpOp::Eq,
                        py::CmpOp::NotEq => CmpOp::NotEq,
                        py::CmpOp::Lt => CmpOp::Lt,
                        py::CmpOp::LtE => CmpOp::LtE,
                        py::CmpOp::Gt => CmpOp::Gt,
                        py::CmpOp::GtE => CmpOp::GtE,
                        py::CmpOp::Is => CmpOp::Is,
                        py::CmpOp::IsNot => CmpOp::IsNot,
                        py::CmpOp::In => CmpOp::In,
                        py::CmpOp::NotIn => CmpOp::NotIn,
                    })
                    .collect();
                let comparators = c.comparators.iter().map(|x| self.expr(x)).collect::<R<_>>()?;
                ExprKind::Compare { left, ops, comparators }
            }
            E::Call(c) => {
                let func = self.boxed(&c.func)?;
                let mut args = Vec::new();
                for a in c.arguments.args.iter() {
                    args.push(match a {
                        E::Starred(st) => Arg::Starred(self.expr(&st.value)?),
                        other => Arg::Positional(self.expr(other)?),
                    });
                }
                let mut seen: Vec<&str> = Vec::new();
                for k in c.arguments.keywords.iter() {
                    match &k.arg {
                        Some(name) => {
                            if seen.contains(&name.as_str()) {
                                self.compile_err(
                                    format!("keyword argument repeated: {}", name.as_str()),
                                    span(k.range),
                                );
                            }
                            if name.as_str() == "__debug__" {
                                self.compile_err("cannot assign to __debug__", span(k.range));
                            }
                            seen.push(name.as_str());
                            args.push(Arg::Keyword(self.ident(name), self.expr(&k.value)?));
                        }
                        None => args.push(Arg::DoubleStarred(self.expr(&k.value)?)),
                    }
                }
                ExprKind::Call { func, args }
            }
            E::FString(f) => {
                let mut parts = Vec::new();
                for part in f.value.iter() {
                    match part {
                        py::FStringPart::Literal(l) => push_literal(&mut parts, &l.value),
                        py::FStringPart::FString(fs) => self.fstring_elements(&fs.elements, &mut parts)?,
                    }
                }
                ExprKind::FString(parts)
            }
            E::TString(_) => return unsupported("t-string", r),
            E::StringLiteral(s) => ExprKind::Constant(Constant::Str(s.value.to_str().to_string())),
            E::BytesLiteral(_) => return unsupported("bytes literal", r),
            E::NumberLiteral(n) => match &n.value {
                py::Number::Int(i) => ExprKind::Constant(Constant::Int(int_to_decimal(&i.to_string()))),
                py::Number::Float(f) => ExprKind::Constant(Constant::Float(*f)),
                py::Number::Complex { .. } => return unsupported("complex literal", r),
            },
            E::BooleanLiteral(b) => ExprKind::Constant(Constant::Bool(b.value)),
            E::NoneLiteral(_) => ExprKind::Constant(Constant::None),
            E::EllipsisLiteral(_) => return unsupported("Ellipsis", r),
            E::Attribute(a) => ExprKind::Attribute {
                value: self.boxed(&a.value)?,
                attr: self.ident(&a.attr),
            },
            E::Subscript(s) => {
                let value = self.boxed(&s.value)?;
                let index = match &*s.slice {
                    E::Tuple(t) => Box::new(Expr {
                        kind: ExprKind::Tuple(self.exprs(&t.elts)?),
                        span: span(t.range),
                    }),
                    other => self.boxed(other)?,
                };
                ExprKind::Subscript { value, index }
            }
            E::Starred(st) => {
                self.compile_err("can't use starred expression here", sp);
                ExprKind::Starred(self.boxed(&st.value)?)
            }
            E::Name(n) => {
                if n.id.as_str() == "__debug__" {
                    ExprKind::Constant(Constant::Bool(true))
                } else {
                    ExprKind::Name(n.id.to_string())
                }
            }
            E::List(l) => ExprKind::List(self.exprs(&l.elts)?),
            E::Tuple(t) => ExprKind::Tuple(self.exprs(&t.elts)?),
            E::Slice(s) => ExprKind::Slice {
                lower: s.lower.as_deref().map(|x| self.boxed(x)).transpose()?,
                upper: s.upper.as_deref().map(|x| self.boxed(x)).transpose()?,
                step: s.step.as_deref().map(|x| self.boxed(x)).transpose()?,
            },
            E::IpyEscapeCommand(_) => return unsupported("IPython escape command", r),
        };
        Ok(Expr { kind, span: sp })
    }

    fn fstring_elements(&mut self, elements: &py::InterpolatedStringElements, parts: &mut Vec<FStringPart>) -> R<()> {
        for el in elements.iter() {
            match el {
                py::InterpolatedStringElement::Literal(l) => push_literal(parts, &l.value),
                py::InterpolatedStringElement::Interpolation(i) => {
                    if let Some(d) = &i.debug_text {
                        push_literal(parts, d.as_str());
                    }
                    let expr = self.expr(&i.expression)?;
                    let mut conversion = i.conversion.to_char();
                    if i.debug_text.is_some() && conversion.is_none() && i.format_spec.is_none() {
                        conversion = Some('r');
                    }
                    let mut spec = Vec::new();
                    if let Some(fs) = &i.format_spec {
                        self.fstring_elements(&fs.elements, &mut spec)?;
                    }
                    parts.push(FStringPart::Field { expr, conversion, spec });
                }
            }
        }
        Ok(())
    }
}

/// Append literal text, merging with a preceding literal.
fn push_literal(parts: &mut Vec<FStringPart>, s: &str) {
    if s.is_empty() {
        return;
    }
    if let Some(FStringPart::Literal(prev)) = parts.last_mut() {
        prev.push_str(s);
    } else {
        parts.push(FStringPart::Literal(s.to_string()));
    }
}

enum FunctionBody<'a> {
    Stmts(&'a [py::Stmt]),
    Expr(&'a py::Expr),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<Module, CompileError> {
        parse_module(&SourceText::new(src.to_string()))
    }

    /// `kind: message @line:col` of the error (col 0-based, in characters).
    fn err(src: &str) -> String {
        let text = SourceText::new(src.to_string());
        let e = parse_module(&text).expect_err(src);
        let (line, col) = text.line_col(e.span.start);
        format!("{}: {} @{line}:{col}", e.kind, e.message)
    }

    fn msg(src: &str) -> String {
        parse(src).expect_err(src).message
    }

    #[test]
    fn syntax_unsupported_constructs() {
        let cases: &[(&str, &str)] = &[
            ("class A:\n    pass\n", "class"),
            ("import os\n", "import"),
            ("from os import path\n", "from ... import"),
            ("with a as b:\n    pass\n", "with"),
            ("async def f():\n    pass\n", "async def"),
            ("def f():\n    await g()\n", "await"),
            ("def f():\n    yield 1\n", "yield"),
            ("def f():\n    yield from g\n", "yield from"),
            ("x = {i for i in y}\n", "set comprehension"),
            ("x = {1, 2}\n", "set"),
            ("match x:\n    case 1:\n        pass\n", "match"),
            ("x = a @ b\n", "matrix multiplication"),
            ("raise E from e\n", "raise ... from"),
            ("def f(a, /, b):\n    pass\n", "positional-only parameters"),
            ("try:\n    pass\nexcept* E:\n    pass\n", "except*"),
            ("x = b'abc'\n", "bytes literal"),
            ("x = 1j\n", "complex literal"),
            ("x: int = 1\n", "annotated assignment"),
            ("def f(x: int):\n    pass\n", "function annotation"),
            ("def f() -> int:\n    pass\n", "function annotation"),
            ("x = ...\n", "Ellipsis"),
        ];
        for (src, construct) in cases {
            assert_eq!(msg(src), format!("'{construct}' is not supported by cellar"), "{src}");
        }
        // The error points at the construct.
        assert_eq!(
            err("x = 1\ny = {i for i in x}\n"),
            "SyntaxError: 'set comprehension' is not supported by cellar @2:4"
        );
    }

    #[test]
    fn syntax_walrus_in_comprehensions() {
        // CPython's symbol-table errors, at CPython's positions (line:column, from 0).
        let rebind = "SyntaxError: assignment expression cannot rebind comprehension iteration variable";
        assert_eq!(err("[i := 0 for i in range(3)]\n"), format!("{rebind} 'i' @1:1"));
        assert_eq!(
            err("x = [[(j := 1) for i in a] for j in b]\n"),
            format!("{rebind} 'j' @1:7")
        );
        assert_eq!(
            err("x = ((k, (i := 1)) for k, i in a)\n"),
            format!("{rebind} 'i' @1:10")
        );
        let iterable = "SyntaxError: assignment expression cannot be used in a comprehension iterable expression";
        assert_eq!(err("x = [a for a in (y := b)]\n"), format!("{iterable} @1:17"));
        assert_eq!(
            err("x = [a for a in b for c in [lambda: (y := 1)]]\n"),
            format!("{iterable} @1:37")
        );
        assert_eq!(
            err("def f():\n    return [a for a in b if (y := a) for y in c]\n"),
            "SyntaxError: comprehension inner loop cannot rebind assignment expression target 'y' @2:41"
        );
        // The first error of the symbol table's first pass wins, in source order.
        assert_eq!(
            err("def f(a, a): pass\nx = [i := 0 for i in b]\n"),
            "SyntaxError: duplicate argument 'a' in function definition @1:9"
        );
        assert_eq!(
            err("def f():\n    nonlocal q\nx = [i := 0 for i in b]\n"),
            format!("{rebind} 'i' @3:5")
        );
        // Allowed: in a lambda, outside comprehensions, and targets no loop of it binds.
        for ok in [
            "x = [lambda: (i := 1) for i in a]\n",
            "x = (y := 1)\n",
            "x = [(y := i) for i in a]\n",
            "x = [i for i in a if (j := i)]\n",
        ] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn syntax_supported_constructs() {
        let src = "@deco(1)\ndef f(a, b=2, *args, c, d=lambda: 0, **kw):\n    global g\n    x, *y = [1, 2.5, 'three']\n    x += a ** 2 // 3 % 4\n    del x, y[0]\n    try:\n        assert a < b <= c, 'msg'\n    except (E, F) as e:\n        raise\n    else:\n        pass\n    finally:\n        pass\n    while not a:\n        break\n    else:\n        continue_ = 1\n    for i in range(3):\n        continue\n    if a and b or c:\n        return f'{a!r:>{b}} {c=}' if a is not None else {1: 2, **kw}\n    elif a in b:\n        return a[1:2:3], a.b, f(*a, k=1, **kw), -a, +a\n    return None, True, False\n";
        let m = parse(src).unwrap();
        assert_eq!(m.body.len(), 1);
        let StmtKind::FunctionDef(f) = &m.body[0].kind else {
            panic!()
        };
        assert_eq!(f.name, "f");
        assert_eq!(f.decorators.len(), 1);
        assert_eq!(f.scope_id, ScopeId(1));
        // The def span starts at the `def` keyword, not at the decorator.
        assert_eq!(f.span.start, 9);
        let names: Vec<&str> = f.params.positional.iter().map(|p| p.name.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(f.params.vararg.as_ref().unwrap().name, "args");
        assert_eq!(f.params.kwonly.len(), 2);
        assert_eq!(f.params.kwarg.as_ref().unwrap().name, "kw");
        assert!(matches!(&f.body[0].kind, StmtKind::Global(_)));
        let Some(ExprKind::Lambda(l)) = f.params.kwonly[1].default.as_ref().map(|d| &d.kind) else {
            panic!()
        };
        assert_eq!(l.scope_id, ScopeId(2));
        assert!(l.is_lambda);
        assert!(matches!(l.body[0].kind, StmtKind::Return(Some(_))));
    }

    #[test]
    fn syntax_attribute_targets() {
        let m = parse("f.x = 1\nf.__closure__[0].cell_contents += 2\ndel f.x, g.y\n").unwrap();
        let StmtKind::Assign { targets, .. } = &m.body[0].kind else {
            panic!()
        };
        assert!(matches!(&targets[0].kind, ExprKind::Attribute { attr, .. } if attr.name == "x"));
        let StmtKind::AugAssign { target, .. } = &m.body[1].kind else {
            panic!()
        };
        assert!(matches!(&target.kind, ExprKind::Attribute { attr, .. } if attr.name == "cell_contents"));
        let StmtKind::Delete(ts) = &m.body[2].kind else {
            panic!()
        };
        assert!(ts.iter().all(|t| matches!(t.kind, ExprKind::Attribute { .. })));
    }

    #[test]
    fn syntax_scope_ids_follow_keyword_order() {
        let m = parse("@(lambda f: f)\ndef g(a=lambda: 1):\n    def h(): pass\nk = lambda: 0\n").unwrap();
        let StmtKind::FunctionDef(g) = &m.body[0].kind else {
            panic!()
        };
        let ExprKind::Lambda(deco) = &g.decorators[0].kind else {
            panic!()
        };
        let Some(ExprKind::Lambda(default)) = g.params.positional[0].default.as_ref().map(|d| &d.kind) else {
            panic!()
        };
        let StmtKind::FunctionDef(h) = &g.body[0].kind else {
            panic!()
        };
        let StmtKind::Assign { value, .. } = &m.body[1].kind else {
            panic!()
        };
        let ExprKind::Lambda(k) = &value.kind else { panic!() };
        let ids: Vec<u32> = [deco, g, default, h, k].iter().map(|f| f.scope_id.0).collect();
        assert_eq!(ids, [1, 2, 3, 4, 5]);
    }

    #[test]
    fn syntax_fstring_parts() {
        let m = parse("x = f'a{b!r:>{w}}c' 'd' f'{e=}'\n").unwrap();
        let StmtKind::Assign { value, .. } = &m.body[0].kind else {
            panic!()
        };
        let ExprKind::FString(parts) = &value.kind else {
            panic!()
        };
        assert_eq!(parts.len(), 4, "{parts:?}");
        assert!(matches!(&parts[0], FStringPart::Literal(s) if s == "a"));
        let FStringPart::Field { conversion, spec, .. } = &parts[1] else {
            panic!()
        };
        assert_eq!(*conversion, Some('r'));
        assert!(matches!(&spec[0], FStringPart::Literal(s) if s == ">"));
        assert!(matches!(&spec[1], FStringPart::Field { conversion: None, .. }));
        assert!(matches!(&parts[2], FStringPart::Literal(s) if s == "cde="));
        assert!(matches!(
            &parts[3],
            FStringPart::Field {
                conversion: Some('r'),
                ..
            }
        ));
    }

    #[test]
    fn syntax_literals_and_call_order() {
        let m = parse("x = 0x_ffff_ffff_ffff_ffff_ff + 1_000 + 0b101 + 12345678901234567890123\nf(x=1, *a, y=2, **k)\n__debug__\n").unwrap();
        let StmtKind::Assign { value, .. } = &m.body[0].kind else {
            panic!()
        };
        let mut ints = Vec::new();
        let mut e = value;
        while let ExprKind::BinOp { left, right, .. } = &e.kind {
            if let ExprKind::Constant(Constant::Int(s)) = &right.kind {
                ints.push(s.clone());
            }
            e = left;
        }
        if let ExprKind::Constant(Constant::Int(s)) = &e.kind {
            ints.push(s.clone());
        }
        assert_eq!(ints, ["12345678901234567890123", "5", "1000", "4722366482869645213695"]);
        // Positional and starred arguments first, then keywords, as CPython evaluates them.
        let StmtKind::Expr(call) = &m.body[1].kind else {
            panic!()
        };
        let ExprKind::Call { args, .. } = &call.kind else {
            panic!()
        };
        assert!(matches!(args[0], Arg::Starred(_)));
        assert!(matches!(&args[1], Arg::Keyword(k, _) if k.name == "x"));
        assert!(matches!(&args[2], Arg::Keyword(k, _) if k.name == "y"));
        assert!(matches!(args[3], Arg::DoubleStarred(_)));
        let StmtKind::Expr(d) = &m.body[2].kind else { panic!() };
        assert!(matches!(d.kind, ExprKind::Constant(Constant::Bool(true))));
    }

    #[test]
    fn syntax_errors_cpython_wording() {
        let cases: &[(&str, &str)] = &[
            ("def f()\n    pass\n", "SyntaxError: expected ':' @1:7"),
            ("x = (1,\n", "SyntaxError: '(' was never closed @1:4"),
            ("f(1, 2\nx = 3\n", "SyntaxError: '(' was never closed @1:1"),
            ("x = ([\n", "SyntaxError: '[' was never closed @1:5"),
            ("x = 1)\n", "SyntaxError: unmatched ')' @1:5"),
            ("x = (1]\n", "SyntaxError: closing parenthesis ']' does not match opening parenthesis '(' @1:6"),
            ("def f():\nreturn 1\n", "IndentationError: expected an indented block after function definition on line 1 @2:0"),
            ("@d\ndef f():\nreturn\n", "IndentationError: expected an indented block after function definition on line 2 @3:0"),
            ("if x:\npass\n", "IndentationError: expected an indented block after 'if' statement on line 1 @2:0"),
            ("if x:\n  pass\nelse:\npass\n", "IndentationError: expected an indented block after 'else' statement on line 3 @4:0"),
            ("try:\n  pass\nexcept:\npass\n", "IndentationError: expected an indented block after 'except' statement on line 3 @4:0"),
            ("class A:\npass\n", "IndentationError: expected an indented block after class definition on line 1 @2:0"),
            ("try:\n  pass\n", "SyntaxError: expected 'except' or 'finally' block @2:6"),
            ("def f(:\n  pass\n", "SyntaxError: invalid syntax @1:6"),
            ("def f(a, b:\n    pass\n", "SyntaxError: '(' was never closed @1:5"),
            ("f(), a = 1\n", "SyntaxError: invalid syntax. Maybe you meant '==' or ':=' instead of '='? @1:5"),
            ("f(), g() = 1\n", "SyntaxError: cannot assign to function call here. Maybe you meant '==' instead of '='? @1:5"),
            ("x = y = f() = 1\n", "SyntaxError: cannot assign to function call @1:8"),
            ("x = {1: 2, 3}\n", "SyntaxError: ':' expected after dictionary key @1:12"),
            ("x = 1\n    y = 2\n", "IndentationError: unexpected indent @2:0"),
            ("if x:\n        a = 1\n    b = 2\n", "IndentationError: unindent does not match any outer indentation level @3:0"),
            ("if x:\n\tif y:\n        pass\n", "TabError: inconsistent use of tabs and spaces in indentation @3:0"),
            ("1 = x\n", "SyntaxError: cannot assign to literal here. Maybe you meant '==' instead of '='? @1:0"),
            ("f() = 1\n", "SyntaxError: cannot assign to function call here. Maybe you meant '==' instead of '='? @1:0"),
            ("f() = 1 = 2\n", "SyntaxError: cannot assign to function call @1:0"),
            ("a + b = 1\n", "SyntaxError: cannot assign to expression here. Maybe you meant '==' instead of '='? @1:0"),
            ("None = 1\n", "SyntaxError: cannot assign to None @1:0"),
            ("a < b = 1\n", "SyntaxError: cannot assign to comparison @1:0"),
            ("[1] = x\n", "SyntaxError: cannot assign to literal @1:1"),
            ("for f() in x: pass\n", "SyntaxError: cannot assign to function call @1:4"),
            ("1 += 2\n", "SyntaxError: 'literal' is an illegal expression for augmented assignment @1:0"),
            ("del f()\n", "SyntaxError: cannot delete function call @1:4"),
            ("def f(a=1, b): pass\n", "SyntaxError: non-default argument follows default argument @1:11"),
            ("f(a=1, 2)\n", "SyntaxError: positional argument follows keyword argument @1:7"),
            ("x = 'abc\n", "SyntaxError: unterminated string literal (detected at line 1) @1:4"),
            ("x = '''abc\n", "SyntaxError: unterminated triple-quoted string literal (detected at line 1) @1:4"),
            ("x = $\n", "SyntaxError: invalid syntax @1:4"),
            ("x = = 1\n", "SyntaxError: invalid syntax @1:4"),
            ("x = [1 2]\n", "SyntaxError: invalid syntax. Perhaps you forgot a comma? @1:7"),
            ("print 'hello'\n", "SyntaxError: Missing parentheses in call to 'print'. Did you mean print(...)? @1:0"),
            ("x = 1a\n", "SyntaxError: invalid decimal literal @1:4"),
            ("x = 012\n", "SyntaxError: leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers @1:4"),
            ("f'{}'\n", "SyntaxError: f-string: empty expression not allowed @1:3"),
            ("f(x.y=1)\n", "SyntaxError: expression cannot contain assignment, perhaps you meant \"==\"? @1:2"),
            ("f(True=1)\n", "SyntaxError: cannot assign to True @1:2"),
            ("def f(**a, b): pass\n", "SyntaxError: arguments cannot follow var-keyword argument @1:11"),
            ("def f(*): pass\n", "SyntaxError: named arguments must follow bare * @1:6"),
        ];
        for (src, want) in cases {
            assert_eq!(err(src), *want, "{src:?}");
        }
    }

    #[test]
    fn syntax_compiler_stage_errors() {
        let cases: &[(&str, &str)] = &[
            ("return 1\n", "SyntaxError: 'return' outside function @1:0"),
            ("break\n", "SyntaxError: 'break' outside loop @1:0"),
            ("continue\n", "SyntaxError: 'continue' not properly in loop @1:0"),
            (
                "while 1:\n    def f():\n        break\n",
                "SyntaxError: 'break' outside loop @3:8",
            ),
            (
                "for x in y:\n    pass\nelse:\n    continue\n",
                "SyntaxError: 'continue' not properly in loop @4:4",
            ),
            (
                "def f(x, x): pass\n",
                "SyntaxError: duplicate argument 'x' in function definition @1:9",
            ),
            (
                "def f(a, *b, b): pass\n",
                "SyntaxError: duplicate argument 'b' in function definition @1:10",
            ),
            ("f(a=1, a=2)\n", "SyntaxError: keyword argument repeated: a @1:7"),
            (
                "try:\n  pass\nexcept:\n  pass\nexcept E:\n  pass\n",
                "SyntaxError: default 'except:' must be last @3:0",
            ),
            (
                "*a = 1\n",
                "SyntaxError: starred assignment target must be in a list or tuple @1:0",
            ),
            (
                "*a, *b = c\n",
                "SyntaxError: multiple starred expressions in assignment @1:0",
            ),
            ("x = *a\n", "SyntaxError: can't use starred expression here @1:4"),
            ("__debug__ = 1\n", "SyntaxError: cannot assign to __debug__ @1:0"),
        ];
        for (src, want) in cases {
            assert_eq!(err(src), *want, "{src:?}");
        }
        // `continue` and `break` inside `finally` are fine in 3.11.
        parse("for x in y:\n    try:\n        pass\n    finally:\n        continue\n").unwrap();
    }

    #[test]
    fn syntax_nesting_limits() {
        let blocks = |n: usize| -> String {
            (0..n)
                .map(|i| format!("{}for x in y:\n", "    ".repeat(i)))
                .collect::<String>()
                + &"    ".repeat(n)
                + "pass\n"
        };
        parse(&blocks(20)).unwrap();
        assert_eq!(
            err(&blocks(21)),
            "SyntaxError: too many statically nested blocks @21:80"
        );
        // A function starts a fresh count.
        parse(&format!(
            "def f():\n{}",
            blocks(20).lines().map(|l| format!("    {l}\n")).collect::<String>()
        ))
        .unwrap();

        let indent = |n: usize| -> String {
            (0..n).map(|i| format!("{}if x:\n", " ".repeat(i))).collect::<String>() + &" ".repeat(n) + "pass\n"
        };
        parse(&indent(99)).unwrap();
        assert_eq!(
            err(&indent(100)),
            "IndentationError: too many levels of indentation @101:0"
        );
        // 1000 nested defs: rejected on indentation, no stack overflow.
        let defs: String = (0..1000)
            .map(|i| format!("{}def f{i}():\n", " ".repeat(i)))
            .collect::<String>()
            + &" ".repeat(1000)
            + "pass\n";
        assert!(err(&defs).starts_with("IndentationError: too many levels of indentation"));

        let parens = |n: usize| format!("x = {}1{}\n", "(".repeat(n), ")".repeat(n));
        parse(&parens(200)).unwrap();
        assert_eq!(err(&parens(201)), "SyntaxError: too many nested parentheses @1:204");
        assert!(err(&parens(100_000)).contains("too many nested parentheses"));
        assert!(err(&format!("x = {}\n", "[".repeat(100_000))).contains("too many nested parentheses"));
    }

    #[test]
    fn syntax_deep_expressions_do_not_overflow() {
        // Runs in a test thread (2 MiB stack by default).
        let recursion = "RecursionError: maximum recursion depth exceeded during compilation";
        for src in [
            format!("x = {}1\n", "-".repeat(100_000)),
            format!("x = {}\n", vec!["1"; 100_000].join(" + ")),
            format!("x = a{}\n", ".b".repeat(100_000)),
            format!("x = a{}\n", "()".repeat(100_000)),
            format!("x = {}1\n", "not ".repeat(100_000)),
            format!("x = {}1\n", "lambda: ".repeat(100_000)),
            // With a syntax error after it: still no crash.
            format!("x = {}1 +\n", "-".repeat(100_000)),
        ] {
            let e = parse(&src).expect_err("too deep");
            assert!(
                format!("{}: {}", e.kind, e.message) == recursion || e.message == "invalid syntax",
                "{}",
                e.message
            );
        }
        // Below the limit it works, scope analysis included.
        let m = parse(&format!("x = {}1\n", "lambda: ".repeat(400))).unwrap();
        let t = crate::scope::analyze(&m).unwrap();
        assert_eq!(t.scopes.len(), 401);
        parse(&format!("x = {}\n", vec!["1"; 900].join(" + "))).unwrap();
        for src in [
            format!("x = {}1\n", "-".repeat(990)),
            format!("x = {}1\n", "lambda: ".repeat(990)),
            format!("x = {}1\n", "not ".repeat(990)),
        ] {
            let m = parse(&src).unwrap();
            crate::scope::analyze(&m).unwrap();
        }
    }

    #[test]
    fn syntax_render_points_at_error() {
        let text = SourceText::new("x = 1\ny = {i for i in x}\n".to_string());
        let e = parse_module(&text).unwrap_err();
        assert_eq!(
            e.render("t.py", &text),
            "  File \"t.py\", line 2\n    y = {i for i in x}\n        ^^^^^^^^^^^^^^\nSyntaxError: 'set comprehension' is not supported by cellar\n"
        );
    }
}
