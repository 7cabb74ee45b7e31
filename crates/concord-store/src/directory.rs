//! The territory and who works in it: regions, organizations, mediators.

use concord_domain::category::Category;
use concord_domain::org::{Mediator, OrgKind, Organization, Stationing};
use concord_domain::region::{Region, RegionCode, RegionLevel};

use crate::rows::{corrupt, parse_categories, region_code};
use crate::{BeginWrite, Store, StoreError, with_db};

/// A new organization.
#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub name: String,
    pub kind: OrgKind,
    pub region: RegionCode,
    pub stationing: Stationing,
    pub categories: Vec<Category>,
}

/// A new mediator.
#[derive(Debug, Clone)]
pub struct NewMediator {
    pub name: String,
    pub org_id: i64,
    pub region: RegionCode,
    pub expertise: Vec<Category>,
    pub title: String,
    pub user_id: Option<i64>,
    pub languages: Vec<String>,
}

pub(crate) fn join_categories(c: &[Category]) -> String {
    c.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(",")
}

type OrgRow = (i64, String, String, String, String, String);
type MediatorRow = (
    i64,
    String,
    i64,
    String,
    String,
    String,
    Option<i64>,
    String,
    bool,
);

impl Store {
    /// Inserts or renames regions; parents must come before children.
    pub async fn upsert_regions(&self, regions: &[Region]) -> Result<(), StoreError> {
        with_db!(self, pool => {
            let mut tx = pool.begin_write().await?;
            for r in regions {
                sqlx::query("INSERT INTO regions (code, name, parent, level) VALUES ($1, $2, $3, $4)
                             ON CONFLICT (code) DO UPDATE SET name = excluded.name")
                    .bind(r.code.as_str())
                    .bind(&r.name)
                    .bind(r.parent.map(|p| p.to_string()))
                    .bind(r.level.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        self.caches.clear_regions();
        Ok(())
    }

    /// The children of `parent`, or the roots when `parent` is None.
    pub async fn regions(&self, parent: Option<&RegionCode>) -> Result<Vec<Region>, StoreError> {
        let rows: Vec<(String, String, Option<String>)> = with_db!(self, pool => match parent {
            Some(p) => sqlx::query_as("SELECT code, name, parent FROM regions WHERE parent = $1 ORDER BY code")
                .bind(p.as_str()).fetch_all(pool).await?,
            None => sqlx::query_as("SELECT code, name, parent FROM regions WHERE parent IS NULL ORDER BY code")
                .fetch_all(pool).await?,
        });
        rows.into_iter().map(to_region).collect()
    }

    /// Every region in `area`'s subtree, `area` included.
    pub async fn regions_within(&self, area: &RegionCode) -> Result<Vec<Region>, StoreError> {
        let (lo, hi) = area.subtree_range();
        let rows: Vec<(String, String, Option<String>)> = with_db!(self, pool => {
            sqlx::query_as("SELECT code, name, parent FROM regions WHERE code BETWEEN $1 AND $2 ORDER BY code")
                .bind(lo).bind(hi).fetch_all(pool).await?
        });
        rows.into_iter().map(to_region).collect()
    }

    pub async fn region(&self, code: &RegionCode) -> Result<Option<Region>, StoreError> {
        if let Some(r) = self.caches.region(code) {
            return Ok(Some(r));
        }
        let row: Option<(String, String, Option<String>)> = with_db!(self, pool => {
            sqlx::query_as("SELECT code, name, parent FROM regions WHERE code = $1")
                .bind(code.as_str()).fetch_optional(pool).await?
        });
        let region = row.map(to_region).transpose()?;
        if let Some(r) = &region {
            self.caches.put_region(r.clone());
        }
        Ok(region)
    }

    pub async fn insert_organization(&self, o: &NewOrganization) -> Result<i64, StoreError> {
        self.require_region("region", &o.region).await?;
        let id: i64 = with_db!(self, pool => {
            sqlx::query_scalar("INSERT INTO organizations (name, kind, region_code, stationing, categories)
                                VALUES ($1, $2, $3, $4, $5) RETURNING id")
                .bind(&o.name).bind(o.kind.as_str()).bind(o.region.as_str())
                .bind(o.stationing.as_str()).bind(join_categories(&o.categories))
                .fetch_one(pool).await?
        });
        Ok(id)
    }

    /// Organizations in `region`'s subtree (all when None), by name.
    pub async fn organizations(
        &self,
        region: Option<&RegionCode>,
    ) -> Result<Vec<Organization>, StoreError> {
        let (lo, hi) = subtree(region);
        let rows: Vec<OrgRow> = with_db!(self, pool => {
            sqlx::query_as("SELECT id, name, kind, region_code, stationing, categories FROM organizations
                            WHERE region_code BETWEEN $1 AND $2 ORDER BY region_code, id")
                .bind(lo).bind(hi).fetch_all(pool).await?
        });
        rows.into_iter().map(to_org).collect()
    }

    pub async fn insert_mediator(&self, m: &NewMediator) -> Result<i64, StoreError> {
        let id: i64 = with_db!(self, pool => {
            sqlx::query_scalar("INSERT INTO mediators (name, org_id, region_code, expertise, title, user_id, languages)
                                VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
                .bind(&m.name).bind(m.org_id).bind(m.region.as_str())
                .bind(join_categories(&m.expertise)).bind(&m.title).bind(m.user_id)
                .bind(m.languages.join(","))
                .fetch_one(pool).await?
        });
        Ok(id)
    }

    pub async fn mediators(
        &self,
        region: Option<&RegionCode>,
    ) -> Result<Vec<Mediator>, StoreError> {
        let (lo, hi) = subtree(region);
        let rows: Vec<MediatorRow> = with_db!(self, pool => {
            sqlx::query_as("SELECT id, name, org_id, region_code, expertise, title, user_id, languages, active
                            FROM mediators WHERE region_code BETWEEN $1 AND $2 ORDER BY id")
                .bind(lo).bind(hi).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(
                |(id, name, org_id, region, expertise, title, user_id, languages, active)| {
                    Ok(Mediator {
                        id,
                        name,
                        org_id,
                        region: region_code(&region)?,
                        expertise: parse_categories(&expertise)?,
                        title,
                        user_id,
                        languages: languages
                            .split(',')
                            .filter(|l| !l.is_empty())
                            .map(String::from)
                            .collect(),
                        active,
                    })
                },
            )
            .collect()
    }

    /// Every region code in the tree.
    pub async fn region_codes(&self) -> Result<std::collections::HashSet<RegionCode>, StoreError> {
        let rows: Vec<String> = with_db!(self, pool => {
            sqlx::query_scalar("SELECT code FROM regions").fetch_all(pool).await?
        });
        rows.iter().map(|c| region_code(c)).collect()
    }

    /// Refuses a region code that is well-formed but not in the tree.
    pub async fn require_region(
        &self,
        field: &str,
        code: &RegionCode,
    ) -> Result<Region, StoreError> {
        self.region(code).await?.ok_or_else(|| {
            concord_domain::FieldError::new(
                field,
                "unknown_region",
                format!("区划代码“{code}”不在本系统的行政区划中"),
            )
            .into()
        })
    }
}

/// The code range of a subtree; everything when None.
pub(crate) fn subtree(region: Option<&RegionCode>) -> (String, String) {
    region.map_or_else(
        || ("000000000000".into(), "999999999999".into()),
        |r| r.subtree_range(),
    )
}

fn to_region((code, name, parent): (String, String, Option<String>)) -> Result<Region, StoreError> {
    let code = region_code(&code)?;
    let parent = parent.as_deref().map(region_code).transpose()?;
    let level: RegionLevel = code.level();
    Ok(Region {
        code,
        name,
        parent,
        level,
    })
}

fn to_org(
    (id, name, kind, region, stationing, categories): OrgRow,
) -> Result<Organization, StoreError> {
    Ok(Organization {
        id,
        name,
        kind: OrgKind::parse("kind", &kind).map_err(corrupt)?,
        region: region_code(&region)?,
        stationing: Stationing::parse("stationing", &stationing).map_err(corrupt)?,
        categories: parse_categories(&categories)?,
    })
}

/// What [`Store::names_of`] looks names up in.
#[derive(Debug, Clone, Copy)]
pub enum Named {
    Organizations,
    Mediators,
}

impl Store {
    /// The names of the organizations or mediators with these ids (those that exist).
    pub async fn names_of(
        &self,
        what: Named,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, String>, StoreError> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let table = match what {
            Named::Organizations => "organizations",
            Named::Mediators => "mediators",
        };
        let mut args = crate::args::Args::new(crate::args::Marks::Numbered);
        let marks: Vec<String> = ids
            .iter()
            .map(|id| args.push(crate::args::Arg::Int(*id)))
            .collect();
        let sql = format!(
            "SELECT id, name FROM {table} WHERE id IN ({})",
            marks.join(", ")
        );
        let rows: Vec<(i64, String)> = with_db!(self, pool => {
            crate::args::bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args.0).fetch_all(pool).await?
        });
        Ok(rows.into_iter().collect())
    }
}
