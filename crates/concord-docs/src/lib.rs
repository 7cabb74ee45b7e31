//! Formatted documents (格式文书): a document is a list of blocks — title, headings,
//! paragraphs, right-aligned lines — made from an editable template, and rendered as PDF
//! (Chinese set in Noto Serif SC, bundled and subsetted, so it works offline and
//! `pdftotext` reads it back) or as .docx for editing. Pure: bytes in, bytes out.

mod docx;
pub mod kinds;
mod pdf;
pub mod punctuation;
pub mod template;

pub use template::{Template, TemplateError};

/// One block of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The document's name, centred and large: 人民调解协议书.
    Title(String),
    /// A line under the title, right-aligned: the document number.
    Number(String),
    /// A bold run-in heading: 纠纷事实:
    Heading(String),
    /// Body text, justified, first line indented two characters.
    Paragraph(String),
    /// A line flush left, not indented (signature lines).
    Line(String),
    /// A line flush right (the issuing body, the date).
    Right(String),
    /// Vertical space, in points.
    Space(f32),
}

/// A document ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub title: String,
    pub blocks: Vec<Block>,
}

impl Document {
    /// As PDF: A4, official-document margins.
    pub fn to_pdf(&self) -> Vec<u8> {
        pdf::render(self)
    }

    /// As Office Open XML (.docx), the same blocks for editing.
    pub fn to_docx(&self) -> Vec<u8> {
        docx::render(self)
    }

    /// The document's words, line by line (what a reader or a search sees).
    pub fn plain_text(&self) -> String {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Title(s)
                | Block::Number(s)
                | Block::Heading(s)
                | Block::Paragraph(s)
                | Block::Line(s)
                | Block::Right(s) => Some(s.as_str()),
                Block::Space(_) => None,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
