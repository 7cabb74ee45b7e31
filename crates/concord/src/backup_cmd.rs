//! `concord backup FILE` takes a consistent copy while the server keeps serving;
//! `concord restore FILE` brings one back (with the server stopped).
//!
//! SQLite: `VACUUM INTO` writes a snapshot of one read transaction into a new file; a
//! restore checks the copy, then puts it in place of the database file in one rename.
//! PostgreSQL: `pg_dump` (one snapshot) in its custom format, `pg_restore --clean` back;
//! a URL that sets `search_path` (one schema per center) dumps and restores that schema.
//!
//! The key file is not in the backup: keep it apart, as the numbers in the backup are
//! sealed with it.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use concord_store::{Db, Store};

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The SQLite file a URL names.
fn sqlite_path(url: &str) -> PathBuf {
    let p = url.strip_prefix("sqlite://").unwrap_or(url);
    PathBuf::from(p.split('?').next().unwrap_or(p))
}

/// The schema a PostgreSQL URL puts first on its search path, if any.
fn pg_schema(url: &str) -> Option<String> {
    let decoded = url
        .replace("%20", " ")
        .replace("%3D", "=")
        .replace("%3d", "=");
    let (_, rest) = decoded.split_once("search_path=")?;
    let schema: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!schema.is_empty()).then_some(schema)
}

pub async fn backup(store: &Store, url: &str, file: &Path) -> Result<()> {
    if file.exists() {
        bail!(
            "{} 已存在:请换一个文件名,备份不会覆盖已有文件",
            file.display()
        );
    }
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        bail!("备份目录 {} 不存在:请先建好目录", dir.display());
    }
    match store.db() {
        Db::Sqlite(_) => store.backup_sqlite(file).await?,
        Db::Postgres(_) => {
            let mut cmd = Command::new("pg_dump");
            cmd.args(["--format=custom", "--no-owner", "--file"])
                .arg(file);
            if let Some(schema) = pg_schema(url) {
                cmd.args(["--schema", &schema]);
            }
            run(cmd.arg(url), "pg_dump")?;
        }
    }
    let size = std::fs::metadata(file)?.len();
    println!(
        "已备份到 {}({:.1} MB)。密钥文件请另行保管:没有它,备份中的号码无法解开。",
        file.display(),
        size as f64 / 1_048_576.0
    );
    Ok(())
}

/// Runs before any store is opened: the database is about to be replaced.
pub async fn restore(url: &str, file: &Path) -> Result<()> {
    if !file.is_file() {
        bail!("找不到备份文件 {}", file.display());
    }
    if is_postgres(url) {
        let mut cmd = Command::new("pg_restore");
        cmd.args([
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            url,
        ]);
        run(cmd.arg(file), "pg_restore")?;
    } else {
        concord_store::check_sqlite_backup(file)
            .await
            .map_err(anyhow::Error::msg)?;
        let db = sqlite_path(url);
        let tmp = db.with_extension("restoring");
        std::fs::copy(file, &tmp)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        // The old database's log must not be replayed onto the restored file.
        for ext in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{ext}", db.display()));
            if side.exists() {
                std::fs::remove_file(side)?;
            }
        }
        std::fs::rename(&tmp, &db)?;
    }
    println!("已从 {} 恢复数据库", file.display());
    Ok(())
}

fn run(cmd: &mut Command, what: &str) -> Result<()> {
    let out = cmd
        .output()
        .with_context(|| format!("无法运行 {what}:请安装 PostgreSQL 客户端工具"))?;
    if !out.status.success() {
        bail!(
            "{what} 失败:{}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_is_read_from_a_search_path_option() {
        assert_eq!(
            pg_schema("postgres://p@h/test?options=-c%20search_path%3Dt_1_ab").as_deref(),
            Some("t_1_ab")
        );
        assert_eq!(pg_schema("postgres://p@h/test"), None);
        assert_eq!(
            sqlite_path("sqlite:///tmp/x.db?mode=rwc"),
            PathBuf::from("/tmp/x.db")
        );
        assert_eq!(sqlite_path("concord.db"), PathBuf::from("concord.db"));
    }
}
