//! Materials attached to a case (材料): photos of the damage, contracts, receipts, a
//! recording. What a file is comes from its content, never from the name or the type the
//! uploader claims, and only kinds a center can open safely are kept.

use crate::error::FieldError;

/// The largest file kept: a phone photo or a scanned contract fits easily.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The kinds kept, by the MIME type their content shows.
const ALLOWED: &[(&str, &str)] = &[
    ("image/jpeg", "照片"),
    ("image/png", "图片"),
    ("image/webp", "图片"),
    ("image/heif", "照片"),
    ("application/pdf", "PDF文件"),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word文档",
    ),
    ("audio/mpeg", "录音"),
    ("audio/m4a", "录音"),
    ("audio/x-wav", "录音"),
];

/// A checked file: its cleaned name and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFile {
    pub name: String,
    pub mime: &'static str,
    pub label: &'static str,
}

/// Checks a file before it is kept, naming the field (`file` or `name`) that is wrong.
pub fn check(name: &str, bytes: &[u8]) -> Result<CheckedFile, FieldError> {
    let name = clean_name(name)?;
    if bytes.is_empty() {
        return Err(FieldError::new("file", "required", "文件是空的"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(FieldError::new(
            "file",
            "too_large",
            format!("文件不能超过{}MB", MAX_BYTES / 1024 / 1024),
        ));
    }
    let found = infer::get(bytes).map(|k| k.mime_type());
    match found.and_then(|m| ALLOWED.iter().find(|(a, _)| *a == m)) {
        Some((mime, label)) => Ok(CheckedFile { name, mime, label }),
        None => Err(FieldError::new(
            "file",
            "unsupported_type",
            "只能上传照片(JPG、PNG、WEBP、HEIC)、PDF、Word(.docx)或录音(MP3、M4A、WAV)",
        )),
    }
}

/// The file's own name without any folder, control characters or quotes, at most 100
/// characters.
fn clean_name(name: &str) -> Result<String, FieldError> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        return Err(FieldError::new("name", "required", "请给出文件名"));
    }
    if cleaned.chars().count() > 100 {
        return Err(FieldError::new("name", "too_long", "文件名不能超过100字"));
    }
    Ok(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn the_content_decides_not_the_name() {
        let ok = check("../../现场照片.png", PNG).unwrap();
        assert_eq!((ok.name.as_str(), ok.mime), ("现场照片.png", "image/png"));
        let e = check("合同.pdf", b"MZ\x90\0 an executable").unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("file", "unsupported_type"));
        let e = check("说明.html", b"<html><script>alert(1)</script>").unwrap_err();
        assert_eq!(e.code, "unsupported_type");
    }

    #[test]
    fn empty_huge_and_nameless_files_are_refused() {
        assert_eq!(check("a.png", b"").unwrap_err().code, "required");
        let big = [PNG, &vec![0u8; MAX_BYTES]].concat();
        assert_eq!(check("a.png", &big).unwrap_err().code, "too_large");
        assert_eq!(check("/tmp/", PNG).unwrap_err().field, "name");
    }
}
