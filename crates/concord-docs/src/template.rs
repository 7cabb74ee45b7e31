//! Templates an administrator edits as plain text. One line, one block:
//!
//! ```text
//! # 人民调解协议书          title
//! = {{number}}             number line, right-aligned
//! ## 纠纷事实:             heading
//! {{facts}}                paragraph (a value of several lines gives several)
//! | 当事人(签名):          line flush left
//! > {{date}}               line flush right
//!                          (an empty line is space)
//! ```
//!
//! `{{name}}` is replaced by the value of `name`; a template may use only the names its
//! kind of document provides, and is refused otherwise, naming the line.

use std::collections::BTreeMap;

use crate::{Block, Document};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("模板为空")]
    Empty,
    #[error("模板过长(不能超过{0}个字)")]
    TooLong(usize),
    #[error("第{line}行:“{{{{”没有对应的“}}}}”")]
    Unclosed { line: usize },
    #[error("第{line}行:没有名为“{name}”的字段,可用:{allowed}")]
    UnknownField {
        line: usize,
        name: String,
        allowed: String,
    },
}

pub const MAX_TEMPLATE_CHARS: usize = 20_000;

/// A checked template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    source: String,
}

/// The `{{names}}` in a line, or where a brace is left open.
fn fields(line: &str) -> Result<Vec<&str>, ()> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or(())?;
        out.push(after[..end].trim());
        rest = &after[end + 2..];
    }
    Ok(out)
}

impl Template {
    /// Checks `source` against the field names its kind of document provides.
    pub fn parse(source: &str, allowed: &[&str]) -> Result<Template, TemplateError> {
        if source.trim().is_empty() {
            return Err(TemplateError::Empty);
        }
        if source.chars().count() > MAX_TEMPLATE_CHARS {
            return Err(TemplateError::TooLong(MAX_TEMPLATE_CHARS));
        }
        for (i, line) in source.lines().enumerate() {
            let names = fields(line).map_err(|_| TemplateError::Unclosed { line: i + 1 })?;
            if let Some(bad) = names.iter().find(|n| !allowed.contains(n)) {
                return Err(TemplateError::UnknownField {
                    line: i + 1,
                    name: bad.to_string(),
                    allowed: allowed.join("、"),
                });
            }
        }
        Ok(Template {
            source: source.to_string(),
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// The document, with each `{{name}}` replaced by its value (missing: empty).
    pub fn render(&self, title: &str, values: &BTreeMap<&str, String>) -> Document {
        let mut blocks = Vec::new();
        for line in self.source.lines() {
            let (make, body): (fn(String) -> Block, &str) = match line {
                l if l.trim().is_empty() => {
                    blocks.push(Block::Space(12.0));
                    continue;
                }
                l if l.starts_with("## ") => (Block::Heading, &l[3..]),
                l if l.starts_with("# ") => (Block::Title, &l[2..]),
                l if l.starts_with("= ") => (Block::Number, &l[2..]),
                l if l.starts_with("> ") => (Block::Right, &l[2..]),
                l if l.starts_with("| ") => (Block::Line, &l[2..]),
                l => (Block::Paragraph, l),
            };
            let filled = fill(body, values);
            // A value of several lines gives one block per line.
            for part in filled.lines().filter(|p| !p.trim().is_empty()) {
                blocks.push(make(part.trim().to_string()));
            }
        }
        Document {
            title: title.to_string(),
            blocks,
        }
    }
}

fn fill(line: &str, values: &BTreeMap<&str, String>) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        if let Some(v) = values.get(after[..end].trim()) {
            out.push_str(&crate::punctuation::chinese(v));
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_becomes_blocks_with_its_values() {
        let t = Template::parse(
            "# 受理通知书\n= {{number}}\n{{name}}:\n\n{{terms}}\n> {{date}}",
            &["number", "name", "terms", "date"],
        )
        .unwrap();
        let values = BTreeMap::from([
            ("number", "331125-2026-00042".to_string()),
            ("name", "王某某".to_string()),
            ("terms", "一、赔偿\n二、道歉".to_string()),
            ("date", "2026年11月25日".to_string()),
        ]);
        let d = t.render("受理通知书", &values);
        assert_eq!(
            d.blocks,
            vec![
                Block::Title("受理通知书".into()),
                Block::Number("331125-2026-00042".into()),
                Block::Paragraph("王某某:".into()),
                Block::Space(12.0),
                Block::Paragraph("一、赔偿".into()),
                Block::Paragraph("二、道歉".into()),
                Block::Right("2026年11月25日".into()),
            ]
        );
    }

    #[test]
    fn an_unknown_field_or_an_open_brace_is_refused_naming_the_line() {
        let e = Template::parse("# 通知\n{{nmae}}", &["name"]).unwrap_err();
        assert_eq!(
            e,
            TemplateError::UnknownField {
                line: 2,
                name: "nmae".into(),
                allowed: "name".into()
            }
        );
        assert!(e.to_string().starts_with("第2行"));
        assert_eq!(
            Template::parse("{{name", &["name"]).unwrap_err(),
            TemplateError::Unclosed { line: 1 }
        );
        assert_eq!(
            Template::parse("  ", &[]).unwrap_err(),
            TemplateError::Empty
        );
    }
}
