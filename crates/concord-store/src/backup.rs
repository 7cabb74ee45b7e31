//! SQLite's side of `concord backup` / `concord restore` (PostgreSQL has pg_dump).

use std::path::Path;

use sqlx::{ConnectOptions, Connection};

use crate::{Db, Store, StoreError};

impl Store {
    /// Writes a consistent copy of a SQLite database to a new file: `VACUUM INTO` reads
    /// one snapshot, so the server keeps serving (writes wait only for the copy's end).
    pub async fn backup_sqlite(&self, file: &Path) -> Result<(), StoreError> {
        let Db::Sqlite(pool) = &self.db else {
            return Err(StoreError::Unavailable(
                "PostgreSQL 的备份用 pg_dump".into(),
            ));
        };
        let target = file
            .to_str()
            .ok_or_else(|| StoreError::Unavailable("备份文件名须为 UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(pool)
            .await?;
        Ok(())
    }
}

/// Checks that a file is a whole Concord SQLite database before it replaces one.
pub async fn check_sqlite_backup(file: &Path) -> Result<(), String> {
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .connect()
        .await
        .map_err(|_| format!("{} 不是 SQLite 数据库", file.display()))?;
    let check: Result<String, _> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await;
    let cases: Result<i64, _> = sqlx::query_scalar("SELECT COUNT(*) FROM cases")
        .fetch_one(&mut conn)
        .await;
    let _ = conn.close().await;
    match (check, cases) {
        (Err(_), _) => Err(format!("{} 不是 SQLite 数据库", file.display())),
        (Ok(c), _) if c != "ok" => Err(format!("备份文件已损坏:{c}")),
        (_, Err(_)) => Err(format!("{} 不是 Concord 的备份", file.display())),
        _ => Ok(()),
    }
}
