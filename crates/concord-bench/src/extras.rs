//! Figures measured once per run rather than per scale: classification throughput on one
//! core, and `concord import` of a generated hotline export.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rand::{Rng, SeedableRng};
use serde::Serialize;

/// Descriptions classified per second on one core (the evaluation set, over and over).
pub fn classify_per_second(limit: Duration) -> f64 {
    let texts: Vec<String> = include_str!("../../concord-text/data/eval.jsonl")
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_string))
        .collect();
    let model = concord_text::classify::Model::builtin();
    model.classify(&texts[0], 3);
    let (start, mut n) = (Instant::now(), 0usize);
    while start.elapsed() < limit {
        for t in &texts {
            std::hint::black_box(model.classify(t, 3));
        }
        n += texts.len();
    }
    n as f64 / start.elapsed().as_secs_f64()
}

#[derive(Debug, Serialize)]
pub struct ImportResult {
    pub rows: usize,
    pub seconds: f64,
    pub per_second: f64,
}

const TEXTS: &[&str] = &[
    "小区楼上住户装修噪音扰民晚上十点还在施工",
    "某建筑公司拖欠我们班组六名工人工资共计四万元",
    "邻居养狗不拴绳咬伤我家孩子要求赔偿医药费",
    "物业公司停车费涨价业主不认可",
    "网购的电动车电池鼓包商家拒绝退货",
    "承包的茶园被邻村村民强占",
    "离婚后对方拒付孩子抚养费",
    "骑电动车在路口被轿车撞倒腿部骨折",
    "工厂夜间排放刺鼻废气影响居民休息",
    "借给朋友五万元到期不还",
];
const PLACES: &[&str] = &[
    "331125003002",
    "331125105201",
    "331125003001",
    "331125105000",
    "331125003000",
];

/// A 12345 export of `rows` work orders in time order, as a hotline system writes it.
fn write_export(path: &Path, rows: usize) -> Result<()> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(12345);
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        f,
        "工单编号,来电时间,来电人,来电号码,诉求内容,区划代码,被申请人"
    )?;
    let start = jiff::civil::date(2026, 1, 1).at(8, 0, 0, 0);
    let step = (300.0 * 24.0 * 3600.0 / rows.max(1) as f64).max(1.0);
    for i in 0..rows {
        let at = start
            .checked_add(jiff::Span::new().seconds((i as f64 * step) as i64))
            .context("time")?;
        let text = TEXTS[rng.random_range(0..TEXTS.len())];
        let place = PLACES[rng.random_range(0..PLACES.len())];
        let phone = format!("13{:09}", rng.random_range(0..1_000_000_000u64));
        writeln!(
            f,
            "GD{i:09},{},市民{},{phone},{text}(工单{i}),{place},对方{}",
            at.strftime("%Y-%m-%d %H:%M:%S"),
            i % 997,
            i % 101
        )?;
    }
    f.flush()?;
    Ok(())
}

/// Imports a generated export of `rows` into a fresh database with the demo directory.
pub fn import(rows: usize, data: &Path, database: &str) -> Result<ImportResult> {
    let exe = std::env::current_exe()?.with_file_name("concord");
    std::fs::create_dir_all(data)?;
    let file = data.join(format!("hotline-{rows}.csv"));
    if !file.exists() {
        write_export(&file, rows)?;
    }
    let url = if database.starts_with("postgres") {
        crate::server::fresh_schema_url(database, "bench_import")?
    } else {
        let db = data.join("import.db");
        for suffix in ["", "-wal", "-shm", ".key"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        format!("sqlite://{}", db.display())
    };
    let key = crate::server::key_path(&url);
    let concord = |args: &[&str]| -> Result<std::process::Output> {
        Ok(Command::new(&exe)
            .args(args)
            .args([
                "--database",
                &url,
                "--key-file",
                key.to_str().unwrap_or_default(),
            ])
            .env("RUST_LOG", "warn")
            .output()?)
    };
    concord(&["demo-data", "--cases", "0"])?;
    let _ = std::fs::remove_file(format!("{}.errors.csv", file.display()));
    let t = Instant::now();
    let out = concord(&["import", file.to_str().context("path")?])?;
    let seconds = t.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!("import failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(ImportResult {
        rows,
        seconds,
        per_second: rows as f64 / seconds,
    })
}
