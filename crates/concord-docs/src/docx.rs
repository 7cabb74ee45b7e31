//! .docx output: the five parts of a minimal WordprocessingML package, zipped. The
//! documents are paragraphs and plain ruled tables, so a few lines of XML do what a
//! library would.

use crate::{Block, Document};

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A zip archive of `files`, deflated, UTF-8 names.
fn zip(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, data) in files {
        let packed = miniz_oxide::deflate::compress_to_vec(data, 6);
        let (crc, offset) = (crc32(data), out.len() as u32);
        let header = |signature: u32, in_directory: bool| {
            let mut h = Vec::new();
            h.extend(signature.to_le_bytes());
            if in_directory {
                h.extend(20u16.to_le_bytes());
            }
            h.extend(20u16.to_le_bytes());
            h.extend(0x0800u16.to_le_bytes());
            h.extend(8u16.to_le_bytes());
            h.extend(0u16.to_le_bytes());
            h.extend(0x21u16.to_le_bytes());
            h.extend(crc.to_le_bytes());
            h.extend((packed.len() as u32).to_le_bytes());
            h.extend((data.len() as u32).to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes());
            if in_directory {
                h.extend([0u8; 6]);
                h.extend(0u32.to_le_bytes());
                h.extend(offset.to_le_bytes());
            }
            h.extend(name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(&packed);
        central.extend(header(0x0201_4b50, true));
    }
    let (dir_offset, dir_len) = (out.len() as u32, central.len() as u32);
    out.extend(central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((files.len() as u16).to_le_bytes());
    out.extend((files.len() as u16).to_le_bytes());
    out.extend(dir_len.to_le_bytes());
    out.extend(dir_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One paragraph: size in points, bold, alignment, first-line indent in characters.
fn para(text: &str, pt: u32, bold: bool, jc: &str, indent: u32) -> String {
    let ind = if indent > 0 {
        format!(
            r#"<w:ind w:firstLineChars="{}" w:firstLine="{}"/>"#,
            indent * 100,
            indent * pt * 20
        )
    } else {
        String::new()
    };
    let b = if bold { "<w:b/>" } else { "" };
    format!(
        r#"<w:p><w:pPr><w:spacing w:line="{line}" w:lineRule="exact"/>{ind}<w:jc w:val="{jc}"/></w:pPr><w:r><w:rPr>{b}<w:sz w:val="{sz}"/><w:szCs w:val="{sz}"/></w:rPr><w:t xml:space="preserve">{t}</w:t></w:r></w:p>"#,
        line = pt * 20 * 8 / 5,
        sz = pt * 2,
        t = esc(text)
    )
}

fn block(b: &Block) -> String {
    match b {
        Block::Title(s) => para(s, 22, true, "center", 0),
        Block::Number(s) => para(s, 14, false, "right", 0),
        Block::Heading(s) => para(s, 15, true, "left", 2),
        Block::Paragraph(s) => para(s, 15, false, "both", 2),
        Block::Line(s) => para(s, 15, false, "left", 0),
        Block::Right(s) => para(s, 15, false, "right", 0),
        Block::Space(_) => para("", 15, false, "left", 0),
        Block::Table(t) => table(&t.head, &t.rows),
        Block::Chart(c) => {
            let rows: Vec<Vec<String>> = c
                .points
                .iter()
                .map(|(l, v)| vec![l.clone(), crate::number(*v)])
                .collect();
            para(&c.title, 12, true, "left", 0) + &table(&["".into(), "数值".into()], &rows)
        }
    }
}

/// A ruled table, 10.5 points, the header bold.
fn table(head: &[String], rows: &[Vec<String>]) -> String {
    let row = |cells: &[String], bold: bool| {
        let tcs: String = cells
            .iter()
            .map(|c| format!("<w:tc>{}</w:tc>", para(c, 10, bold, "left", 0)))
            .collect();
        format!("<w:tr>{tcs}</w:tr>")
    };
    let border = |side: &str| format!(r#"<w:{side} w:val="single" w:sz="4" w:color="000000"/>"#);
    let borders: String = ["top", "left", "bottom", "right", "insideH", "insideV"]
        .iter()
        .map(|s| border(s))
        .collect();
    let body: String = rows.iter().map(|r| row(r, false)).collect();
    format!(
        r#"<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>{borders}</w:tblBorders></w:tblPr>{}{body}</w:tbl>"#,
        row(head, true)
    )
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
const DOC_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="宋体" w:cs="Times New Roman"/><w:sz w:val="30"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault/></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style></w:styles>"#;

pub fn render(doc: &Document) -> Vec<u8> {
    let body: String = doc.blocks.iter().map(block).collect();
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>"#
    );
    zip(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes().to_vec()),
        ("_rels/.rels", RELS.as_bytes().to_vec()),
        ("word/document.xml", document.into_bytes()),
        ("word/_rels/document.xml.rels", DOC_RELS.as_bytes().to_vec()),
        ("word/styles.xml", STYLES.as_bytes().to_vec()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_crc_and_a_well_formed_package() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        let doc = Document {
            title: "t".into(),
            blocks: vec![Block::Paragraph("<A&B> 王某某".into())],
        };
        let bytes = render(&doc);
        assert_eq!(&bytes[..4], b"PK\x03\x04");
        assert!(
            bytes.windows(4).any(|w| w == b"PK\x05\x06"),
            "an end of central directory"
        );
    }
}
