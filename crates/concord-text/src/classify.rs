//! The category classifier: multinomial logistic regression over jieba words and
//! character bigrams. It starts from the built-in lexicon and learns from examples — the
//! cases whose category a dispatcher confirmed or corrected. A suggestion carries its
//! confidence and the words that drove it; a low one is flagged for a human.

use std::collections::HashMap;
use std::sync::OnceLock;

use concord_domain::category::Category;
use serde::{Deserialize, Serialize};

use crate::lexicon::lexicon;
use crate::tokens::{bigrams, words};

/// Below this probability the top suggestion is flagged for a human to decide.
pub const LOW_CONFIDENCE: f64 = 0.5;

/// One labelled description (a JSON line `{"text": …, "category": …}`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Example {
    pub text: String,
    pub category: Category,
}

/// One suggested category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub category: Category,
    pub label: &'static str,
    /// Probability, 0 to 1.
    pub confidence: f64,
    /// The words in the text that weighed most for this category.
    pub words: Vec<String>,
}

/// The top suggestions, best first, and whether a human must decide.
#[derive(Debug, Clone, Serialize)]
pub struct Classification {
    pub suggestions: Vec<Suggestion>,
    pub low_confidence: bool,
}

/// A trained model, as saved to a file or the database.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    format: u32,
    classes: Vec<Category>,
    features: Vec<String>,
    /// `features.len() × classes.len()`, feature-major.
    weights: Vec<f32>,
    bias: Vec<f32>,
    /// How many examples it learned from, beside the lexicon.
    pub examples: usize,
    #[serde(skip)]
    index: HashMap<String, u32>,
}

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("模型文件无效:{0}")]
    Invalid(String),
}

/// A text's features: its words and its character bigrams, each once.
pub fn features(text: &str) -> Vec<String> {
    let mut f: Vec<String> = words(text).into_iter().map(|w| format!("w:{w}")).collect();
    f.extend(bigrams(text).into_iter().map(|b| format!("b:{b}")));
    f.sort_unstable();
    f.dedup();
    f
}

/// Training settings; the defaults were chosen on the evaluation set (docs/classify.md).
#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            epochs: 30,
            learning_rate: 0.5,
            l2: 1e-5,
        }
    }
}

/// A document as feature indices, each of value 1/√n.
struct Doc {
    idx: Vec<u32>,
    value: f32,
    class: usize,
}

impl Model {
    /// The model of the lexicon alone.
    pub fn lexicon_only() -> &'static Model {
        static LEXICON: OnceLock<Model> = OnceLock::new();
        LEXICON.get_or_init(|| Model::train(&[], &TrainOptions::default()))
    }

    /// What a new center starts with: the lexicon and the starter examples shipped with
    /// Concord (`data/train.jsonl`). A center's own confirmed cases are added to these
    /// when it retrains.
    pub fn builtin() -> &'static Model {
        static BUILTIN: OnceLock<Model> = OnceLock::new();
        BUILTIN.get_or_init(|| Model::train(&starter_examples(), &TrainOptions::default()))
    }

    /// Trains on the lexicon and `examples`.
    pub fn train(examples: &[Example], opts: &TrainOptions) -> Model {
        let classes: Vec<Category> = Category::ALL.to_vec();
        let mut labelled: Vec<(Vec<String>, usize)> = lexicon_docs(&classes);
        labelled.extend(examples.iter().map(|e| {
            let k = classes
                .iter()
                .position(|c| *c == e.category)
                .expect("a category");
            (features(&e.text), k)
        }));
        let mut model = Model {
            format: 1,
            classes,
            features: Vec::new(),
            weights: Vec::new(),
            bias: Vec::new(),
            examples: examples.len(),
            index: HashMap::new(),
        };
        let docs: Vec<Doc> = labelled
            .into_iter()
            .map(|(f, class)| model.encode_growing(&f, class))
            .collect();
        let k = model.classes.len();
        model.weights = vec![0.0; model.features.len() * k];
        model.bias = vec![0.0; k];
        model.fit(&docs, opts);
        model
    }

    fn encode_growing(&mut self, features: &[String], class: usize) -> Doc {
        let idx: Vec<u32> = features
            .iter()
            .map(|f| {
                let next = self.features.len() as u32;
                *self.index.entry(f.clone()).or_insert_with(|| {
                    self.features.push(f.clone());
                    next
                })
            })
            .collect();
        let value = 1.0 / (idx.len().max(1) as f32).sqrt();
        Doc { idx, value, class }
    }

    /// Stochastic gradient descent with AdaGrad steps, in a fixed shuffled order.
    fn fit(&mut self, docs: &[Doc], opts: &TrainOptions) {
        let k = self.classes.len();
        let mut g2 = vec![1e-8f32; self.weights.len()];
        let mut b2 = vec![1e-8f32; k];
        let mut order: Vec<usize> = (0..docs.len()).collect();
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..opts.epochs {
            shuffle(&mut order, &mut seed);
            for &d in &order {
                let doc = &docs[d];
                let p = self.probabilities(&doc.idx, doc.value);
                for (c, pc) in p.iter().enumerate() {
                    let g = (*pc as f32) - f32::from(c == doc.class);
                    b2[c] += g * g;
                    self.bias[c] -= opts.learning_rate * g / b2[c].sqrt();
                    for &f in &doc.idx {
                        let w = f as usize * k + c;
                        let grad = g * doc.value + opts.l2 * self.weights[w];
                        g2[w] += grad * grad;
                        self.weights[w] -= opts.learning_rate * grad / g2[w].sqrt();
                    }
                }
            }
        }
    }

    fn probabilities(&self, idx: &[u32], value: f32) -> Vec<f64> {
        let k = self.classes.len();
        let mut s: Vec<f64> = self.bias.iter().map(|b| f64::from(*b)).collect();
        for &f in idx {
            let row = &self.weights[f as usize * k..(f as usize + 1) * k];
            for (sc, w) in s.iter_mut().zip(row) {
                *sc += f64::from(*w * value);
            }
        }
        softmax(&mut s);
        s
    }

    /// The best `n` categories for `text`.
    pub fn classify(&self, text: &str, n: usize) -> Classification {
        let known: Vec<u32> = features(text)
            .iter()
            .filter_map(|f| self.index.get(f).copied())
            .collect();
        let value = 1.0 / (known.len().max(1) as f32).sqrt();
        let p = self.probabilities(&known, value);
        let mut ranked: Vec<usize> = (0..p.len()).collect();
        ranked.sort_by(|a, b| p[*b].total_cmp(&p[*a]));
        let suggestions: Vec<Suggestion> = ranked
            .into_iter()
            .take(n)
            .map(|c| Suggestion {
                category: self.classes[c],
                label: self.classes[c].label(),
                confidence: (p[c] * 1000.0).round() / 1000.0,
                words: self.drivers(&known, c),
            })
            .collect();
        let low_confidence = known.is_empty()
            || suggestions
                .first()
                .is_none_or(|s| s.confidence < LOW_CONFIDENCE);
        Classification {
            suggestions,
            low_confidence,
        }
    }

    /// The words that weigh most for class `c` against the average class.
    fn drivers(&self, known: &[u32], c: usize) -> Vec<String> {
        let k = self.classes.len();
        let mut scored: Vec<(f32, &str)> = known
            .iter()
            .map(|&f| {
                let row = &self.weights[f as usize * k..(f as usize + 1) * k];
                let mean = row.iter().sum::<f32>() / k as f32;
                (row[c] - mean, self.features[f as usize].as_str())
            })
            .filter(|(s, _)| *s > 0.0)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut words: Vec<String> = Vec::new();
        for (_, f) in scored {
            let w = &f[2..];
            // A bigram inside a word already listed adds nothing.
            if !words.iter().any(|x| x.contains(w)) {
                words.push(w.to_string());
            }
            if words.len() == 5 {
                break;
            }
        }
        words
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a model serializes")
    }

    pub fn from_json(s: &str) -> Result<Model, ModelError> {
        let mut m: Model =
            serde_json::from_str(s).map_err(|e| ModelError::Invalid(e.to_string()))?;
        let k = m.classes.len();
        if m.format != 1 || m.weights.len() != m.features.len() * k || m.bias.len() != k {
            return Err(ModelError::Invalid("维度不一致".into()));
        }
        m.index = m
            .features
            .iter()
            .enumerate()
            .map(|(i, f)| (f.clone(), i as u32))
            .collect();
        Ok(m)
    }
}

/// The labelled descriptions shipped with Concord, written for it after the kinds of cases
/// public typical-case reports describe.
pub fn starter_examples() -> Vec<Example> {
    include_str!("../data/train.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("the starter examples are valid"))
        .collect()
}

/// Each lexicon word as a short document of its category, tokenized as text would be.
fn lexicon_docs(classes: &[Category]) -> Vec<(Vec<String>, usize)> {
    lexicon()
        .iter()
        .flat_map(|(cat, words)| {
            let k = classes.iter().position(|c| c == cat).expect("a category");
            words.iter().map(move |w| (features(w), k))
        })
        .collect()
}

fn softmax(s: &mut [f64]) {
    let max = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for v in s.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in s.iter_mut() {
        *v /= sum;
    }
}

/// Fisher–Yates with a xorshift generator: the same order every run.
fn shuffle(v: &mut [usize], seed: &mut u64) {
    for i in (1..v.len()).rev() {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        v.swap(i, (*seed % (i as u64 + 1)) as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lexicon_alone_knows_the_plain_cases() {
        let m = Model::lexicon_only();
        let cases = [
            ("包工头拖欠我们三个月工资不给", Category::Labor),
            ("楼上卫生间漏水把我家天花板泡坏了", Category::Neighbor),
            ("骑电动车在路口被轿车撞了,腿骨折", Category::Traffic),
            ("小区物业费涨价,电梯坏了也不修", Category::PropertyMgmt),
        ];
        for (text, want) in cases {
            let c = m.classify(text, 3);
            assert_eq!(c.suggestions[0].category, want, "{text}: {c:?}");
            assert_eq!(c.suggestions.len(), 3);
            assert!(!c.suggestions[0].words.is_empty());
        }
    }

    #[test]
    fn text_with_nothing_known_is_flagged() {
        let c = Model::builtin().classify("!!!???", 3);
        assert!(c.low_confidence);
    }

    #[test]
    fn examples_teach_what_the_lexicon_does_not_know() {
        let ex = |t: &str| Example {
            text: t.into(),
            category: Category::Other,
        };
        let examples = vec![
            ex("孩子上学的学区名额被取消了"),
            ex("学区划分不公平孩子没学上"),
            ex("学区房的入学资格被取消"),
        ];
        let m = Model::train(&examples, &TrainOptions::default());
        let c = m.classify("学区名额问题", 3);
        assert_eq!(c.suggestions[0].category, Category::Other, "{c:?}");
        let again = Model::from_json(&m.to_json()).unwrap();
        assert_eq!(again.classify("学区名额问题", 3).suggestions, c.suggestions);
    }
}
