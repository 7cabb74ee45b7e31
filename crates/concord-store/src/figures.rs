//! The figures of a region and period (docs/figures.md), from the cases themselves.

use concord_domain::figures::Figures;
use concord_domain::region::{RegionCode, RegionLevel};
use concord_domain::time::to_micros;
use jiff::Timestamp;

use crate::args::Arg;
use crate::list::{Where, open_statuses, region_clause};
use crate::{Store, StoreError};

/// The level one below `l`, whose regions the breakdown is by.
fn child_level(l: RegionLevel) -> Option<RegionLevel> {
    match l {
        RegionLevel::Province => Some(RegionLevel::City),
        RegionLevel::City => Some(RegionLevel::County),
        RegionLevel::County => Some(RegionLevel::Township),
        RegionLevel::Township => Some(RegionLevel::Village),
        RegionLevel::Village => None,
    }
}

impl Store {
    /// The figures of `scope` over [from, to) as they stand at `now`, with a breakdown by
    /// its child regions.
    pub async fn figures(
        &self,
        scope: &RegionCode,
        from: Timestamp,
        to: Timestamp,
        now: Timestamp,
    ) -> Result<Figures, StoreError> {
        let mut w = Where::default();
        region_clause(&mut w, scope);
        let (a, b) = (
            w.args.push(Arg::Int(to_micros(from))),
            w.args.push(Arg::Int(to_micros(to))),
        );
        w.clauses.push(format!(
            "((registered_at >= {a} AND registered_at < {b}) OR (accepted_at >= {a} AND accepted_at < {b})
              OR (closed_at >= {a} AND closed_at < {b}) OR status IN ({}))",
            open_statuses()
        ));
        let cases = self.cases_where(w, "").await?;
        let child = child_level(scope.level());
        let mut f = Figures::default();
        for c in &cases {
            let region = child.and_then(|l| c.facts.region.ancestor(l));
            f.add_case(c, from, to, now, region.as_ref().map(|r| r.as_str()));
        }
        Ok(f)
    }
}
