//! Group commit for SQLite. A durable commit costs one fsync of the WAL, and SQLite takes
//! one writer at a time, so a write per transaction caps intake at the disk's fsync rate.
//! Here every write goes to one writer task, which runs whatever has queued up in one
//! transaction — each write inside its own savepoint, so a failing write is undone alone —
//! commits once, and only then answers each caller. Nothing is acknowledged before it is
//! durable; a batch whose commit fails answers every caller with the failure.
//!
//! PostgreSQL needs none of this: its WAL writer already flushes concurrent commits
//! together, so there each write runs in a transaction of its own.

use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use futures::future::BoxFuture;
use sqlx::{Connection, SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use crate::StoreError;
use crate::args::Marks;
use crate::bulk::insert_cases;
use crate::cases::BuiltCase;
use crate::keys::PartyKey;

/// Called once the batch's commit is known: Ok, or why it failed.
type Done = Box<dyn FnOnce(Result<(), String>) + Send>;
/// One write: runs on the writer's connection inside a savepoint; says whether it
/// succeeded and how to answer its caller.
type Closure =
    Box<dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, (bool, Done)> + Send>;

/// Registrations queued together are inserted together (see `bulk`).
struct Registration {
    cases: Vec<BuiltCase>,
    answer: oneshot::Sender<Result<Vec<BuiltCase>, StoreError>>,
}

enum Job {
    Run(Closure),
    Register(Registration),
}

/// Writes queued while one batch commits join the next; this bounds a batch's size.
const MAX_BATCH: usize = 512;

#[derive(Clone, Debug)]
pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer on a connection of its own to the pool's database, with a
    /// larger page cache: every write goes through it, so it holds the hot index pages.
    pub(crate) fn start(pool: SqlitePool, key: PartyKey, cache_mib: u32) -> Self {
        let opts = (*pool.connect_options())
            .clone()
            .pragma("cache_size", format!("-{}", cache_mib * 1024))
            .pragma("wal_autocheckpoint", "16384");
        let own = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_lazy_with(opts);
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(own, key, rx));
        Self { jobs }
    }

    /// Runs `f` in the next batch and returns its result once the batch is durable.
    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T, StoreError>>
            + Send
            + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job: Closure = Box::new(move |conn| {
            Box::pin(async move {
                let result = f(conn).await;
                let ok = result.is_ok();
                let done: Done = Box::new(move |commit| {
                    let _ = answer.send(settle(result, commit));
                });
                (ok, done)
            })
        });
        self.send(Job::Run(job)).await?;
        answered.await.map_err(|_| unfinished())?
    }

    /// Numbers and inserts cases with their histories, together with whatever other
    /// registrations are queued; returns them with ids and numbers once durable.
    pub(crate) async fn register(
        &self,
        cases: Vec<BuiltCase>,
    ) -> Result<Vec<BuiltCase>, StoreError> {
        let (answer, answered) = oneshot::channel();
        self.send(Job::Register(Registration { cases, answer }))
            .await?;
        answered.await.map_err(|_| unfinished())?
    }

    async fn send(&self, job: Job) -> Result<(), StoreError> {
        self.jobs
            .send(job)
            .await
            .map_err(|_| StoreError::Unavailable("数据库写入通道已关闭".into()))
    }
}

fn unfinished() -> StoreError {
    StoreError::Unavailable("写入未完成,请重试".into())
}

fn settle<T>(result: Result<T, StoreError>, commit: Result<(), String>) -> Result<T, StoreError> {
    match (result, commit) {
        (Err(e), _) => Err(e),
        (Ok(_), Err(why)) => Err(StoreError::Unavailable(format!("写入提交失败:{why}"))),
        (Ok(v), Ok(())) => Ok(v),
    }
}

async fn run(pool: SqlitePool, key: PartyKey, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let (dones, commit) = match commit_batch(&pool, batch, &key).await {
            Ok((dones, commit)) => (dones, commit.map_err(|e| e.to_string())),
            // The jobs were dropped unrun: their callers hear that the write did not happen.
            Err(e) => {
                tracing::error!(error = %e, "cannot start a write batch");
                continue;
            }
        };
        if let Err(e) = &commit {
            tracing::error!(error = %e, "write batch failed to commit");
        }
        for done in dones {
            done(commit.clone());
        }
    }
}

type BatchOutcome = (Vec<Done>, Result<(), sqlx::Error>);

async fn commit_batch(
    pool: &SqlitePool,
    batch: Vec<Job>,
    key: &PartyKey,
) -> Result<BatchOutcome, sqlx::Error> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let mut dones = Vec::with_capacity(batch.len());
    let mut registrations = Vec::new();
    for job in batch {
        match job {
            Job::Run(closure) => dones.extend(run_closure(&mut tx, closure).await?),
            Job::Register(r) => registrations.push(r),
        }
    }
    if !registrations.is_empty() {
        dones.extend(register_all(&mut tx, registrations, key).await?);
    }
    let commit = tx.commit().await;
    Ok((dones, commit))
}

/// Runs one write in a savepoint of its own; None when it panicked (its caller hears the
/// write did not happen).
async fn run_closure(
    tx: &mut SqliteConnection,
    closure: Closure,
) -> Result<Option<Done>, sqlx::Error> {
    let mut savepoint = tx.begin().await?;
    match AssertUnwindSafe(closure(&mut savepoint))
        .catch_unwind()
        .await
    {
        Ok((ok, done)) => {
            if ok {
                savepoint.commit().await?;
            } else {
                savepoint.rollback().await?;
            }
            Ok(Some(done))
        }
        Err(_) => {
            tracing::error!("a write panicked; it was rolled back");
            savepoint.rollback().await?;
            Ok(None)
        }
    }
}

/// All queued registrations in one bulk insert; should that fail, each on its own, so
/// that one bad registration fails alone.
async fn register_all(
    tx: &mut SqliteConnection,
    registrations: Vec<Registration>,
    key: &PartyKey,
) -> Result<Vec<Done>, sqlx::Error> {
    let sizes: Vec<usize> = registrations.iter().map(|r| r.cases.len()).collect();
    let (mut all, answers): (Vec<Vec<BuiltCase>>, Vec<_>) = registrations
        .into_iter()
        .map(|r| (r.cases, r.answer))
        .unzip();
    let mut joined: Vec<BuiltCase> = all.iter_mut().flat_map(std::mem::take).collect();
    let mut savepoint = tx.begin().await?;
    if insert_cases!(savepoint, &mut joined, Marks::Anonymous, key).is_ok() {
        savepoint.commit().await?;
        let mut rest = joined.into_iter();
        return Ok(sizes
            .into_iter()
            .zip(answers)
            .map(|(n, answer)| answered(answer, Ok(rest.by_ref().take(n).collect())))
            .collect());
    }
    savepoint.rollback().await?;
    let mut rest = joined.into_iter();
    let mut dones = Vec::with_capacity(answers.len());
    for (n, answer) in sizes.into_iter().zip(answers) {
        let mut cases: Vec<BuiltCase> = rest.by_ref().take(n).collect();
        let mut savepoint = tx.begin().await?;
        let result = match insert_cases!(savepoint, &mut cases, Marks::Anonymous, key) {
            Ok(()) => {
                savepoint.commit().await?;
                Ok(cases)
            }
            Err(e) => {
                savepoint.rollback().await?;
                Err(StoreError::from(e))
            }
        };
        dones.push(answered(answer, result));
    }
    Ok(dones)
}

/// Answers a registration once the commit is known.
fn answered(
    answer: oneshot::Sender<Result<Vec<BuiltCase>, StoreError>>,
    result: Result<Vec<BuiltCase>, StoreError>,
) -> Done {
    Box::new(move |commit| {
        let _ = answer.send(settle(result, commit));
    })
}

/// Runs a write on whichever backend the store uses: through the SQLite writer, or in a
/// PostgreSQL transaction of its own. The body sees `$conn` as `&mut` a connection inside
/// the transaction and evaluates to `Result<T, StoreError>`.
macro_rules! write_tx {
    ($store:expr, |$conn:ident| $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite(_) => {
                $store
                    .writer()
                    .write(move |$conn: &mut sqlx::SqliteConnection| Box::pin(async move { $body }))
                    .await
            }
            $crate::Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let result = {
                    let $conn: &mut sqlx::PgConnection = &mut tx;
                    async move { $body }.await
                };
                match result {
                    Ok(v) => {
                        tx.commit().await?;
                        Ok(v)
                    }
                    Err(e) => Err(e),
                }
            }
        }
    };
}
pub(crate) use write_tx;
