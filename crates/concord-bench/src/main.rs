//! `concord-bench`: builds a data set of the demo county's shape at each scale, starts the
//! release server on it, and measures intake, transitions, the case list and page, next
//! to two ceilings measured in the same run: the same HTTP stack answering a constant,
//! and raw inserts of the same rows into the same database. See bench/README.md.

mod ceiling;
mod extras;
mod load;
mod pages;
mod server;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::Parser;
use serde::Serialize;
use serde_json::json;

use load::{Sample, median};

#[derive(Parser)]
#[command(about = "Concord benchmark (bounded, 127.0.0.1 only)")]
struct Args {
    /// Case counts to measure at.
    #[arg(long, value_delimiter = ',', default_values_t = [10_000usize, 100_000])]
    scales: Vec<usize>,
    /// Runs per figure; the table shows medians.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Time limit of each measurement, in seconds.
    #[arg(long, default_value_t = 4.0)]
    seconds: f64,
    /// `sqlite` (a file per scale under --data) or a `postgres://` URL (a schema per scale).
    #[arg(long, default_value = "sqlite")]
    database: String,
    /// Where data sets are kept between invocations.
    #[arg(long, default_value = "target/bench-data")]
    data: PathBuf,
    #[arg(long, default_value = "bench/results")]
    out: PathBuf,
    /// Also time `concord import` of a generated hotline export of this many rows (0: skip).
    #[arg(long, default_value_t = 0)]
    import_rows: usize,
    /// Only build the data sets (to copy them into more counties, say), measure nothing.
    #[arg(long)]
    prepare_only: bool,
    /// Only intake and its storage ceiling, printed and not written (for profiling the
    /// server while it registers cases: `perf record -p <server pid>`).
    #[arg(long)]
    intake_only: bool,
    /// Only the pages whose name holds this ("dashboard", say), printed and not written
    /// (for profiling: the server's pid is printed).
    #[arg(long)]
    pages_only: Option<String>,
}

/// The medians at one scale.
#[derive(Serialize)]
struct ScaleResult {
    cases: usize,
    http_ceiling: Sample,
    storage_ceiling: Sample,
    intake: Sample,
    transitions: Sample,
    list: Sample,
    case_page: Sample,
    search: Sample,
    /// The staff pages, each rendered from the database (cookie login, 4 connections).
    pages: Vec<(String, Sample)>,
    /// intake and transitions ÷ the storage ceiling; list and page ÷ the HTTP ceiling.
    ratios: serde_json::Value,
    server_peak_rss_mb: f64,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let limit = Duration::from_secs_f64(args.seconds);
    let mut results = Vec::new();
    for &scale in &args.scales {
        eprintln!("== {scale} cases on {}", backend(&args.database));
        let url = server::prepare(&args.database, &args.data, scale).await?;
        if args.prepare_only {
            continue;
        }
        if args.intake_only {
            intake_only(&url, args.runs, limit).await?;
            continue;
        }
        if let Some(part) = &args.pages_only {
            pages_only(&url, part, args.runs, limit).await?;
            continue;
        }
        results.push(measure(&url, scale, args.runs, limit).await?);
    }
    if args.prepare_only || args.intake_only || args.pages_only.is_some() {
        return Ok(());
    }
    eprintln!("== classification (one core)");
    let classify: Vec<f64> = (0..args.runs)
        .map(|_| extras::classify_per_second(limit))
        .collect();
    let import = match args.import_rows {
        0 => None,
        n => {
            eprintln!("== import of {n} rows");
            Some(extras::import(n, &args.data, &args.database)?)
        }
    };
    report(&args, &results, median_of(classify), import)
}

async fn intake_only(url: &str, runs: usize, limit: Duration) -> Result<()> {
    let server = server::Server::start(url).await?;
    eprintln!("   server pid {}", server.pid());
    for run in 0..runs {
        let storage = ceiling::raw_inserts(url, run, limit).await?;
        let intake = server.intake(limit).await;
        println!(
            "storage ceiling {:.0}/s, intake {:.0}/s (p50 {:.2} ms, p99 {:.2} ms): {:.2}",
            storage.per_second,
            intake.per_second,
            intake.p50_ms,
            intake.p99_ms,
            intake.per_second / storage.per_second
        );
    }
    println!("server peak RSS {:.0} MB", server.peak_rss_mb());
    Ok(())
}

async fn pages_only(url: &str, part: &str, runs: usize, limit: Duration) -> Result<()> {
    let server = server::Server::start(url).await?;
    eprintln!("   server pid {}", server.pid());
    for _ in 0..runs {
        for (name, s) in server.pages_named(part, limit).await? {
            println!(
                "{name}: {:.0}/s, p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, {} failed",
                s.per_second, s.p50_ms, s.p95_ms, s.p99_ms, s.errors
            );
        }
    }
    println!("server peak RSS {:.0} MB", server.peak_rss_mb());
    Ok(())
}

fn median_of(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn backend(db: &str) -> &'static str {
    if db.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    }
}

async fn measure(url: &str, scale: usize, runs: usize, limit: Duration) -> Result<ScaleResult> {
    let server = server::Server::start(url).await?;
    let mut samples: [Vec<Sample>; 7] = Default::default();
    let mut pages: Vec<(String, Vec<Sample>)> = Vec::new();
    for run in 0..runs {
        eprintln!("   run {}/{runs}", run + 1);
        samples[0].push(server.healthz(limit).await);
        samples[1].push(ceiling::raw_inserts(url, run, limit).await?);
        samples[2].push(server.intake(limit).await);
        samples[3].push(server.transitions(limit).await?);
        samples[4].push(server.list(limit).await);
        samples[5].push(server.case_page(limit).await?);
        samples[6].push(server.search(limit).await?);
        for (i, (name, s)) in server.pages(limit).await?.into_iter().enumerate() {
            if pages.len() <= i {
                pages.push((name, Vec::new()));
            }
            pages[i].1.push(s);
        }
    }
    let rss = server.peak_rss_mb();
    drop(server);
    let [http, storage, intake, transitions, list, page, search] = samples.map(|s| median(&s));
    Ok(ScaleResult {
        cases: scale,
        ratios: json!({
            "intake_vs_storage": intake.per_second / storage.per_second,
            "transitions_vs_storage": transitions.per_second / storage.per_second,
            "list_vs_http": list.per_second / http.per_second,
            "case_page_vs_http": page.per_second / http.per_second,
        }),
        http_ceiling: http,
        storage_ceiling: storage,
        intake,
        transitions,
        list,
        case_page: page,
        search,
        pages: pages
            .into_iter()
            .map(|(name, s)| (name, median(&s)))
            .collect(),
        server_peak_rss_mb: rss,
    })
}

fn report(
    args: &Args,
    results: &[ScaleResult],
    classify: f64,
    import: Option<extras::ImportResult>,
) -> Result<()> {
    let now = jiff::Zoned::now();
    let machine = json!({
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "cpu": cpu_model(),
    });
    println!("\n| cases | figure | per second | p50 ms | p95 ms | p99 ms | failed |");
    println!("| ---: | --- | ---: | ---: | ---: | ---: | ---: |");
    for r in results {
        let figures = [
            ("HTTP ceiling (GET /healthz)", &r.http_ceiling),
            ("storage ceiling (raw inserts)", &r.storage_ceiling),
            ("intake (POST /cases, 64 conn.)", &r.intake),
            ("transitions (accept)", &r.transitions),
            ("case list (filtered, 50)", &r.list),
            ("case page", &r.case_page),
            ("search (numbers, phones, words)", &r.search),
        ];
        let pages = r.pages.iter().map(|(n, s)| (n.as_str(), s));
        for (name, s) in figures.into_iter().chain(pages) {
            println!(
                "| {} | {name} | {:.0} | {:.2} | {:.2} | {:.2} | {} |",
                r.cases, s.per_second, s.p50_ms, s.p95_ms, s.p99_ms, s.errors
            );
            if s.errors > 0 {
                eprintln!(
                    "warning: {} of {} requests failed in «{name}»",
                    s.errors, s.requests
                );
            }
        }
        for (k, v) in r.ratios.as_object().into_iter().flatten() {
            println!(
                "| {} | ratio {k} | {:.2} | | | | |",
                r.cases,
                v.as_f64().unwrap_or(0.0)
            );
        }
        println!(
            "| {} | server peak RSS (MB) | {:.0} | | | | |",
            r.cases, r.server_peak_rss_mb
        );
    }
    println!("| | classification (descriptions/s, one core) | {classify:.0} | | | | |");
    if let Some(i) = &import {
        println!(
            "| {} | import (rows/s; whole run {:.1} s) | {:.0} | | | | |",
            i.rows, i.seconds, i.per_second
        );
    }
    std::fs::create_dir_all(&args.out)?;
    let file = args.out.join(format!(
        "{}-{}.json",
        now.strftime("%Y%m%d-%H%M%S"),
        backend(&args.database)
    ));
    let doc = json!({ "date": now.to_string(), "backend": backend(&args.database), "runs": args.runs,
                      "seconds": args.seconds, "machine": machine, "scales": results,
                      "classify_per_second": classify, "import": import });
    std::fs::write(&file, serde_json::to_string_pretty(&doc)?)?;
    eprintln!("\nwritten to {}", file.display());
    Ok(())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default()
}
