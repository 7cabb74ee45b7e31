//! Group commit for SQLite. A durable commit costs one fsync of the WAL, and SQLite takes
//! one writer at a time, so a write per transaction caps intake at the disk's fsync rate.
//! Here every write goes to one writer task, which runs whatever has queued up in one
//! transaction — each write inside its own savepoint, so a failing write is undone alone —
//! commits once, and only then answers each caller. Nothing is acknowledged before it is
//! durable; a batch whose commit fails answers every caller with the failure.
//!
//! PostgreSQL flushes concurrent commits together by itself, but every registration takes
//! the county's next case number and every write updates its county's figures: hot rows
//! whose locks make concurrent transactions wait for each other's commit one by one. So
//! PostgreSQL writes go through a writer of their own too, on one pooled connection.

use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use futures::future::BoxFuture;
use sqlx::{Connection, Database, Pool, Postgres, Sqlite, SqlitePool, Transaction};
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
type Closure<DB> = Box<
    dyn for<'c> FnOnce(&'c mut <DB as Database>::Connection) -> BoxFuture<'c, (bool, Done)> + Send,
>;

/// What the writer needs of a database beyond sqlx's common ground.
pub(crate) trait Backend: Database {
    /// Opens a batch's transaction (SQLite takes the write lock at once).
    fn begin_batch(
        pool: &Pool<Self>,
    ) -> BoxFuture<'_, Result<Transaction<'static, Self>, sqlx::Error>>;
    /// Numbers and inserts cases (see `bulk`).
    fn insert<'c>(
        conn: &'c mut Self::Connection,
        batch: &'c mut [BuiltCase],
        key: &'c PartyKey,
    ) -> BoxFuture<'c, Result<(), sqlx::Error>>;
}

impl Backend for Sqlite {
    fn begin_batch(
        pool: &Pool<Self>,
    ) -> BoxFuture<'_, Result<Transaction<'static, Self>, sqlx::Error>> {
        Box::pin(pool.begin_with("BEGIN IMMEDIATE"))
    }

    fn insert<'c>(
        conn: &'c mut Self::Connection,
        batch: &'c mut [BuiltCase],
        key: &'c PartyKey,
    ) -> BoxFuture<'c, Result<(), sqlx::Error>> {
        Box::pin(async move { insert_cases!(conn, batch, Marks::Anonymous, key) })
    }
}

impl Backend for Postgres {
    fn begin_batch(
        pool: &Pool<Self>,
    ) -> BoxFuture<'_, Result<Transaction<'static, Self>, sqlx::Error>> {
        Box::pin(pool.begin())
    }

    fn insert<'c>(
        conn: &'c mut Self::Connection,
        batch: &'c mut [BuiltCase],
        key: &'c PartyKey,
    ) -> BoxFuture<'c, Result<(), sqlx::Error>> {
        Box::pin(async move { insert_cases!(conn, batch, Marks::Numbered, key) })
    }
}

/// Registrations queued together are inserted together (see `bulk`).
struct Registration {
    cases: Vec<BuiltCase>,
    answer: oneshot::Sender<Result<Vec<BuiltCase>, StoreError>>,
}

enum Job<DB: Database> {
    Run(Closure<DB>),
    Register(Registration),
}

/// Writes queued while one batch commits join the next; this bounds a batch's size.
const MAX_BATCH: usize = 512;

pub(crate) struct Writer<DB: Database> {
    jobs: mpsc::Sender<Job<DB>>,
}

impl<DB: Database> Clone for Writer<DB> {
    fn clone(&self) -> Self {
        Self {
            jobs: self.jobs.clone(),
        }
    }
}

impl<DB: Database> std::fmt::Debug for Writer<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writer")
    }
}

impl Writer<Sqlite> {
    /// Starts the writer on a connection of its own to the pool's database, with a
    /// larger page cache: every write goes through it, so it holds the hot index pages.
    pub(crate) fn start(pool: SqlitePool, key: PartyKey, cache_mib: u32) -> Self {
        let opts = (*pool.connect_options())
            .clone()
            .pragma("cache_size", format!("-{}", cache_mib * 1024))
            .pragma("wal_autocheckpoint", "16384");
        let own: SqlitePool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_lazy_with(opts);
        Self::on(own, key)
    }
}

impl<DB: Backend> Writer<DB> {
    /// Starts a writer that takes its connection from `pool` for each batch.
    pub(crate) fn on(pool: Pool<DB>, key: PartyKey) -> Self {
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(pool, key, rx));
        Self { jobs }
    }

    /// Runs `f` in the next batch and returns its result once the batch is durable.
    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut DB::Connection) -> BoxFuture<'c, Result<T, StoreError>>
            + Send
            + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job: Closure<DB> = Box::new(move |conn| {
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

    async fn send(&self, job: Job<DB>) -> Result<(), StoreError> {
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

async fn run<DB: Backend>(pool: Pool<DB>, key: PartyKey, mut rx: mpsc::Receiver<Job<DB>>) {
    let mut idle = std::time::Instant::now();
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let start = std::time::Instant::now();
        let (jobs, waited) = (batch.len(), start - idle);
        let outcome = commit_batch(&pool, batch, &key).await;
        // How the writer spends its time (RUST_LOG=concord_store::writer=debug).
        tracing::debug!(
            jobs,
            waited_us = waited.as_micros() as u64,
            busy_us = start.elapsed().as_micros() as u64,
            "batch"
        );
        let (dones, commit) = match outcome {
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
        idle = std::time::Instant::now();
    }
}

type BatchOutcome = (Vec<Done>, Result<(), sqlx::Error>);

async fn commit_batch<DB: Backend>(
    pool: &Pool<DB>,
    batch: Vec<Job<DB>>,
    key: &PartyKey,
) -> Result<BatchOutcome, sqlx::Error> {
    let mut closures = Vec::with_capacity(batch.len());
    let mut registrations = Vec::new();
    for job in batch {
        match job {
            Job::Run(closure) => closures.push(closure),
            Job::Register(r) => registrations.push(r),
        }
    }
    let mut tx = DB::begin_batch(pool).await?;
    let mut dones = Vec::with_capacity(closures.len() + registrations.len());
    if !registrations.is_empty() {
        // Registrations go first, without a savepoint: a savepoint makes SQLite copy
        // every page it touches to a sub-journal, which is most of a bulk insert's cost.
        // Should they fail together, the transaction starts over with each on its own.
        let (registrations, joined) = register_joined::<DB>(&mut tx, registrations, key).await?;
        match joined {
            Some(answered) => dones.extend(answered),
            None => {
                tx.rollback().await?;
                tx = DB::begin_batch(pool).await?;
                dones.extend(register_each::<DB>(&mut tx, registrations, key).await?);
            }
        }
    }
    let writes = closures.len();
    for closure in closures {
        dones.extend(run_closure::<DB>(&mut tx, closure).await?);
    }
    let committing = std::time::Instant::now();
    let commit = tx.commit().await;
    tracing::debug!(
        writes,
        commit_us = committing.elapsed().as_micros() as u64,
        "commit"
    );
    Ok((dones, commit))
}

/// Runs one write in a savepoint of its own; None when it panicked (its caller hears the
/// write did not happen).
async fn run_closure<DB: Backend>(
    tx: &mut DB::Connection,
    closure: Closure<DB>,
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

/// All queued registrations in one bulk insert, straight in the transaction. On
/// success, how to answer each; on failure, the registrations back (the caller rolls
/// the transaction back).
async fn register_joined<DB: Backend>(
    tx: &mut DB::Connection,
    registrations: Vec<Registration>,
    key: &PartyKey,
) -> Result<(Vec<Registration>, Option<Vec<Done>>), sqlx::Error> {
    let sizes: Vec<usize> = registrations.iter().map(|r| r.cases.len()).collect();
    let (mut all, answers): (Vec<Vec<BuiltCase>>, Vec<_>) = registrations
        .into_iter()
        .map(|r| (r.cases, r.answer))
        .unzip();
    let mut joined: Vec<BuiltCase> = all.iter_mut().flat_map(std::mem::take).collect();
    let ok = DB::insert(tx, &mut joined, key).await.is_ok();
    let mut rest = joined.into_iter();
    let mut split = sizes
        .into_iter()
        .zip(answers)
        .map(|(n, answer)| (rest.by_ref().take(n).collect::<Vec<_>>(), answer));
    if ok {
        let dones = split
            .map(|(cases, answer)| answered(answer, Ok(cases)))
            .collect();
        return Ok((Vec::new(), Some(dones)));
    }
    let back = split
        .by_ref()
        .map(|(cases, answer)| Registration { cases, answer })
        .collect();
    Ok((back, None))
}

/// Each registration in a savepoint of its own, so that one bad registration fails alone.
async fn register_each<DB: Backend>(
    tx: &mut DB::Connection,
    registrations: Vec<Registration>,
    key: &PartyKey,
) -> Result<Vec<Done>, sqlx::Error> {
    let mut dones = Vec::with_capacity(registrations.len());
    for Registration { mut cases, answer } in registrations {
        let mut savepoint = tx.begin().await?;
        let result = match DB::insert(&mut savepoint, &mut cases, key).await {
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

/// Runs a write through the store's writer, whichever backend it uses. The body sees
/// `$conn` as `&mut` a connection inside the batch's transaction and evaluates to
/// `Result<T, StoreError>`.
macro_rules! write_tx {
    ($store:expr, |$conn:ident| $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite(_) => {
                $store
                    .writer()
                    .write(move |$conn: &mut sqlx::SqliteConnection| Box::pin(async move { $body }))
                    .await
            }
            $crate::Db::Postgres(_) => {
                $store
                    .pg_writer()
                    .write(move |$conn: &mut sqlx::PgConnection| Box::pin(async move { $body }))
                    .await
            }
        }
    };
}
pub(crate) use write_tx;
