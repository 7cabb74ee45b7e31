//! `concord apikey`: keys for the systems that file disputes over Open311 (a 12345
//! hotline, a city app). A key is shown once, when it is made.

use anyhow::{Result, bail};
use clap::Subcommand;
use concord_domain::case::Channel;
use concord_domain::region::RegionCode;
use concord_store::Store;
use jiff::Timestamp;

#[derive(Subcommand)]
pub enum ApiKeyCommand {
    /// Issue a key to an integrating system; prints the key as the last line.
    Add {
        /// Who uses it, e.g. 12345热线 (its work-order numbers are kept under this name).
        name: String,
        /// The channel its cases count under: hotline, online, qr_code, grid_worker, …
        #[arg(long, default_value = "hotline")]
        channel: String,
        /// The region it may file into (12-digit code); default: the whole territory.
        #[arg(long)]
        region: Option<String>,
    },
    /// List the keys (never the secrets).
    List,
    /// Stop a key working.
    Revoke { id: i64 },
}

pub async fn run(cmd: ApiKeyCommand, store: &Store) -> Result<()> {
    match cmd {
        ApiKeyCommand::Add {
            name,
            channel,
            region,
        } => {
            let channel = Channel::parse("channel", &channel)?;
            let region = match region {
                Some(r) => RegionCode::parse("region", &r)?,
                None => territory(store).await?,
            };
            let (key, secret) = store
                .add_api_key(&name, channel, &region, Timestamp::now())
                .await
                .map_err(crate::describe)?;
            println!(
                "已为“{}”发放 Open311 密钥(编号 {},渠道 {},辖区 {}),只显示这一次:",
                key.name,
                key.id,
                key.channel.label(),
                key.region
            );
            println!("{secret}");
        }
        ApiKeyCommand::List => {
            for k in store.api_keys().await? {
                let state = match k.revoked_at {
                    Some(t) => format!("已停用 {}", concord_domain::time::local_date(t)),
                    None => "有效".into(),
                };
                println!(
                    "{:>4}  {:<16} {:<8} {}  {}",
                    k.id,
                    k.name,
                    k.channel.label(),
                    k.region,
                    state
                );
            }
        }
        ApiKeyCommand::Revoke { id } => {
            if !store.revoke_api_key(id, Timestamp::now()).await? {
                bail!("没有编号为 {id} 的有效密钥");
            }
            println!("已停用密钥 {id}");
        }
    }
    Ok(())
}

/// The one root of the territory; with several, the caller must say which.
pub(crate) async fn territory(store: &Store) -> Result<RegionCode> {
    let roots = store.regions(None).await?;
    match roots.as_slice() {
        [one] => Ok(one.code),
        [] => bail!("尚未载入行政区划,无法发放密钥"),
        _ => bail!("有多个顶级区划,请用 --region 指明辖区"),
    }
}
