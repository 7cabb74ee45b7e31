//! Reports kept as generated (the monthly risk assessment), and the hot spots a report
//! names: the villages with the most disputes registered in a period.

use concord_domain::region::{RegionCode, RegionLevel};
use concord_domain::time::{from_micros, to_micros};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

use crate::figures::day_number;
use crate::{Store, StoreError, with_db};

/// A kept report's particulars (its bytes are fetched separately).
#[derive(Debug, Clone, Serialize)]
pub struct ReportMeta {
    pub id: i64,
    pub kind: String,
    pub region: String,
    pub period: String,
    pub title: String,
    pub created_at: Timestamp,
    pub created_by: String,
}

type MetaRow = (i64, String, String, String, String, i64, String);

fn meta((id, kind, region, period, title, at, by): MetaRow) -> ReportMeta {
    ReportMeta {
        id,
        kind,
        region,
        period,
        title,
        created_at: from_micros(at),
        created_by: by,
    }
}

impl Store {
    /// Keeps a report, replacing an earlier one of the same kind, region and month.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_report(
        &self,
        kind: &str,
        region: &RegionCode,
        period: &str,
        title: &str,
        by: &str,
        pdf: Vec<u8>,
        now: Timestamp,
    ) -> Result<ReportMeta, StoreError> {
        let (kind, region, period, title, by) = (
            kind.to_string(),
            region.as_str().to_string(),
            period.to_string(),
            title.to_string(),
            by.to_string(),
        );
        crate::writer::write_tx!(self, |conn| {
            sqlx::query("DELETE FROM reports WHERE kind = $1 AND region_code = $2 AND period = $3")
                .bind(&kind)
                .bind(&region)
                .bind(&period)
                .execute(&mut *conn)
                .await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO reports (kind, region_code, period, title, created_at, created_by, pdf)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(&kind)
            .bind(&region)
            .bind(&period)
            .bind(&title)
            .bind(to_micros(now))
            .bind(&by)
            .bind(pdf)
            .fetch_one(&mut *conn)
            .await?;
            Ok::<ReportMeta, StoreError>(meta((
                id,
                kind,
                region,
                period,
                title,
                to_micros(now),
                by,
            )))
        })
    }

    /// Reports on `scope`'s subtree, newest month first.
    pub async fn reports(&self, scope: &RegionCode) -> Result<Vec<ReportMeta>, StoreError> {
        let (lo, hi) = scope.subtree_range();
        let rows: Vec<MetaRow> = with_db!(self, pool => {
            sqlx::query_as("SELECT id, kind, region_code, period, title, created_at, created_by
                            FROM reports WHERE region_code BETWEEN $1 AND $2
                            ORDER BY period DESC, region_code LIMIT 500")
                .bind(lo).bind(hi).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(meta).collect())
    }

    pub async fn report(&self, id: i64) -> Result<Option<(ReportMeta, Vec<u8>)>, StoreError> {
        type Row = (i64, String, String, String, String, i64, String, Vec<u8>);
        let row: Option<Row> = with_db!(self, pool => {
            sqlx::query_as("SELECT id, kind, region_code, period, title, created_at, created_by, pdf
                            FROM reports WHERE id = $1")
                .bind(id).fetch_optional(pool).await?
        });
        Ok(row.map(|(id, k, r, p, t, at, by, pdf)| (meta((id, k, r, p, t, at, by)), pdf)))
    }

    pub async fn has_report(
        &self,
        kind: &str,
        region: &RegionCode,
        period: &str,
    ) -> Result<bool, StoreError> {
        let n: i64 = with_db!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM reports WHERE kind = $1 AND region_code = $2 AND period = $3")
                .bind(kind).bind(region.as_str()).bind(period).fetch_one(pool).await?
        });
        Ok(n > 0)
    }

    /// The villages of `scope` (a county or township) with the most disputes registered
    /// in [from, to), most first: (village code, registered).
    pub async fn hot_spots(
        &self,
        scope: &RegionCode,
        from: Date,
        to: Date,
        limit: i64,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        if scope.level() < RegionLevel::County {
            return Ok(Vec::new());
        }
        let (lo, hi) = scope.subtree_range();
        // A township's rows have its villages as children (and itself, for its own cases).
        let rows: Vec<(String, i64)> = with_db!(self, pool => {
            sqlx::query_as("SELECT child, CAST(SUM(registered) AS BIGINT) AS n FROM figure_days
                            WHERE depth = 'township' AND scope BETWEEN $1 AND $2
                              AND day >= $3 AND day < $4 AND child <> scope
                            GROUP BY child HAVING SUM(registered) > 0
                            ORDER BY n DESC, child LIMIT $5")
                .bind(lo).bind(hi).bind(day_number(from)).bind(day_number(to)).bind(limit)
                .fetch_all(pool).await?
        });
        Ok(rows)
    }
}
