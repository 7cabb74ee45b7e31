//! Alerts for the command center (预警): a mass case formed, a skip-level petition, … —
//! each with its level, the case, the region whose center must act, and who
//! acknowledged it when.

pub use concord_domain::alert::{AlertKind, AlertLevel};
use concord_domain::region::RegionCode;
use concord_domain::time::{from_micros, to_micros};
use jiff::Timestamp;
use serde::Serialize;

use crate::list::Where;
use crate::rows::{corrupt, region_code};
use crate::{Store, StoreError, with_db};

#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    pub id: i64,
    pub kind: AlertKind,
    pub level: AlertLevel,
    pub case_id: Option<i64>,
    #[serde(serialize_with = "crate::alerts::as_str")]
    pub region: RegionCode,
    pub message: String,
    pub created_at: Timestamp,
    pub acknowledged_by: Option<i64>,
    pub acknowledged_at: Option<Timestamp>,
}

fn as_str<S: serde::Serializer>(r: &RegionCode, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(r.as_str())
}

/// A new alert for the center of `region`.
#[derive(Debug, Clone)]
pub struct NewAlert {
    pub kind: AlertKind,
    pub level: AlertLevel,
    pub case_id: Option<i64>,
    pub region: RegionCode,
    pub message: String,
}

type AlertRow = (
    i64,
    String,
    String,
    Option<i64>,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
);

impl Store {
    pub async fn raise_alert(&self, a: &NewAlert, now: Timestamp) -> Result<i64, StoreError> {
        let (kind, level, region, message) = (
            a.kind.as_str(),
            a.level.as_str(),
            a.region.to_string(),
            a.message.clone(),
        );
        let case_id = a.case_id;
        crate::writer::write_tx!(self, |conn| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO alerts (kind, level, case_id, region_code, message, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(kind)
            .bind(level)
            .bind(case_id)
            .bind(region)
            .bind(message)
            .bind(to_micros(now))
            .fetch_one(&mut *conn)
            .await?;
            Ok::<i64, StoreError>(id)
        })
    }

    /// Alerts for centers in `scope`'s subtree, newest first; only unacknowledged ones
    /// when `open_only`.
    pub async fn alerts(
        &self,
        scope: &RegionCode,
        open_only: bool,
    ) -> Result<Vec<Alert>, StoreError> {
        let (lo, hi) = scope.subtree_range();
        let mut w = Where::default();
        let (a, b) = (
            w.args.push(crate::args::Arg::Text(lo)),
            w.args.push(crate::args::Arg::Text(hi)),
        );
        let open = if open_only {
            " AND acknowledged_at IS NULL"
        } else {
            ""
        };
        let sql = format!(
            "SELECT id, kind, level, case_id, region_code, message, created_at, acknowledged_by, acknowledged_at
             FROM alerts WHERE region_code BETWEEN {a} AND {b}{open} ORDER BY id DESC LIMIT 200"
        );
        let rows: Vec<AlertRow> = with_db!(self, pool => {
            crate::args::bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &w.args.0).fetch_all(pool).await?
        });
        rows.into_iter().map(to_alert).collect()
    }

    /// Marks an alert seen by `user`; false when it does not exist or was already.
    pub async fn acknowledge_alert(
        &self,
        id: i64,
        user: i64,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let n = with_db!(self, pool => {
            sqlx::query("UPDATE alerts SET acknowledged_by = $1, acknowledged_at = $2
                         WHERE id = $3 AND acknowledged_at IS NULL")
                .bind(user).bind(to_micros(now)).bind(id).execute(pool).await?.rows_affected()
        });
        Ok(n == 1)
    }

    pub async fn alert(&self, id: i64) -> Result<Option<Alert>, StoreError> {
        let row: Option<AlertRow> = with_db!(self, pool => {
            sqlx::query_as("SELECT id, kind, level, case_id, region_code, message, created_at, acknowledged_by, acknowledged_at
                            FROM alerts WHERE id = $1").bind(id).fetch_optional(pool).await?
        });
        row.map(to_alert).transpose()
    }
}

fn to_alert(r: AlertRow) -> Result<Alert, StoreError> {
    Ok(Alert {
        id: r.0,
        kind: AlertKind::parse("kind", &r.1).map_err(corrupt)?,
        level: AlertLevel::parse("level", &r.2).map_err(corrupt)?,
        case_id: r.3,
        region: region_code(&r.4)?,
        message: r.5,
        created_at: from_micros(r.6),
        acknowledged_by: r.7,
        acknowledged_at: r.8.map(from_micros),
    })
}
