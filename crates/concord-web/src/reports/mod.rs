//! Reports a leader takes away: the figures of a region and period with every name
//! filled in (for the dashboard, the API and `concord report`), the monthly risk
//! assessment (研判报告) as PDF, and ledgers (台账) as .xlsx.

pub mod ledger;
pub mod monthly;
pub mod screening;

use std::collections::HashMap;

use concord_domain::case::Channel;
use concord_domain::figures::{Dimension, Figures, Tally};
use concord_domain::region::RegionCode;
use concord_store::{Named, Store, StoreError};
use jiff::Timestamp;
use jiff::civil::Date;

/// The names the figures' keys stand for.
#[derive(Debug, Default)]
pub struct Names {
    regions: HashMap<String, String>,
    units: HashMap<String, String>,
    mediators: HashMap<String, String>,
}

impl Names {
    /// The names of `region` and its children.
    async fn of_region(store: &Store, region: &RegionCode) -> Result<Names, StoreError> {
        let mut regions: HashMap<String, String> = store
            .regions(Some(region))
            .await?
            .into_iter()
            .map(|r| (r.code.to_string(), r.name))
            .collect();
        if let Some(r) = store.region(region).await? {
            regions.insert(r.code.to_string(), r.name);
        }
        Ok(Names {
            regions,
            ..Default::default()
        })
    }

    /// The names a set of figures needs: its region and children, and the units and
    /// mediators its breakdowns name (not every one in the territory).
    pub async fn for_figures(
        store: &Store,
        region: &RegionCode,
        f: &Figures,
    ) -> Result<Names, StoreError> {
        let mut names = Names::of_region(store, region).await?;
        let ids = |m: &std::collections::BTreeMap<String, Tally>| -> Vec<i64> {
            m.keys().filter_map(|k| k.parse().ok()).collect()
        };
        let named =
            |m: HashMap<i64, String>| m.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        names.units = named(
            store
                .names_of(Named::Organizations, &ids(&f.by_unit))
                .await?,
        );
        names.mediators = named(
            store
                .names_of(Named::Mediators, &ids(&f.by_mediator))
                .await?,
        );
        Ok(names)
    }

    /// Every name a ledger of `region` may need: every place within it, every unit and
    /// mediator.
    pub async fn for_ledger(store: &Store, region: &RegionCode) -> Result<Names, StoreError> {
        let mut names = Names::of_region(store, region).await?;
        names.load_within(store, region).await?;
        names.units = store
            .organizations(None)
            .await?
            .into_iter()
            .map(|o| (o.id.to_string(), o.name))
            .collect();
        names.mediators = store
            .mediators(None)
            .await?
            .into_iter()
            .map(|m| (m.id.to_string(), m.name))
            .collect();
        Ok(names)
    }

    /// Adds the names of every region within `area` (villages, for hot spots).
    pub async fn load_within(
        &mut self,
        store: &Store,
        area: &RegionCode,
    ) -> Result<(), StoreError> {
        for r in store.regions_within(area).await? {
            self.regions.insert(r.code.to_string(), r.name);
        }
        Ok(())
    }

    pub fn region(&self, code: &str) -> String {
        self.regions
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }

    /// What a breakdown's key stands for: a channel's label, a unit's or mediator's name.
    pub fn of(&self, dim: Dimension, key: &str) -> String {
        let found = match dim {
            Dimension::Channel => Channel::parse("channel", key)
                .ok()
                .map(|c| c.label().to_string()),
            Dimension::Unit => self.units.get(key).cloned(),
            Dimension::Mediator => self.mediators.get(key).cloned(),
        };
        found.unwrap_or_else(|| format!("#{key}"))
    }
}

/// One line of a breakdown: who or what, and its counts.
#[derive(Debug, Clone)]
pub struct BreakdownLine {
    pub key: String,
    pub name: String,
    pub tally: Tally,
}

/// The figures of a region over the days [from, to] (both counted), with names.
#[derive(Debug)]
pub struct FigureReport {
    pub region: RegionCode,
    pub region_name: String,
    pub from: Date,
    pub to: Date,
    pub figures: Figures,
    pub names: Names,
}

impl FigureReport {
    pub async fn load(
        store: &Store,
        region: &RegionCode,
        from: Date,
        to: Date,
        now: Timestamp,
    ) -> Result<FigureReport, StoreError> {
        let figures = store
            .figures(region, from, to.tomorrow().unwrap_or(to), now)
            .await?;
        let names = Names::for_figures(store, region, &figures).await?;
        Ok(FigureReport {
            region: *region,
            region_name: names.region(region.as_str()),
            from,
            to,
            figures,
            names,
        })
    }

    /// A breakdown, the busiest first (a ranking when by unit or mediator).
    pub fn breakdown(&self, dim: Dimension) -> Vec<BreakdownLine> {
        let map = match dim {
            Dimension::Channel => &self.figures.by_channel,
            Dimension::Unit => &self.figures.by_unit,
            Dimension::Mediator => &self.figures.by_mediator,
        };
        let mut lines: Vec<BreakdownLine> = map
            .iter()
            .map(|(k, t)| BreakdownLine {
                key: k.clone(),
                name: self.names.of(dim, k),
                tally: t.clone(),
            })
            .collect();
        lines.sort_by(|a, b| {
            (b.tally.registered, b.tally.closed)
                .cmp(&(a.tally.registered, a.tally.closed))
                .then_with(|| a.key.cmp(&b.key))
        });
        lines
    }
}

/// "12.5%", or "—" when there is nothing to divide by.
pub fn percent(r: Option<f64>) -> String {
    r.map_or("—".into(), |r| format!("{:.1}%", r * 100.0))
}

/// "3.5", or "—".
pub fn days(r: Option<f64>) -> String {
    r.map_or("—".into(), |d| format!("{d:.1}"))
}
