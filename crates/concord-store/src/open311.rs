//! Open311 GeoReport v2: API keys for integrating systems, requests filed with them
//! (a case plus what the request brought), and the requests read back with filters.

use concord_domain::case::{Channel, NewCase, Status};
use concord_domain::category::Category;
use concord_domain::region::RegionCode;
use concord_domain::time::{from_micros, to_micros};
use jiff::Timestamp;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::accounts::Actor;
use crate::args::Arg;
use crate::cases::CaseRecord;
use crate::{Store, StoreError, with_db};

/// An integrating system's key, without the secret.
#[derive(Debug, Clone)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    /// The channel its cases count under.
    pub channel: Channel,
    /// Where it may file.
    pub region: RegionCode,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

type KeyRow = (i64, String, String, String, i64, Option<i64>);

impl ApiKey {
    fn from_row((id, name, channel, region, created, revoked): KeyRow) -> Result<Self, StoreError> {
        Ok(Self {
            id,
            name,
            channel: Channel::parse("channel", &channel)
                .map_err(|e| StoreError::Corrupt(e.message))?,
            region: RegionCode::parse("region_code", &region)
                .map_err(|e| StoreError::Corrupt(e.message))?,
            created_at: from_micros(created),
            revoked_at: revoked.map(from_micros),
        })
    }

    /// Who the timeline says registered the case.
    pub fn actor(&self) -> Actor {
        Actor {
            name: format!("{}(Open311 接口)", self.name),
            ..Actor::citizen()
        }
    }
}

const KEY_COLUMNS: &str = "id, name, channel, region_code, created_at, revoked_at";

/// A key as handed out: 32 hex digits after a prefix that says what it is.
fn new_secret() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    format!("c311_{}", hex::encode(bytes))
}

fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.trim().as_bytes()))
}

/// What an Open311 request brought beyond the case: kept beside it.
#[derive(Debug, Clone, Default)]
pub struct Filing {
    pub api_key_id: i64,
    pub service_code: String,
    pub lat: Option<String>,
    pub long: Option<String>,
    pub address_id: Option<String>,
    pub media_url: Option<String>,
    pub email: Option<String>,
    pub device_id: Option<String>,
    pub account_id: Option<String>,
    /// The attribute values as the caller gave them, as a JSON object.
    pub attributes: String,
}

/// A filed request as `GET requests` shows it.
#[derive(Debug, Clone)]
pub struct FiledRequest {
    pub case_id: i64,
    pub number: String,
    pub category: Category,
    pub status: Status,
    pub description: String,
    pub address: String,
    pub region_code: String,
    pub lead_unit: Option<String>,
    pub registered_at: Timestamp,
    pub updated_at: Timestamp,
    pub deadline: Option<Timestamp>,
    pub api_key_id: i64,
    pub token: String,
    pub lat: Option<String>,
    pub long: Option<String>,
    pub address_id: Option<String>,
    pub media_url: Option<String>,
}

/// `GET requests` filters; empty lists mean all.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// The jurisdiction's subtree.
    pub region: Option<RegionCode>,
    pub numbers: Vec<String>,
    pub categories: Vec<Category>,
    pub statuses: Vec<Status>,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub limit: i64,
}

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: i64,
    number: String,
    category: String,
    status: String,
    description: String,
    address: String,
    region_code: String,
    lead_unit: Option<String>,
    registered_at: i64,
    updated_at: i64,
    deadline: Option<i64>,
    api_key_id: i64,
    token: String,
    lat: Option<String>,
    long: Option<String>,
    address_id: Option<String>,
    media_url: Option<String>,
}

const REQUEST_SELECT: &str =
    "SELECT c.id, c.number, c.category, c.status, c.description, c.address,
    c.region_code, o.name AS lead_unit, c.registered_at,
    (SELECT MAX(e.at) FROM case_events e WHERE e.case_id = c.id) AS updated_at, c.deadline,
    r.api_key_id, r.token, r.lat, r.long, r.address_id, r.media_url
    FROM open311_requests r JOIN cases c ON c.id = r.case_id
    LEFT JOIN organizations o ON o.id = c.lead_unit";

impl Store {
    /// A new key for `name`; returns it with the secret, which is not kept.
    pub async fn add_api_key(
        &self,
        name: &str,
        channel: Channel,
        region: &RegionCode,
        now: Timestamp,
    ) -> Result<(ApiKey, String), StoreError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::Invalid(
                concord_domain::FieldError::new("name", "invalid_value", "名称应为 1 到 100 个字")
                    .into(),
            ));
        }
        if !concord_domain::open311::KEY_CHANNELS.contains(&channel) {
            let allowed: Vec<&str> = concord_domain::open311::KEY_CHANNELS
                .iter()
                .map(|c| c.as_str())
                .collect();
            return Err(concord_domain::FieldError::new(
                "channel",
                "invalid_value",
                format!("对接系统的渠道可选:{}", allowed.join(", ")),
            )
            .into());
        }
        self.require_region("region", region).await?;
        let secret = new_secret();
        let id: i64 = with_db!(self, pool => {
            sqlx::query_scalar("INSERT INTO api_keys (name, key_hash, channel, region_code, created_at)
                                VALUES ($1, $2, $3, $4, $5) RETURNING id")
                .bind(name).bind(secret_hash(&secret)).bind(channel.as_str())
                .bind(region.as_str()).bind(to_micros(now)).fetch_one(pool).await?
        });
        let key = ApiKey {
            id,
            name: name.to_string(),
            channel,
            region: *region,
            created_at: now,
            revoked_at: None,
        };
        Ok((key, secret))
    }

    pub async fn api_keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys ORDER BY id");
        let rows: Vec<KeyRow> = with_db!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?
        });
        rows.into_iter().map(ApiKey::from_row).collect()
    }

    /// The live key with this secret.
    pub async fn api_key(&self, secret: &str) -> Result<Option<ApiKey>, StoreError> {
        let sql = format!(
            "SELECT {KEY_COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL"
        );
        let row: Option<KeyRow> = with_db!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(secret_hash(secret)).fetch_optional(pool).await?
        });
        row.map(ApiKey::from_row).transpose()
    }

    /// Stops a key working; false when there is no such live key.
    pub async fn revoke_api_key(&self, id: i64, now: Timestamp) -> Result<bool, StoreError> {
        let done = with_db!(self, pool => {
            sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(to_micros(now)).bind(id).execute(pool).await?.rows_affected()
        });
        Ok(done == 1)
    }

    /// Registers an Open311 request as a case, with its filing beside it, at once.
    /// Returns the case and the request's token.
    pub async fn create_open311_case(
        &self,
        key: &ApiKey,
        facts: NewCase,
        filing: Filing,
        now: Timestamp,
    ) -> Result<(CaseRecord, String), StoreError> {
        let token = crate::tracking::new_code();
        let t = token.clone();
        let record = self
            .register_with(&key.actor(), facts, now, move |b| {
                b.open311 = Some((filing, t));
            })
            .await?;
        Ok((record, token))
    }

    /// The case number a token stands for.
    pub async fn open311_token(&self, token: &str) -> Result<Option<String>, StoreError> {
        Ok(with_db!(self, pool => {
            sqlx::query_scalar("SELECT c.number FROM open311_requests r JOIN cases c ON c.id = r.case_id
                                WHERE r.token = $1")
                .bind(token.trim()).fetch_optional(pool).await?
        }))
    }

    /// Filed requests, newest first.
    pub async fn open311_requests(
        &self,
        f: &RequestFilter,
    ) -> Result<Vec<FiledRequest>, StoreError> {
        let mut w = crate::list::Where::default();
        let mut conds: Vec<String> = Vec::new();
        if let Some(r) = &f.region {
            let (lo, hi) = r.subtree_range();
            let (lo, hi) = (w.args.push(Arg::Text(lo)), w.args.push(Arg::Text(hi)));
            conds.push(format!("c.region_code BETWEEN {lo} AND {hi}"));
        }
        let mut any_of = |column: &str, values: Vec<String>| {
            if !values.is_empty() {
                let marks: Vec<String> = values
                    .into_iter()
                    .map(|v| w.args.push(Arg::Text(v)))
                    .collect();
                conds.push(format!("{column} IN ({})", marks.join(", ")));
            }
        };
        any_of("c.number", f.numbers.clone());
        any_of(
            "c.category",
            f.categories
                .iter()
                .map(|c| c.as_str().to_string())
                .collect(),
        );
        any_of(
            "c.status",
            f.statuses.iter().map(|s| s.as_str().to_string()).collect(),
        );
        if let Some(t) = f.start {
            conds.push(format!(
                "r.requested_at >= {}",
                w.args.push(Arg::Int(to_micros(t)))
            ));
        }
        if let Some(t) = f.end {
            conds.push(format!(
                "r.requested_at <= {}",
                w.args.push(Arg::Int(to_micros(t)))
            ));
        }
        let limit = w.args.push(Arg::Int(f.limit));
        let filter = if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        };
        let sql = format!(
            "{REQUEST_SELECT}{filter} ORDER BY r.requested_at DESC, c.id DESC LIMIT {limit}"
        );
        let rows: Vec<RequestRow> = with_db!(self, pool => {
            let q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            crate::args::bind_all!(q, &w.args.0).fetch_all(pool).await?
        });
        rows.into_iter().map(filed_request).collect()
    }
}

fn filed_request(r: RequestRow) -> Result<FiledRequest, StoreError> {
    let corrupt = |e: concord_domain::FieldError| StoreError::Corrupt(e.message);
    Ok(FiledRequest {
        case_id: r.id,
        number: r.number,
        category: Category::parse("category", &r.category).map_err(corrupt)?,
        status: Status::parse("status", &r.status).map_err(corrupt)?,
        description: r.description,
        address: r.address,
        region_code: r.region_code,
        lead_unit: r.lead_unit,
        registered_at: from_micros(r.registered_at),
        updated_at: from_micros(r.updated_at),
        deadline: r.deadline.map(from_micros),
        api_key_id: r.api_key_id,
        token: r.token,
        lat: r.lat,
        long: r.long,
        address_id: r.address_id,
        media_url: r.media_url,
    })
}
