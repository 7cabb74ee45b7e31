//! The territory: regions keyed by the 12-digit National Bureau of Statistics division
//! codes (统计用区划代码). The code itself encodes the tree:
//! `PP CC DD TTT VVV` = province, city, county, township/street, village/community.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::FieldError;

/// A valid 12-digit division code. Built only through [`RegionCode::parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode([u8; 12]);

/// The depth of a region in the tree.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    Province,
    City,
    County,
    Township,
    Village,
}

impl RegionLevel {
    /// How many leading digits identify a region of this level.
    pub const fn prefix_len(self) -> usize {
        match self {
            Self::Province => 2,
            Self::City => 4,
            Self::County => 6,
            Self::Township => 9,
            Self::Village => 12,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::City => "city",
            Self::County => "county",
            Self::Township => "township",
            Self::Village => "village",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::Province => "省",
            Self::City => "市",
            Self::County => "县(区)",
            Self::Township => "乡镇(街道)",
            Self::Village => "村(社区)",
        }
    }
}

impl RegionCode {
    /// Parses a 12-digit code; 6-digit GB/T 2260 codes are widened with zeros.
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let s = s.trim();
        let bad = || {
            FieldError::new(
                field,
                "invalid_region_code",
                format!("区划代码“{s}”无效:应为12位数字的统计用区划代码"),
            )
        };
        if !(s.len() == 12 || s.len() == 6) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let mut code = [b'0'; 12];
        code[..s.len()].copy_from_slice(s.as_bytes());
        if &code[..2] == b"00" || !Self::well_formed(&code) {
            return Err(bad());
        }
        Ok(Self(code))
    }

    /// A lower segment may be set only when every segment above it is.
    fn well_formed(code: &[u8; 12]) -> bool {
        let segments = [(0, 2), (2, 4), (4, 6), (6, 9), (9, 12)];
        let set: Vec<bool> = segments
            .iter()
            .map(|&(a, b)| code[a..b].iter().any(|&d| d != b'0'))
            .collect();
        set.windows(2).all(|w| w[0] || !w[1])
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ascii digits")
    }

    pub fn level(&self) -> RegionLevel {
        let zero = |a: usize| self.0[a..].iter().all(|&d| d == b'0');
        if zero(2) {
            RegionLevel::Province
        } else if zero(4) {
            RegionLevel::City
        } else if zero(6) {
            RegionLevel::County
        } else if zero(9) {
            RegionLevel::Township
        } else {
            RegionLevel::Village
        }
    }

    /// The significant digits: every code in this region's subtree starts with them.
    pub fn prefix(&self) -> &str {
        &self.as_str()[..self.level().prefix_len()]
    }

    /// The inclusive range of codes in this region's subtree, for indexed range scans.
    pub fn subtree_range(&self) -> (String, String) {
        let p = self.prefix();
        let pad = 12 - p.len();
        (
            format!("{p}{}", "0".repeat(pad)),
            format!("{p}{}", "9".repeat(pad)),
        )
    }

    pub fn contains(&self, other: &RegionCode) -> bool {
        other.as_str().starts_with(self.prefix())
    }

    /// The region `level` above or at this one (e.g. the county a village lies in).
    pub fn ancestor(&self, level: RegionLevel) -> Option<RegionCode> {
        if level > self.level() {
            return None;
        }
        let mut code = [b'0'; 12];
        let n = level.prefix_len();
        code[..n].copy_from_slice(&self.0[..n]);
        Some(Self(code))
    }

    /// The parent in the tree; None for a province.
    pub fn parent(&self) -> Option<RegionCode> {
        let up = match self.level() {
            RegionLevel::Province => return None,
            RegionLevel::City => RegionLevel::Province,
            RegionLevel::County => RegionLevel::City,
            RegionLevel::Township => RegionLevel::County,
            RegionLevel::Village => RegionLevel::Township,
        };
        self.ancestor(up)
    }

    /// The county whose center numbers this region's cases; a region above county
    /// level numbers its own.
    pub fn numbering_county(&self) -> RegionCode {
        self.ancestor(RegionLevel::County).unwrap_or(*self)
    }
}

impl std::fmt::Display for RegionCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RegionCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A region of the tree, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Region {
    #[schema(value_type = String, example = "331125003002")]
    pub code: RegionCode,
    pub name: String,
    #[schema(value_type = Option<String>)]
    pub parent: Option<RegionCode>,
    pub level: RegionLevel,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse("region", s).unwrap()
    }

    #[test]
    fn levels_follow_the_code() {
        assert_eq!(code("330000000000").level(), RegionLevel::Province);
        assert_eq!(code("331100000000").level(), RegionLevel::City);
        assert_eq!(code("331125000000").level(), RegionLevel::County);
        assert_eq!(code("331125003000").level(), RegionLevel::Township);
        assert_eq!(code("331125003002").level(), RegionLevel::Village);
        assert_eq!(code("331125").level(), RegionLevel::County);
    }

    #[test]
    fn subtree_and_ancestry() {
        let county = code("331125000000");
        let village = code("331125003002");
        assert!(county.contains(&village));
        assert!(!village.contains(&county));
        assert!(!code("331126000000").contains(&village));
        assert_eq!(village.parent(), Some(code("331125003000")));
        assert_eq!(village.numbering_county(), county);
        assert_eq!(
            county.subtree_range(),
            ("331125000000".into(), "331125999999".into())
        );
    }

    #[test]
    fn rejects_malformed_codes() {
        for bad in [
            "",
            "33112500300",
            "3311250030021",
            "33112500300x",
            "000000000000",
            "330000000001",
        ] {
            let e = RegionCode::parse("region", bad).unwrap_err();
            assert_eq!(e.field, "region");
            assert_eq!(e.code, "invalid_region_code");
        }
    }
}
