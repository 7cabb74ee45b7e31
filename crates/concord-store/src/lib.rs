//! Concord's storage: one set of queries run on SQLite (the default, embedded) or on
//! PostgreSQL (at scale), chosen by the database URL at start-up. Queries use `$1`
//! placeholders, which both drivers accept; each method is compiled once per backend
//! through [`with_db!`], so no `Any` driver is involved.

mod accounts;
pub mod alerts;
mod args;
pub mod attachments;
pub mod audit;
mod backfill;
mod backup;
mod bulk;
mod cache;
mod calendar;
mod cases;
mod classifier;
mod directory;
pub mod documents;
mod error;
mod figures;
mod keys;
pub mod list;
mod mediate;
pub mod mediation;
pub mod mediators;
mod merge;
pub mod notifications;
pub mod open311;
pub mod oversight;
pub mod records;
mod refs;
mod register;
pub mod reports;
mod retention;
pub mod room;
mod routing;
mod rows;
pub mod screening;
pub mod search;
pub mod seen;
pub mod surges;
mod tasks;
mod tracking;
pub mod webhooks;
mod writer;

use std::str::FromStr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use concord_domain::calendar::WorkCalendar;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite, Transaction};

pub use accounts::{Actor, LOCKOUT_MINUTES, LoginResult, MAX_FAILED_LOGINS, NewUser};
pub use backup::check_sqlite_backup;
pub use cases::{BuiltAgreement, BuiltCase, CaseRecord, EventRecord, format_number};
pub use directory::{Named, NewMediator, NewOrganization};
pub use error::StoreError;
pub use keys::{PartyKey, default_key_path};
pub use list::{CaseFilter, CasePage, CaseSummary};
pub use tasks::TaskRecord;
pub use tracking::{ONE_TIME_MAX_ATTEMPTS, ONE_TIME_MINUTES, ONE_TIME_PER_WINDOW, OneTime};

/// A pool on one of the two backends.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool of whichever backend is in use.
macro_rules! with_db {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_db;

/// Starts a write transaction. SQLite takes the write lock up front (BEGIN IMMEDIATE), so
/// a transaction that reads and then writes never fails to upgrade under concurrency.
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<Transaction<'static, Self::Db>, sqlx::Error>> + Send;
}

impl BeginWrite for SqlitePool {
    type Db = Sqlite;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<Transaction<'static, Sqlite>, sqlx::Error>> + Send {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

impl BeginWrite for PgPool {
    type Db = Postgres;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<Transaction<'static, Postgres>, sqlx::Error>> + Send {
        self.begin()
    }
}

/// The storage handle shared by the server and the CLI.
#[derive(Clone)]
pub struct Store {
    db: Db,
    calendar: Arc<RwLock<Arc<WorkCalendar>>>,
    /// The group-commit writer of whichever backend the store uses.
    writer: Option<writer::Writer<sqlx::Sqlite>>,
    pg_writer: Option<writer::Writer<sqlx::Postgres>>,
    caches: Arc<cache::Caches>,
    /// The secret behind the parties' keyed hashes.
    party_key: PartyKey,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.db {
            Db::Sqlite(_) => "Store(sqlite)",
            Db::Postgres(_) => "Store(postgres)",
        })
    }
}

/// The SQLite writer's page cache, MiB: the hot index pages of every write.
pub const WRITER_CACHE_MIB: u32 = 32;

/// The default database: `./concord.db`.
pub const DEFAULT_SQLITE_URL: &str = "sqlite://concord.db";

impl Store {
    /// The key the parties' numbers are sealed and matched with (for sealing them ahead
    /// of a bulk insert, see [`BuiltCase::seal_parties`]).
    pub fn party_key(&self) -> &PartyKey {
        &self.party_key
    }
}

impl Store {
    /// Connects to `url` (`postgres://…`, `sqlite://path` or a plain file path), runs the
    /// migrations and loads the working-day calendar. `key` is the center's secret for the
    /// parties' keyed hashes: the same key must be used every time.
    pub async fn open(url: &str, key: PartyKey) -> Result<Self, StoreError> {
        Self::open_with(url, key, WRITER_CACHE_MIB).await
    }

    /// As [`Store::open`], with the SQLite writer's page cache in MiB: a bulk import
    /// wants far more than a server does.
    pub async fn open_with(
        url: &str,
        key: PartyKey,
        writer_cache_mib: u32,
    ) -> Result<Self, StoreError> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Db::Postgres(connect_postgres(url).await?)
        } else {
            Db::Sqlite(connect_sqlite(url).await?)
        };
        Self::build(db, key, writer_cache_mib).await
    }

    /// Wraps an existing pool (tests pass a PostgreSQL pool bound to a fresh schema).
    pub async fn from_db(db: Db, key: PartyKey) -> Result<Self, StoreError> {
        Self::build(db, key, WRITER_CACHE_MIB).await
    }

    async fn build(db: Db, key: PartyKey, writer_cache_mib: u32) -> Result<Self, StoreError> {
        let writer = match &db {
            Db::Sqlite(p) => Some(writer::Writer::start(
                p.clone(),
                key.clone(),
                writer_cache_mib,
            )),
            Db::Postgres(_) => None,
        };
        let pg_writer = match &db {
            Db::Postgres(p) => Some(writer::Writer::on(p.clone(), key.clone())),
            Db::Sqlite(_) => None,
        };
        let store = Self {
            db,
            calendar: Arc::new(RwLock::new(Arc::new(WorkCalendar::default()))),
            writer,
            pg_writer,
            caches: Arc::default(),
            party_key: key,
        };
        store.migrate().await?;
        store.backfill().await?;
        store.seed_calendar().await?;
        store.reload_calendar().await?;
        Ok(store)
    }

    /// The pool itself, for benchmarks that measure the raw storage ceiling.
    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn backend(&self) -> &'static str {
        match self.db {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        match &self.db {
            Db::Sqlite(p) => sqlx::migrate!("migrations/sqlite").run(p).await?,
            Db::Postgres(p) => sqlx::migrate!("migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    /// The SQLite writer (only called on the SQLite arm of `write_tx!`).
    fn writer(&self) -> &writer::Writer<sqlx::Sqlite> {
        self.writer.as_ref().expect("a SQLite store has a writer")
    }

    /// The PostgreSQL writer (only called on the PostgreSQL arm of `write_tx!`).
    fn pg_writer(&self) -> &writer::Writer<sqlx::Postgres> {
        self.pg_writer
            .as_ref()
            .expect("a PostgreSQL store has a writer")
    }

    /// The working-day calendar currently in force.
    pub fn calendar(&self) -> Arc<WorkCalendar> {
        self.calendar.read().expect("calendar lock").clone()
    }

    pub async fn close(&self) {
        with_db!(self, p => p.close().await)
    }
}

async fn connect_sqlite(url: &str) -> Result<SqlitePool, StoreError> {
    let opts = if url.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(url)?
    } else {
        SqliteConnectOptions::new().filename(url)
    };
    // WAL with FULL sync: an acknowledged write survives a crash and a power cut.
    let opts = opts
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(30))
        // Statement journals and sorts in memory, not in temporary files; a 4 MiB page
        // cache per reading connection (the OS keeps the rest of the file cached).
        .pragma("temp_store", "memory")
        .pragma("cache_size", "-4096");
    Ok(SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(opts)
        .await?)
}

async fn connect_postgres(url: &str) -> Result<PgPool, StoreError> {
    let opts = PgConnectOptions::from_str(url)?;
    Ok(PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(opts)
        .await?)
}
