//! Surges (异常增多): a series of weekly counts — one category in one place, seven-day
//! windows ending today — compared with its own history. The expected count is the mean
//! of the earlier windows; a window is a surge when the count is at least three and lies
//! three or more standard deviations (Poisson: √expected) above it. The warning says why:
//! expected n, observed m, and since when the count has run above normal.

use serde::Serialize;
use utoipa::ToSchema;

use crate::alert::AlertLevel;

/// Windows of history the expectation is taken from.
pub const HISTORY_WINDOWS: usize = 12;
/// Fewer than this in the latest window is never a surge, whatever the history.
pub const MIN_OBSERVED: u32 = 3;

/// What the detector found in one series.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Surge {
    /// The mean of the earlier windows.
    pub expected: f64,
    /// The latest window's count.
    pub observed: u32,
    /// How many standard deviations above the expectation.
    pub z: f64,
    /// How many windows back (0 = the latest) the run above normal began.
    pub windows_above: usize,
    pub level: AlertLevel,
}

/// `counts` holds the windows oldest first, the latest last (at least two).
pub fn detect(counts: &[u32]) -> Option<Surge> {
    let (&observed, history) = counts.split_last()?;
    if history.is_empty() || observed < MIN_OBSERVED {
        return None;
    }
    let history = &history[history.len().saturating_sub(HISTORY_WINDOWS)..];
    let mean = history.iter().map(|&c| f64::from(c)).sum::<f64>() / history.len() as f64;
    // A place that saw nothing before still has some chance of a case.
    let expected = mean.max(0.5);
    let sd = expected.sqrt();
    let z = (f64::from(observed) - expected) / sd;
    let level = match z {
        z if z >= 6.0 => AlertLevel::Red,
        z if z >= 4.5 => AlertLevel::Orange,
        z if z >= 3.0 => AlertLevel::Yellow,
        _ => return None,
    };
    // The run above normal (more than one deviation over) that ends in the latest window.
    let above = |c: u32| f64::from(c) > expected + sd;
    let windows_above = counts
        .iter()
        .rev()
        .skip(1)
        .take_while(|&&c| above(c))
        .count();
    Some(Surge {
        expected: (mean * 10.0).round() / 10.0,
        observed,
        z: (z * 10.0).round() / 10.0,
        windows_above,
        level,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steady_series_is_quiet_and_a_jump_is_a_surge_with_its_level() {
        let steady = [4, 5, 3, 4, 6, 4, 5, 3, 4, 5, 4, 4];
        let mut s = steady.to_vec();
        s.push(6);
        assert_eq!(detect(&s), None, "within normal");
        s.pop();
        s.push(12);
        let found = detect(&s).unwrap();
        assert_eq!(found.observed, 12);
        assert_eq!(found.expected, 4.3);
        assert_eq!(found.level, AlertLevel::Yellow);
        assert_eq!(found.windows_above, 0);
        s.pop();
        s.push(20);
        assert_eq!(detect(&s).unwrap().level, AlertLevel::Red);
    }

    #[test]
    fn since_when_counts_the_windows_already_above_normal() {
        // The expectation includes the rising windows, so a rise already under way lowers
        // how surprising the latest window is, but the run is still named.
        let s = [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 7, 8, 15];
        let found = detect(&s).unwrap();
        assert_eq!(found.windows_above, 2);
    }

    #[test]
    fn small_counts_and_short_series_are_never_surges() {
        assert_eq!(detect(&[0, 0, 0, 0, 2]), None, "two cases are not a surge");
        assert!(
            detect(&[0, 0, 0, 0, 3]).is_some(),
            "three where there were none is"
        );
        assert_eq!(detect(&[9]), None);
        assert_eq!(detect(&[]), None);
    }
}
