//! Measuring the classifier: per-category precision, recall and F1, the confusion table,
//! accuracy and macro F1.

use std::fmt::Write;

use concord_domain::category::Category;

/// The figures of one evaluation run.
#[derive(Debug, Clone)]
pub struct Report {
    /// `confusion[gold][predicted]`, in `Category::ALL` order.
    pub confusion: Vec<Vec<usize>>,
    pub per_category: Vec<CategoryScore>,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub total: usize,
}

#[derive(Debug, Clone)]
pub struct CategoryScore {
    pub category: Category,
    pub support: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

fn pos(c: Category) -> usize {
    Category::ALL
        .iter()
        .position(|x| *x == c)
        .expect("a category")
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Scores `(gold, predicted)` pairs. Macro F1 averages over the categories that occur.
pub fn score(pairs: &[(Category, Category)]) -> Report {
    let n = Category::ALL.len();
    let mut confusion = vec![vec![0usize; n]; n];
    for (g, p) in pairs {
        confusion[pos(*g)][pos(*p)] += 1;
    }
    let per_category: Vec<CategoryScore> = Category::ALL
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let tp = confusion[i][i];
            let support: usize = confusion[i].iter().sum();
            let predicted: usize = confusion.iter().map(|row| row[i]).sum();
            let (precision, recall) = (ratio(tp, predicted), ratio(tp, support));
            let f1 = if precision + recall > 0.0 {
                2.0 * precision * recall / (precision + recall)
            } else {
                0.0
            };
            CategoryScore {
                category: *c,
                support,
                precision,
                recall,
                f1,
            }
        })
        .collect();
    let correct: usize = (0..n).map(|i| confusion[i][i]).sum();
    let present: Vec<&CategoryScore> = per_category.iter().filter(|s| s.support > 0).collect();
    let macro_f1 = present.iter().map(|s| s.f1).sum::<f64>() / present.len().max(1) as f64;
    Report {
        confusion,
        per_category,
        accuracy: ratio(correct, pairs.len()),
        macro_f1,
        total: pairs.len(),
    }
}

impl Report {
    /// The printed report; its last line is `accuracy=0.xxx macro_f1=0.xxx`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<18} {:>9} {:>9} {:>9} {:>7}",
            "category", "precision", "recall", "f1", "support"
        );
        for s in &self.per_category {
            let _ = writeln!(
                out,
                "{:<18} {:>9.3} {:>9.3} {:>9.3} {:>7}",
                s.category.as_str(),
                s.precision,
                s.recall,
                s.f1,
                s.support
            );
        }
        let _ = writeln!(
            out,
            "\nconfusion (rows: true category, columns: predicted, in the order above)"
        );
        for (i, row) in self.confusion.iter().enumerate() {
            let cells: Vec<String> = row.iter().map(|n| format!("{n:>4}")).collect();
            let _ = writeln!(out, "{:<18}{}", Category::ALL[i].as_str(), cells.join(""));
        }
        let _ = writeln!(out, "\n{} descriptions", self.total);
        let _ = write!(
            out,
            "accuracy={:.3} macro_f1={:.3}",
            self.accuracy, self.macro_f1
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_on_a_known_table() {
        use Category::*;
        let pairs = [
            (Labor, Labor),
            (Labor, Labor),
            (Labor, Traffic),
            (Traffic, Traffic),
        ];
        let r = score(&pairs);
        assert_eq!(r.accuracy, 0.75);
        let labor = &r.per_category[pos(Labor)];
        assert_eq!((labor.precision, labor.support), (1.0, 3));
        assert!((labor.recall - 2.0 / 3.0).abs() < 1e-9);
        let traffic = &r.per_category[pos(Traffic)];
        assert_eq!(traffic.precision, 0.5);
        // Macro F1 over the two categories present: (0.8 + 0.6667) / 2.
        assert!((r.macro_f1 - (0.8 + 2.0 / 3.0) / 2.0).abs() < 1e-9);
        assert!(r.render().ends_with("accuracy=0.750 macro_f1=0.733"));
    }
}
