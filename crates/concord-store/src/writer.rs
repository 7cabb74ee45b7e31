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
use sqlx::{Acquire, SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use crate::StoreError;

/// Called once the batch's commit is known: Ok, or why it failed.
type Done = Box<dyn FnOnce(Result<(), String>) + Send>;
/// One write: runs on the writer's connection inside a savepoint; says whether it
/// succeeded and how to answer its caller.
type Job = Box<dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, (bool, Done)> + Send>;

/// Writes queued while one batch commits join the next; this bounds a batch's size.
const MAX_BATCH: usize = 512;

#[derive(Clone, Debug)]
pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    pub(crate) fn start(pool: SqlitePool) -> Self {
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(pool, rx));
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
        let job: Job = Box::new(move |conn| {
            Box::pin(async move {
                let result = f(conn).await;
                let ok = result.is_ok();
                let done: Done = Box::new(move |commit| {
                    let _ = answer.send(settle(result, commit));
                });
                (ok, done)
            })
        });
        let gone = || StoreError::Unavailable("数据库写入通道已关闭".into());
        self.jobs.send(job).await.map_err(|_| gone())?;
        answered
            .await
            .map_err(|_| StoreError::Unavailable("写入未完成,请重试".into()))?
    }
}

fn settle<T>(result: Result<T, StoreError>, commit: Result<(), String>) -> Result<T, StoreError> {
    match (result, commit) {
        (Err(e), _) => Err(e),
        (Ok(_), Err(why)) => Err(StoreError::Unavailable(format!("写入提交失败:{why}"))),
        (Ok(v), Ok(())) => Ok(v),
    }
}

async fn run(pool: SqlitePool, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let (dones, commit) = match commit_batch(&pool, batch).await {
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

async fn commit_batch(pool: &SqlitePool, batch: Vec<Job>) -> Result<BatchOutcome, sqlx::Error> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let mut dones = Vec::with_capacity(batch.len());
    for job in batch {
        let mut savepoint = tx.begin().await?;
        let ran = AssertUnwindSafe(job(&mut savepoint)).catch_unwind().await;
        match ran {
            Ok((true, done)) => {
                savepoint.commit().await?;
                dones.push(done);
            }
            Ok((false, done)) => {
                savepoint.rollback().await?;
                dones.push(done);
            }
            // A panicking write is undone; its caller hears the write did not happen.
            Err(_) => {
                tracing::error!("a write panicked; it was rolled back");
                savepoint.rollback().await?;
            }
        }
    }
    let commit = tx.commit().await;
    Ok((dones, commit))
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
