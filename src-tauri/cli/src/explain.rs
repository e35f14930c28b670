//! `bert-studio explain`: which words drove a model's score for a class, one bar per word.

use bert_studio_engine::Result;
use bert_studio_engine::explain::{DEFAULT_STEPS, ExplainMethod, ExplainOptions, Explanation};
use bert_studio_engine::inference::Classifier;
use clap::Args;

use crate::choices::ChoiceParser;
use crate::classify::ClassifierFlags;
use crate::terminal::{cancel_on_interrupt, print_download, print_json};

#[derive(Args)]
pub struct ExplainArgs {
    /// A trained model folder (or a Hugging Face Hub id of a classification model).
    #[arg(long)]
    model: String,
    /// The text to explain.
    #[arg(long)]
    text: String,
    /// The class to explain, by its label or its name (default: the class the model gives the
    /// text).
    #[arg(long)]
    class: Option<String>,
    /// integrated_gradients: the words' contributions add up to the change of the class's score
    /// from a text with every word blanked; occlusion: each word blanked on its own (one pass,
    /// cheaper, no gradients).
    #[arg(long, default_value = "integrated_gradients", value_parser = ChoiceParser::<ExplainMethod>::new())]
    method: ExplainMethod,
    /// Integration steps: more are closer to exact and slower.
    #[arg(long, default_value_t = DEFAULT_STEPS)]
    steps: usize,
    #[command(flatten)]
    run_on: ClassifierFlags,
    /// Print the explanation as one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run(args: ExplainArgs) -> Result<()> {
    let classifier = Classifier::load(&args.model, &args.run_on.options(), &mut print_download)?;
    let explanation = classifier.explain(
        &args.text,
        args.class.as_deref(),
        &ExplainOptions {
            method: args.method,
            steps: args.steps,
        },
        &cancel_on_interrupt(),
    )?;
    if args.json {
        print_json(&explanation);
    } else {
        let name = classifier.info().label_names.get(&explanation.label);
        print!("{}", words_table(&explanation, name.map(String::as_str)));
    }
    Ok(())
}

/// The class, its scores, then each word with its contribution and a bar (`+` towards the
/// class, `-` away from it).
fn words_table(e: &Explanation, name: Option<&str>) -> String {
    let mut out = match name {
        Some(name) => format!("Class {} ({name})\n", e.label),
        None => format!("Class {}\n", e.label),
    };
    out += &format!(
        "Score {:.4}; with every word blanked {:.4}. ",
        e.score, e.baseline_score
    );
    out += &match (e.method, e.completeness_gap) {
        (ExplainMethod::IntegratedGradients, Some(gap)) => format!(
            "Integrated gradients, {} steps: the words add up to the difference within {:.2} %.\n",
            e.steps.unwrap_or(DEFAULT_STEPS),
            gap * 100.0
        ),
        (ExplainMethod::IntegratedGradients, None) => format!(
            "Integrated gradients, {} steps.\n",
            e.steps.unwrap_or(DEFAULT_STEPS)
        ),
        (ExplainMethod::Occlusion, _) => {
            "Occlusion: how much the score drops without each word.\n".to_string()
        }
    };
    let largest = e
        .words
        .iter()
        .filter_map(|w| w.contribution)
        .fold(0.0f64, |m, c| m.max(c.abs()));
    let width = e
        .words
        .iter()
        .map(|w| w.word.chars().count())
        .max()
        .unwrap_or(0)
        .min(30);
    for word in &e.words {
        let Some(c) = word.contribution else { continue };
        let length = if largest > 0.0 {
            (c.abs() / largest * 20.0).round() as usize
        } else {
            0
        };
        let bar = if c >= 0.0 { "+" } else { "-" }.repeat(length);
        out += &format!("  {:<width$}  {c:+.4}  {bar}\n", word.word);
    }
    if e.cut_words > 0 {
        out += &format!(
            "({} words after the longest text the model reads played no part.)\n",
            e.cut_words
        );
    }
    out
}
