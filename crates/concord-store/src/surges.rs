//! Surges by township and category (see `concord_domain::surge`), read from the kept
//! registrations per day and category: thirteen seven-day windows ending today, so a
//! county's check reads a few thousand rows whatever the number of cases.

use std::collections::HashMap;

use concord_domain::alert::{AlertKind, AlertLevel};
use concord_domain::category::Category;
use concord_domain::region::RegionCode;
use concord_domain::surge::{HISTORY_WINDOWS, Surge, detect};
use concord_domain::time::shanghai;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

use crate::alerts::NewAlert;
use crate::figures::day_number;
use crate::{Store, StoreError, with_db};

/// A surge in one township's category, with why.
#[derive(Debug, Clone, Serialize)]
pub struct SurgeFinding {
    #[serde(serialize_with = "as_str")]
    pub region: RegionCode,
    pub region_name: String,
    pub category: Category,
    pub category_label: &'static str,
    #[serde(flatten)]
    pub surge: Surge,
    /// The first day of the run above normal.
    pub since: Date,
    /// 白龙山街道 邻里纠纷:近7天12件,以往每周约4.3件,自11月18日起增多
    pub message: String,
}

fn as_str<S: serde::Serializer>(r: &RegionCode, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(r.as_str())
}

const DAYS: i64 = 7;

impl Store {
    /// The surges in the townships of `county` (any code inside it names it) as of `now`.
    pub async fn surges(
        &self,
        county: &RegionCode,
        now: Timestamp,
    ) -> Result<Vec<SurgeFinding>, StoreError> {
        let county = county.numbering_county();
        let prefix = &county.as_str()[..6];
        let today = now.to_zoned(shanghai()).date();
        let windows = HISTORY_WINDOWS as i64 + 1;
        let first = today
            .checked_sub(jiff::Span::new().days(windows * DAYS - 1))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let rows: Vec<(String, String, i64, i64)> = with_db!(self, p => {
            sqlx::query_as(
                "SELECT scope, category, day, registered FROM figure_day_categories
                 WHERE depth = 'township' AND scope >= $1 AND scope <= $2 AND day >= $3 AND day <= $4")
                .bind(format!("{prefix}000000")).bind(format!("{prefix}999999"))
                .bind(day_number(first)).bind(day_number(today))
                .fetch_all(p).await?
        });
        // Window k (0 = oldest) holds days first + 7k .. first + 7k + 6.
        let window_of: HashMap<i64, usize> = (0..windows * DAYS)
            .filter_map(|i| {
                Some((
                    day_number(first.checked_add(jiff::Span::new().days(i)).ok()?),
                    (i / DAYS) as usize,
                ))
            })
            .collect();
        let mut series: HashMap<(String, String), Vec<u32>> = HashMap::new();
        for (scope, category, day, n) in rows {
            let Some(&w) = window_of.get(&day) else {
                continue;
            };
            let s = series
                .entry((scope, category))
                .or_insert_with(|| vec![0; windows as usize]);
            s[w] += n.max(0) as u32;
        }
        let mut found = Vec::new();
        for ((scope, category), counts) in series {
            let Some(surge) = detect(&counts) else {
                continue;
            };
            let (Ok(region), Ok(category)) = (
                RegionCode::parse("scope", &scope),
                Category::parse("category", &category),
            ) else {
                continue;
            };
            let back = surge.windows_above as i64;
            let since = first
                .checked_add(jiff::Span::new().days((windows - 1 - back) * DAYS))
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let region_name = self
                .region(&region)
                .await?
                .map(|r| r.name)
                .unwrap_or_default();
            let message = format!(
                "{region_name} {}:近7天{}件,以往每周约{}件,自{}月{}日起增多",
                category.label(),
                surge.observed,
                surge.expected,
                since.month(),
                since.day()
            );
            found.push(SurgeFinding {
                region,
                region_name,
                category,
                category_label: category.label(),
                surge,
                since,
                message,
            });
        }
        found.sort_by(|a, b| b.surge.z.total_cmp(&a.surge.z));
        Ok(found)
    }

    /// Raises an early warning for each surge in `county` not already raised in the last
    /// week (by place and category); returns how many were raised.
    pub async fn raise_surge_alerts(
        &self,
        county: &RegionCode,
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        let week_ago = now - jiff::SignedDuration::from_hours(24 * DAYS);
        let mut raised = 0;
        for f in self.surges(county, now).await? {
            let key = format!("{} {}:%", f.region_name, f.category.label());
            let recent: i64 = with_db!(self, p => {
                sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE kind = 'surge' AND region_code = $1
                                    AND message LIKE $2 AND created_at > $3")
                    .bind(f.region.as_str()).bind(&key)
                    .bind(concord_domain::time::to_micros(week_ago))
                    .fetch_one(p).await?
            });
            if recent > 0 {
                continue;
            }
            let level: AlertLevel = f.surge.level;
            let a = NewAlert {
                kind: AlertKind::Surge,
                level,
                case_id: None,
                region: f.region,
                message: f.message,
            };
            self.raise_alert(&a, now).await?;
            raised += 1;
        }
        Ok(raised)
    }
}
