//! `concord classify`: suggest a category for a description, train a model from labelled
//! lines, evaluate a model. None of these needs the database.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use concord_domain::category::Category;
use concord_text::classify::{Classification, Example, LOW_CONFIDENCE, Model, TrainOptions};
use concord_text::eval;

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ClassifyArgs {
    /// The description to classify.
    #[arg(long)]
    text: Option<String>,
    /// A model file from `classify train`; `lexicon` for the lexicon alone (default: the
    /// lexicon and Concord's starter examples).
    #[arg(long)]
    model: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<ClassifyCommand>,
}

#[derive(Subcommand)]
pub enum ClassifyCommand {
    /// Train from JSON lines `{"text": …, "category": …}` on top of the lexicon.
    Train {
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Train on the starter examples and every case a dispatcher confirmed, and put the
    /// model in use (the server also does this by itself as confirmations accumulate).
    Retrain,
    /// Per-category precision, recall and F1, the confusion table, accuracy and macro F1.
    Eval {
        #[arg(long)]
        file: PathBuf,
        /// As for `classify --model`.
        #[arg(long)]
        model: Option<PathBuf>,
    },
}

impl ClassifyArgs {
    pub fn needs_database(&self) -> bool {
        matches!(self.command, Some(ClassifyCommand::Retrain))
    }
}

pub async fn retrain(store: &concord_store::Store) -> Result<()> {
    let classifier = concord_web::learning::Classifier::load(store).await?;
    let r = concord_web::learning::retrain(store, &classifier).await?;
    println!(
        "已用本中心确认的 {} 件事项和 {} 条入门样本重新训练分类模型(模型编号 {})",
        r.center_examples, r.starter_examples, r.model_id
    );
    Ok(())
}

pub fn run(args: ClassifyArgs) -> Result<()> {
    match (args.command, args.text) {
        (Some(ClassifyCommand::Train { file, out }), _) => train(&file, &out),
        (Some(ClassifyCommand::Eval { file, model }), _) => evaluate(&file, model.as_deref()),
        (Some(ClassifyCommand::Retrain), _) => unreachable!("runs with the database"),
        (None, Some(text)) => suggest(&text, args.model.as_deref()),
        (None, None) => bail!("请用 --text 给出要分类的描述,或使用 train / eval 子命令"),
    }
}

fn load_model(path: Option<&Path>) -> Result<Model> {
    match path {
        None => Ok(Model::builtin().clone()),
        Some(p) if p.as_os_str() == "lexicon" => Ok(Model::lexicon_only().clone()),
        Some(p) => {
            let s = std::fs::read_to_string(p)
                .with_context(|| format!("无法读取模型文件 {}", p.display()))?;
            Model::from_json(&s).with_context(|| format!("{}", p.display()))
        }
    }
}

fn suggest(text: &str, model: Option<&Path>) -> Result<()> {
    let c = load_model(model)?.classify(text, 3);
    for (i, s) in c.suggestions.iter().enumerate() {
        println!(
            "{}. {} ({})  置信度 {:.3}  依据:{}",
            i + 1,
            s.label,
            s.category,
            s.confidence,
            if s.words.is_empty() {
                "—".into()
            } else {
                s.words.join("、")
            }
        );
    }
    if c.low_confidence {
        println!("置信度低:请人工确认类别");
    }
    Ok(())
}

/// Reads labelled lines, naming the line of any that is not one.
pub fn read_examples(path: &Path) -> Result<Vec<Example>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("无法读取 {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let e: Example = serde_json::from_str(line).with_context(|| {
            format!(
                "{} 第{}行不是 {{\"text\", \"category\"}}",
                path.display(),
                i + 1
            )
        })?;
        out.push(e);
    }
    if out.is_empty() {
        bail!("{} 中没有样本", path.display());
    }
    Ok(out)
}

fn train(file: &Path, out: &Path) -> Result<()> {
    let examples = read_examples(file)?;
    let t = std::time::Instant::now();
    let model = Model::train(&examples, &TrainOptions::default());
    std::fs::write(out, model.to_json()).with_context(|| format!("无法写入 {}", out.display()))?;
    println!(
        "已用 {} 条样本(另加内置词表)训练模型,用时 {:.1} 秒,写入 {}",
        examples.len(),
        t.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}

fn evaluate(file: &Path, model: Option<&Path>) -> Result<()> {
    let model = load_model(model)?;
    let examples = read_examples(file)?;
    concord_text::tokens::warm_up();
    let t = std::time::Instant::now();
    let results: Vec<(Category, Classification)> = examples
        .iter()
        .map(|e| (e.category, model.classify(&e.text, 1)))
        .collect();
    let secs = t.elapsed().as_secs_f64();
    eprintln!(
        "{} descriptions in {:.3} s ({:.0}/s, one core)",
        results.len(),
        secs,
        results.len() as f64 / secs
    );
    println!("{}", flagged(&results));
    let pairs: Vec<_> = results
        .iter()
        .map(|(gold, c)| (*gold, c.suggestions[0].category))
        .collect();
    println!("{}", eval::score(&pairs).render());
    Ok(())
}

/// How many suggestions were flagged for a human, and how often each group was right.
fn flagged(results: &[(Category, Classification)]) -> String {
    let (low, sure): (Vec<_>, Vec<_>) = results.iter().partition(|(_, c)| c.low_confidence);
    let right = |v: &[&(Category, Classification)]| {
        let n = v
            .iter()
            .filter(|(g, c)| *g == c.suggestions[0].category)
            .count();
        if v.is_empty() {
            0.0
        } else {
            100.0 * n as f64 / v.len() as f64
        }
    };
    format!(
        "flagged for a human (confidence < {}): {} of {} ({:.1}%), {:.1}% of them right; the rest {:.1}% right\n",
        LOW_CONFIDENCE,
        low.len(),
        results.len(),
        100.0 * low.len() as f64 / results.len().max(1) as f64,
        right(&low),
        right(&sure),
    )
}
