//! `concord import FILE`: hotline work orders and historical cases from CSV, Excel or JSON
//! lines. Rows are read in batches; each batch commits whole or not at all; a row that
//! is wrong is skipped and reported (row, column, reason) in `FILE.errors.csv`; a row
//! already imported (same source and work-order number) is skipped, so importing a file
//! again creates no duplicates.

mod read;
mod row;

use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use concord_domain::agreement::SignMethod;
use concord_domain::case::Channel;
use concord_domain::history;
use concord_domain::lifecycle::{self, Context as LifeContext};
use concord_domain::region::RegionCode;
use concord_domain::{FieldError, FieldErrors};
use concord_store::{Actor, BuiltAgreement, BuiltCase, PartyKey, Store, StoreError};
use concord_text::classify::Model;
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use read::{Format, Row};

#[derive(Args)]
pub struct ImportArgs {
    /// A .csv, .xlsx or .jsonl file; `docs/import.md` lists the columns.
    file: PathBuf,
    /// When the extension does not say.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Where the rows come from; with the work-order number it identifies a row.
    #[arg(long, default_value = "12345")]
    source: String,
    /// The channel of rows that do not name one.
    #[arg(long, default_value = "hotline")]
    channel: String,
    /// Rows per transaction (fewer, larger commits load faster; 5,000 rows hold ~100 MB).
    #[arg(long, default_value_t = 5000)]
    batch: usize,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Summary {
    pub read: usize,
    pub imported: usize,
    pub already: usize,
    pub failed: usize,
}

/// A batch made ready off the async threads: the cases to insert, the row errors.
struct Prepared {
    cases: Vec<(usize, String, BuiltCase)>,
    errors: Vec<(usize, FieldError)>,
    rows: usize,
}

struct Ctx {
    source: String,
    /// For historical cases: the routing table and the units, to replay who handled them.
    rules: concord_domain::routing::RuleSet,
    orgs: Vec<concord_domain::org::Organization>,
    channel: Channel,
    regions: HashSet<RegionCode>,
    model: Arc<Model>,
    calendar: Arc<concord_domain::calendar::WorkCalendar>,
    now: Timestamp,
    key: PartyKey,
}

pub async fn run(args: ImportArgs, store: &Store) -> Result<()> {
    let format = match args.format {
        Some(f) => f,
        None => Format::of(&args.file)?,
    };
    let channel = Channel::parse("channel", &args.channel).map_err(|e| anyhow::anyhow!("{e}"))?;
    let source = concord_domain::case::text("source", &args.source, 50, true)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut rows = read::rows(&args.file, format)?.peekable();
    if let Some(Ok(first)) = rows.peek() {
        let headers: Vec<String> = first.fields.keys().cloned().collect();
        if let Err(why) = row::check_header(&headers) {
            bail!("{}:{why}", args.file.display());
        }
    }
    let model = concord_web::learning::Classifier::load(store)
        .await?
        .model();
    let ctx = Arc::new(Ctx {
        source,
        rules: store.routing_rules().await?,
        orgs: store.organizations(None).await?,
        channel,
        regions: store.region_codes().await?,
        model,
        calendar: store.calendar(),
        now: Timestamp::now(),
        key: store.party_key().clone(),
    });
    let summary = import(store, &args.file, rows, ctx, args.batch.clamp(1, 20_000)).await?;
    // Chain the imported events' audit entries before the server has to.
    store.seal_audit().await?;
    println!(
        "导入完成:读取{}行,新增{}件,已导入过而跳过{}行,有误跳过{}行",
        summary.read, summary.imported, summary.already, summary.failed
    );
    Ok(())
}

async fn import(
    store: &Store,
    file: &Path,
    rows: impl Iterator<Item = Result<Row>>,
    ctx: Arc<Ctx>,
    batch: usize,
) -> Result<Summary> {
    let bar = progress(file);
    let report_path = errors_path(file);
    let mut report = csv::Writer::from_path(&report_path)
        .with_context(|| format!("无法写入错误报告 {}", report_path.display()))?;
    report.write_record(["行号", "字段", "原因"])?;
    let mut summary = Summary::default();
    let started = Instant::now();
    let chunks = Chunks { rows, size: batch };
    // Two batches are prepared (validated, classified, tokenized) while one is stored.
    let mut prepared = futures::stream::iter(chunks)
        .map(|chunk| {
            let ctx = ctx.clone();
            tokio::task::spawn_blocking(move || prepare(chunk, &ctx))
        })
        .buffered(2);
    // One batch is stored while the next is checked for rows already imported, so the
    // writer always has the next batch waiting; the audit chain is sealed alongside.
    let mut in_flight: VecDeque<Pending> = VecDeque::new();
    let mut pending_refs: HashSet<String> = HashSet::new();
    let mut sealing: Option<tokio::task::JoinHandle<Result<u64, StoreError>>> = None;
    while let Some(p) = prepared.next().await {
        let p = p.context("准备批次失败")??;
        summary.read += p.rows;
        summary.failed += p.errors.len();
        for (n, e) in &p.errors {
            report.write_record([n.to_string(), e.field.clone(), e.message.clone()])?;
        }
        in_flight.push_back(start_batch(store, &ctx, p, &mut pending_refs, &mut summary).await?);
        if in_flight.len() > 1 {
            let done = in_flight.pop_front().expect("two in flight");
            finish_batch(done, &mut pending_refs, &mut summary, &mut report).await?;
            if sealing.as_ref().is_none_or(|s| s.is_finished()) {
                if let Some(s) = sealing.take() {
                    s.await??;
                }
                let store = store.clone();
                sealing = Some(tokio::spawn(async move { store.seal_audit().await }));
            }
        }
        bar.set_position(summary.read as u64);
    }
    while let Some(done) = in_flight.pop_front() {
        finish_batch(done, &mut pending_refs, &mut summary, &mut report).await?;
    }
    if let Some(s) = sealing {
        s.await??;
    }
    report.flush()?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "用时 {secs:.1} 秒,每秒 {:.0} 行",
        summary.read as f64 / secs.max(1e-9)
    );
    if summary.failed > 0 {
        eprintln!("有误的行见 {}", report_path.display());
    } else {
        let _ = std::fs::remove_file(&report_path);
    }
    Ok(summary)
}

/// A batch handed to the store: its rows' numbers and references, and the insert.
struct Pending {
    numbers: Vec<usize>,
    refs: Vec<String>,
    insert: tokio::task::JoinHandle<Result<Vec<BuiltCase>, StoreError>>,
}

/// Skips rows already imported (or in a batch still being stored); hands the rest to the
/// store, to insert in one transaction.
async fn start_batch(
    store: &Store,
    ctx: &Ctx,
    p: Prepared,
    pending_refs: &mut HashSet<String>,
    summary: &mut Summary,
) -> Result<Pending> {
    let refs: Vec<String> = p.cases.iter().map(|(_, r, _)| r.clone()).collect();
    let known = store.existing_refs(&ctx.source, &refs).await?;
    let mut fresh = Vec::new();
    let mut numbers = Vec::new();
    let mut refs = Vec::new();
    for (n, r, case) in p.cases {
        if known.contains(&r) || !pending_refs.insert(r.clone()) {
            summary.already += 1;
        } else {
            numbers.push(n);
            refs.push(r);
            fresh.push(case);
        }
    }
    let store = store.clone();
    let insert = tokio::spawn(async move {
        if fresh.is_empty() {
            return Ok(fresh);
        }
        store.insert_built_cases(fresh).await
    });
    Ok(Pending {
        numbers,
        refs,
        insert,
    })
}

/// Waits for a batch to be stored and counts it, or reports each of its rows.
async fn finish_batch(
    done: Pending,
    pending_refs: &mut HashSet<String>,
    summary: &mut Summary,
    report: &mut csv::Writer<std::fs::File>,
) -> Result<()> {
    for r in &done.refs {
        pending_refs.remove(r);
    }
    match done.insert.await.context("写入批次失败")? {
        Ok(_) => summary.imported += done.numbers.len(),
        Err(e) => {
            // The whole batch is refused, and every one of its rows says so.
            summary.failed += done.numbers.len();
            for n in done.numbers {
                report.write_record([
                    n.to_string(),
                    "batch".into(),
                    format!("本批未能写入:{e}"),
                ])?;
            }
        }
    }
    Ok(())
}

fn prepare(chunk: Vec<Result<Row>>, ctx: &Ctx) -> Result<Prepared> {
    let mut p = Prepared {
        cases: Vec::new(),
        errors: Vec::new(),
        rows: chunk.len(),
    };
    for r in chunk {
        let r = r?;
        match build(&r, ctx) {
            Ok((reference, case)) => p.cases.push((r.number, reference, case)),
            Err(errs) => p.errors.extend(errs.0.into_iter().map(|e| (r.number, e))),
        }
    }
    Ok(p)
}

/// A row as a registered case, or every fault in it.
fn build(r: &Row, ctx: &Ctx) -> Result<(String, BuiltCase), FieldErrors> {
    let rc = row::parse(r, ctx.channel, |text| {
        ctx.model.classify(text, 1).suggestions[0].category
    })?;
    let reference = rc.external_ref.clone().unwrap_or_else(|| content_ref(r));
    let mut input = rc.input;
    input.source = Some(ctx.source.clone());
    input.external_ref = Some(reference.clone());
    let facts = input.validate()?;
    if !ctx.regions.contains(&facts.region) {
        return Err(FieldError::new(
            "region",
            "unknown_region",
            format!("区划代码“{}”不在本系统的行政区划中", facts.region),
        )
        .into());
    }
    let at = rc.registered_at.unwrap_or(ctx.now).min(ctx.now);
    let lc = LifeContext {
        now: at,
        calendar: &ctx.calendar,
        routing: None,
    };
    let handler = if rc.past.needs_handler() {
        handler(&facts, rc.lead_unit.as_deref(), ctx)?
    } else {
        None
    };
    let (case, event) = lifecycle::register(facts, String::new(), &lc);
    let past = history::replay(case, &rc.past, handler, &ctx.calendar, ctx.now)?;
    let mut events = vec![(event, Actor::importer())];
    events.extend(past.events.into_iter().map(|e| (e, Actor::importer())));
    let mut built = BuiltCase::new(past.case, events);
    built.agreement = past.agreement.map(|a| BuiltAgreement {
        text: a.text,
        by: Actor::importer().name,
        at: a.drafted_at,
        signatures: a
            .signatures
            .into_iter()
            .map(|(party, t)| (party, SignMethod::InPerson, t))
            .collect(),
    });
    built.seal_parties(&ctx.key);
    Ok((reference, built))
}

/// Who handled a historical case: the unit the row names, or the routing table's choice.
fn handler(
    facts: &concord_domain::case::NewCase,
    named: Option<&str>,
    ctx: &Ctx,
) -> Result<Option<history::Handler>, FieldError> {
    let decision = concord_domain::routing::route(facts, &ctx.rules, &ctx.orgs);
    let unit = match named {
        Some(name) => {
            let org = ctx
                .orgs
                .iter()
                .find(|o| o.name == name.trim())
                .ok_or_else(|| {
                    FieldError::new(
                        "lead_unit",
                        "unknown_reference",
                        format!("没有名为“{name}”的单位"),
                    )
                })?;
            return Ok(Some((
                org.id,
                concord_domain::case::Level::of_region(org.region.level()),
                decision.tier,
            )));
        }
        None => decision.unit,
    };
    Ok(unit.map(|u| (u, decision.level, decision.tier)))
}

/// A row without a work-order number is known by its content.
fn content_ref(r: &Row) -> String {
    let mut fields: Vec<(&String, &String)> = r.fields.iter().collect();
    fields.sort();
    let mut h = Sha256::new();
    for (k, v) in fields {
        h.update(k.as_bytes());
        h.update([0]);
        h.update(v.as_bytes());
        h.update([0]);
    }
    format!("sha256:{}", &hex::encode(h.finalize())[..32])
}

fn errors_path(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".errors.csv");
    file.with_file_name(name)
}

fn progress(file: &Path) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} 已读 {pos} 行 ({per_sec}) {elapsed}")
            .expect("a valid template"),
    );
    bar.set_message(file.display().to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// An iterator in chunks of `size`.
struct Chunks<I> {
    rows: I,
    size: usize,
}

impl<I: Iterator<Item = Result<Row>>> Iterator for Chunks<I> {
    type Item = Vec<Result<Row>>;
    fn next(&mut self) -> Option<Self::Item> {
        let chunk: Vec<_> = self.rows.by_ref().take(self.size).collect();
        (!chunk.is_empty()).then_some(chunk)
    }
}
