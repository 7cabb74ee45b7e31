//! `concord`: one binary for the whole center — the server, migrations, the demo county,
//! the working-day calendar and staff accounts.

mod apikey_cmd;
mod backup_cmd;
mod calendar_cmd;
mod classify_cmd;
mod import;
mod report_cmd;

use std::net::SocketAddr;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use concord_domain::org::Role;
use concord_domain::region::RegionCode;
use concord_store::{NewUser, Store};
use jiff::Timestamp;

/// jemalloc instead of glibc's malloc: glibc keeps an arena per thread (tokio's workers
/// and SQLite's connection threads) and holds on to what was freed in each; with
/// jemalloc the server's peak RSS in the bench at 100,000 cases was 210 MB instead of
/// 276 (mimalloc: higher than glibc).
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(name = "concord", version, about = "矛盾纠纷调处化解中心 — Concord")]
struct Cli {
    /// `postgres://…` for PostgreSQL; a file path or `sqlite://path` for SQLite.
    #[arg(long, global = true, env = "CONCORD_DATABASE", default_value = concord_store::DEFAULT_SQLITE_URL)]
    database: String,
    /// The center's secret key for matching people by keyed hashes of their phone and ID
    /// numbers; created on first use. Default: beside the SQLite file (`concord.db.key`),
    /// or `concord.key` for PostgreSQL. Keep it with the backups: without it, earlier
    /// cases no longer match.
    #[arg(long, global = true, env = "CONCORD_KEY_FILE")]
    key_file: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (migrations run first).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Load the demo county (云和县) into an empty database and allow the demo accounts.
        #[arg(long)]
        demo: bool,
        /// How many demo cases to load into an empty database.
        #[arg(long, default_value_t = 3000)]
        demo_cases: usize,
        /// How citizens reach this server, for the QR codes (default: http://LISTEN).
        #[arg(long, env = "CONCORD_PUBLIC_URL")]
        public_url: Option<String>,
        /// An SMS gateway over HTTP for one-time codes: each message is POSTed as JSON
        /// `{"phone", "text"}`. Without it messages go to the log (demo mode).
        #[arg(long, env = "CONCORD_SMS_GATEWAY")]
        sms_gateway: Option<String>,
        /// An SMTP relay for notices to staff: `smtp://[user:password@]host[:port]`.
        /// Without it e-mails go to the log (demo mode).
        #[arg(long, env = "CONCORD_SMTP")]
        smtp: Option<String>,
        /// The sender of those e-mails.
        #[arg(
            long,
            env = "CONCORD_MAIL_FROM",
            default_value = "矛盾纠纷调处化解中心 <noreply@localhost>"
        )]
        mail_from: String,
    },
    /// Create or upgrade the database schema.
    Migrate,
    /// Housekeeping after bulk loads: compact the search index, refresh statistics.
    Optimize,
    /// Load the demo county with N cases over the last two years.
    DemoData {
        #[arg(long, default_value_t = 3000)]
        cases: usize,
    },
    /// The working-day calendar: public holidays and make-up working days.
    #[command(subcommand)]
    Calendar(calendar_cmd::CalendarCommand),
    /// Staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Suggest a dispute category for a description; train and evaluate models.
    Classify(classify_cmd::ClassifyArgs),
    /// The tamper-evident record.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The key file's keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Anonymise cases closed longer ago than the retention period: parties' names and
    /// numbers, the description, messages, records, files. The figures and the timeline
    /// stay.
    Retention {
        /// Keep personal data this many days after a case closes.
        #[arg(long, env = "CONCORD_RETENTION_DAYS")]
        older_than_days: u32,
        /// Only say how many cases would be anonymised.
        #[arg(long)]
        dry_run: bool,
    },
    /// Take a consistent copy of the database while the server keeps serving.
    Backup {
        /// The new backup file (never overwritten).
        file: std::path::PathBuf,
    },
    /// Replace the database with a backup (stop the server first).
    Restore { file: std::path::PathBuf },
    /// Import hotline work orders or historical cases from CSV, Excel (.xlsx) or JSON lines.
    Import(import::ImportArgs),
    /// Keys for systems that file disputes over Open311 (a 12345 hotline, a city app).
    #[command(subcommand)]
    Apikey(apikey_cmd::ApiKeyCommand),
    /// Figures, the monthly risk assessment (PDF) and the ledger of cases (.xlsx).
    #[command(subcommand)]
    Report(report_cmd::ReportCommand),
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Bring in a new encryption key and re-seal every phone and ID number under it
    /// (stop the server first: it holds the keys it started with). The matching key is
    /// kept, so people are still recognised across cases.
    Rotate,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the whole chain; name the first entry altered or removed (exit status 1).
    Verify {
        /// The head printed by an earlier check: fails if the chain no longer passes
        /// through it (entries cut off the end).
        #[arg(long)]
        since: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a staff user. The password is read from CONCORD_PASSWORD or --password.
    Add {
        username: String,
        #[arg(long)]
        name: String,
        /// clerk, dispatcher, mediator, department_handler, grid_worker, judge, follow_up, leader, admin
        #[arg(long)]
        role: String,
        /// 12-digit region code of the user's home region.
        #[arg(long)]
        region: String,
        #[arg(long)]
        org: Option<i64>,
        #[arg(long, env = "CONCORD_PASSWORD", hide_env_values = true)]
        password: String,
        /// Where notices about their work are e-mailed.
        #[arg(long)]
        email: Option<String>,
    },
    /// List staff users.
    List,
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .init();
    let cli = Cli::parse();
    let cli = match cli.command {
        Command::Classify(args) if !args.needs_database() => return classify_cmd::run(args),
        // Before opening: the database is about to be replaced.
        Command::Restore { file } => return backup_cmd::restore(&cli.database, &file).await,
        command => Cli { command, ..cli },
    };
    let key_file = cli
        .key_file
        .clone()
        .unwrap_or_else(|| concord_store::default_key_path(&cli.database));
    let (key, created) = concord_store::PartyKey::load_or_create(&key_file)
        .with_context(|| format!("cannot read the key file {}", key_file.display()))?;
    if created {
        tracing::warn!(path = %key_file.display(), "created a new key file: keep it with the backups");
    }
    // A bulk import keeps far more of the indexes in the writer's cache.
    let cache = match cli.command {
        Command::Import(_) => 256,
        _ => concord_store::WRITER_CACHE_MIB,
    };
    // A rotation first writes the new key beside the old ones, so that a run cut short
    // can be run again and still open everything.
    let rotating = matches!(cli.command, Command::Keys(KeysCommand::Rotate));
    let key = if rotating {
        let rotated = key.rotated();
        rotated.save(&key_file)?;
        rotated
    } else {
        key
    };
    let store = Store::open_with(&cli.database, key.clone(), cache)
        .await
        .with_context(|| format!("cannot open the database {}", redact(&cli.database)))?;
    let result = if rotating {
        rotate(&store, &key, &key_file).await
    } else if let Command::Backup { file } = &cli.command {
        backup_cmd::backup(&store, &cli.database, file).await
    } else {
        run(cli.command, &store).await
    };
    store.close().await;
    result
}

async fn run(command: Command, store: &Store) -> Result<()> {
    match command {
        Command::Serve {
            listen,
            demo,
            demo_cases,
            public_url,
            sms_gateway,
            smtp,
            mail_from,
        } => {
            let public_url = public_url.unwrap_or_else(|| format!("http://{listen}"));
            let out = Outbound {
                sms_gateway,
                smtp,
                mail_from,
            };
            serve(store, listen, demo, demo_cases, &public_url, out).await
        }
        Command::Optimize => {
            let t = std::time::Instant::now();
            store.optimize().await?;
            println!(
                "已整理全文索引并更新统计信息,用时 {:.1} 秒",
                t.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Migrate => {
            println!("数据库已是最新结构 ({})", store.backend());
            Ok(())
        }
        Command::DemoData { cases } => {
            let loaded = concord_demo::load(store, cases, Timestamp::now()).await?;
            println!("已载入演示数据:{loaded:?}");
            Ok(())
        }
        Command::Calendar(c) => calendar_cmd::run(c, store).await,
        Command::User(u) => user(u, store).await,
        Command::Apikey(cmd) => apikey_cmd::run(cmd, store).await,
        Command::Report(cmd) => report_cmd::run(cmd, store).await,
        Command::Classify(_) => classify_cmd::retrain(store).await,
        Command::Import(args) => import::run(args, store).await,
        Command::Audit(AuditCommand::Verify { since }) => audit_verify(store, since).await,
        Command::Retention {
            older_than_days,
            dry_run,
        } => retention(store, older_than_days, dry_run).await,
        Command::Keys(KeysCommand::Rotate) | Command::Backup { .. } | Command::Restore { .. } => {
            unreachable!("handled in main")
        }
    }
}

/// How messages leave the center: SMS gateway and SMTP relay (the log when absent).
struct Outbound {
    sms_gateway: Option<String>,
    smtp: Option<String>,
    mail_from: String,
}

async fn serve(
    store: &Store,
    listen: SocketAddr,
    demo: bool,
    demo_cases: usize,
    public_url: &str,
    out: Outbound,
) -> Result<()> {
    if demo && store.count_cases().await? == 0 {
        tracing::info!(cases = demo_cases, "loading the demo county 云和县");
        let loaded = concord_demo::load(store, demo_cases, Timestamp::now()).await?;
        tracing::info!(?loaded, "demo loaded");
    }
    if demo {
        println!("演示账号(密码均为 {}):", concord_demo::DEMO_PASSWORD);
        for (user, name, role, _, _) in concord_demo::DEMO_USERS {
            println!("  {user:<10} {name}  {}", role.label());
        }
    }
    println!(
        "Concord 正在 http://{listen} 提供服务 (数据库:{})",
        store.backend()
    );
    let mut state = concord_web::AppState::new(store.clone(), demo)
        .await?
        .with_public_url(public_url);
    if let Some(url) = out.sms_gateway {
        state = state.with_sms_gateway(&url);
    }
    if let Some(url) = out.smtp {
        state = state
            .with_smtp(&url, &out.mail_from)
            .map_err(anyhow::Error::msg)?;
    }
    concord_web::serve(state, listen).await?;
    Ok(())
}

async fn rotate(
    store: &Store,
    key: &concord_store::PartyKey,
    key_file: &std::path::Path,
) -> Result<()> {
    let n = store.reseal_parties().await?;
    // The older keys leave the key file but are kept aside: should a server have gone on
    // writing under one, what it wrote can still be opened.
    let aside = key_file.with_extension(format!("key.retired-{}", key.encryption_key_id()));
    key.save(&aside)?;
    key.without_older().save(key_file)?;
    println!(
        "已启用新的加密密钥 {},重新加密 {n} 位当事人的号码。旧密钥已移出 {},另存于 {}(确认无误后可销毁)",
        key.encryption_key_id(),
        key_file.display(),
        aside.display()
    );
    Ok(())
}

async fn retention(store: &Store, days: u32, dry_run: bool) -> Result<()> {
    let now = Timestamp::now();
    let cutoff = now.checked_sub(jiff::SignedDuration::from_hours(24 * i64::from(days)))?;
    let n = store.anonymise_closed(cutoff, dry_run, now).await?;
    if dry_run {
        println!("办结超过 {days} 天、尚未匿名化的事项:{n} 件(未作改动)");
    } else {
        println!("已匿名化 {n} 件办结超过 {days} 天的事项;统计数字和办理记录保留");
    }
    Ok(())
}

async fn audit_verify(store: &Store, since: Option<String>) -> Result<()> {
    let r = store.verify_audit(since.as_deref()).await?;
    println!(
        "已核对 {} 条记录(其中查看个人信息 {} 条;本次封存 {} 条)",
        r.entries, r.views, r.sealed_now
    );
    if let Some(p) = r.problem {
        anyhow::bail!("审计链校验失败:{p}");
    }
    println!("审计链完好。链尾哈希:{}", r.head);
    Ok(())
}

async fn user(cmd: UserCommand, store: &Store) -> Result<()> {
    match cmd {
        UserCommand::Add {
            username,
            name,
            role,
            region,
            org,
            password,
            email,
        } => {
            let role = Role::parse("role", &role)?;
            let region = RegionCode::parse("region", &region)?;
            let u = NewUser {
                username,
                display_name: name,
                role,
                region,
                org_id: org,
                password,
                demo: false,
                email,
            };
            let id = store.create_user(&u).await.map_err(describe)?;
            println!("已创建用户 {} (编号 {id})", u.username);
        }
        UserCommand::List => {
            for u in store.users().await? {
                println!(
                    "{:>4}  {:<16} {:<8} {:<10} {}",
                    u.id,
                    u.username,
                    u.display_name,
                    u.role.label(),
                    u.region
                );
            }
        }
    }
    Ok(())
}

/// A store error as one line naming the fields at fault.
pub fn describe(e: concord_store::StoreError) -> anyhow::Error {
    match e {
        concord_store::StoreError::Invalid(errs) => {
            let lines: Vec<String> = errs.0.iter().map(|e| e.to_string()).collect();
            anyhow::anyhow!(lines.join("; "))
        }
        other => other.into(),
    }
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://…@{}", &url[..s], &url[at + 1..]),
        _ => url.to_string(),
    }
}
