//! Reading an import file — CSV, Excel (.xlsx) or JSON lines — as rows of named fields,
//! each with the row number a person sees in the file.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use anyhow::{Context, Result, bail};
use calamine::{Data, Reader};

/// The field a row that could not be read carries its reason in.
pub const INVALID: &str = "__invalid__";

/// One row: its number in the file (the header is row 1 in CSV and Excel) and its
/// fields by column name.
pub struct Row {
    pub number: usize,
    pub fields: HashMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Xlsx,
    Jsonl,
}

impl Format {
    /// From the file's extension.
    pub fn of(path: &Path) -> Result<Format> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        Ok(match ext.as_str() {
            "csv" | "txt" => Format::Csv,
            "xlsx" | "xlsm" => Format::Xlsx,
            "jsonl" | "ndjson" | "json" => Format::Jsonl,
            _ => bail!("无法从扩展名“.{ext}”判断文件格式:请用 --format csv|xlsx|jsonl 指明"),
        })
    }
}

/// The rows of `path`, checked to be the format it claims before any is read.
pub fn rows(path: &Path, format: Format) -> Result<Box<dyn Iterator<Item = Result<Row>>>> {
    let mut head = [0u8; 4];
    let n = File::open(path)
        .with_context(|| format!("无法打开 {}", path.display()))?
        .read(&mut head)?;
    let zip = n == 4 && head == *b"PK\x03\x04";
    match format {
        Format::Xlsx if !zip => bail!("{} 不是有效的 Excel (.xlsx) 文件", path.display()),
        Format::Csv | Format::Jsonl if zip => {
            bail!(
                "{} 是压缩文件(可能是 Excel),不是文本文件:请用 --format xlsx",
                path.display()
            )
        }
        Format::Csv => csv_rows(path),
        Format::Xlsx => xlsx_rows(path),
        Format::Jsonl => jsonl_rows(path),
    }
}

fn csv_rows(path: &Path) -> Result<Box<dyn Iterator<Item = Result<Row>>>> {
    let mut r = csv::ReaderBuilder::new().flexible(true).from_path(path)?;
    let header: Vec<String> = r
        .headers()
        .context("CSV 文件缺少表头行")?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    Ok(Box::new(r.into_records().enumerate().map(
        move |(i, rec)| {
            let number = i + 2;
            let fields = match rec {
                Ok(rec) => header
                    .iter()
                    .cloned()
                    .zip(rec.iter().map(|v| v.trim().to_string()))
                    .collect(),
                // A row that cannot be read is that row's error, not the file's.
                Err(e) => HashMap::from([(INVALID.to_string(), format!("不是有效的CSV行:{e}"))]),
            };
            Ok(Row { number, fields })
        },
    )))
}

fn xlsx_rows(path: &Path) -> Result<Box<dyn Iterator<Item = Result<Row>>>> {
    let mut book = calamine::open_workbook_auto(path)
        .with_context(|| format!("{} 不是有效的 Excel (.xlsx) 文件", path.display()))?;
    let range = book
        .worksheet_range_at(0)
        .context("Excel 文件中没有工作表")?
        .context("无法读取第一个工作表")?;
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .context("工作表为空,缺少表头行")?
        .iter()
        .map(|c| cell(c).trim().to_string())
        .collect();
    let data: Vec<Vec<String>> = rows.map(|r| r.iter().map(cell).collect()).collect();
    Ok(Box::new(data.into_iter().enumerate().map(
        move |(i, values)| {
            let fields = header
                .iter()
                .cloned()
                .zip(values.into_iter().map(|v| v.trim().to_string()))
                .collect();
            Ok(Row {
                number: i + 2,
                fields,
            })
        },
    )))
}

/// A cell as text; dates as `YYYY-MM-DD HH:MM:SS` (Excel counts days from 1899-12-30).
fn cell(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => excel_date(d.as_f64()),
        Data::Error(e) => format!("#ERR {e:?}"),
    }
}

fn excel_date(serial: f64) -> String {
    let base = jiff::civil::date(1899, 12, 30).at(0, 0, 0, 0);
    let secs = (serial * 86_400.0).round() as i64;
    base.checked_add(jiff::Span::new().seconds(secs))
        .map(|d| d.strftime("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

fn jsonl_rows(path: &Path) -> Result<Box<dyn Iterator<Item = Result<Row>>>> {
    let lines = BufReader::new(File::open(path)?).lines();
    Ok(Box::new(lines.enumerate().filter_map(|(i, line)| {
        let number = i + 1;
        let line = match line {
            Ok(l) if l.trim().is_empty() => return None,
            Ok(l) => l,
            Err(e) => return Some(Err(anyhow::anyhow!("第{number}行无法读取:{e}"))),
        };
        let fields = match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&line)
        {
            Ok(m) => m
                .into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    (k, v)
                })
                .collect(),
            // A line that is not a JSON object is that row's error, not the file's.
            Err(e) => HashMap::from([(INVALID.to_string(), format!("不是有效的JSON对象:{e}"))]),
        };
        Some(Ok(Row { number, fields }))
    })))
}
