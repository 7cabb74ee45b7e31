//! Formatted documents (格式文书): a document is a list of blocks — title, headings,
//! paragraphs, right-aligned lines — made from an editable template, and rendered as PDF
//! (Chinese set in Noto Serif SC, bundled and subsetted, so it works offline and
//! `pdftotext` reads it back) or as .docx for editing. Pure: bytes in, bytes out.

mod docx;
pub mod kinds;
mod pdf;
pub mod punctuation;
pub mod sheet;
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
    /// A table with a header row, ruled, the header repeated on each page.
    Table(Table),
    /// A chart of labelled values, drawn (PDF) or tabulated (.docx).
    Chart(Chart),
}

/// A table: the header's cells, then the rows'.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ChartKind {
    /// Horizontal bars, one line each: shares and rankings.
    Bars,
    /// Vertical columns side by side: a series over time.
    Columns,
}

/// A chart: a title and its values in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    pub kind: ChartKind,
    pub points: Vec<(String, f64)>,
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
                | Block::Right(s) => Some(s.clone()),
                Block::Space(_) => None,
                Block::Table(t) => Some(
                    std::iter::once(&t.head)
                        .chain(&t.rows)
                        .map(|r| r.join("\t"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
                Block::Chart(c) => Some(c.title.clone()),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A chart's value as printed: whole numbers without decimals, others with one.
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}
