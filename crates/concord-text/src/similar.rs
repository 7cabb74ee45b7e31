//! How alike two descriptions are: the share of character bigrams they have in common
//! (Jaccard), which survives rewording, typos and a different order of telling.

use std::collections::HashSet;

use crate::tokens::bigrams;

/// Descriptions this alike or more are taken to be about the same matter.
pub const SAME_MATTER: f64 = 0.35;

/// Jaccard similarity of the two texts' bigram sets, 0 to 1.
pub fn similarity(a: &str, b: &str) -> f64 {
    let a: HashSet<String> = bigrams(a).into_iter().collect();
    let b: HashSet<String> = bigrams(b).into_iter().collect();
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let shared = a.intersection(&b).count();
    shared as f64 / (a.len() + b.len() - shared) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_matter_retold_is_alike_and_another_matter_is_not() {
        let a = "绿城小区物业费上涨不合理,业主要求物业公司说明收费依据";
        let b = "绿城小区业主反映物业公司物业费上涨不合理,要求说明依据";
        let c = "楼上邻居家卫生间漏水,把我家天花板泡坏了";
        assert!(similarity(a, b) >= SAME_MATTER, "{}", similarity(a, b));
        assert!(similarity(a, c) < 0.1);
        assert_eq!(similarity("", c), 0.0);
    }
}
