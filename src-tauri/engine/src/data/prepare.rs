//! From labelled CSV files to the rows a run learns and validates on: labels sorted and
//! encoded, the validation split (stratified) or file, and what the user should know about
//! the data (skipped rows, rare classes, suspect quotes) as a summary.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::csv_input::{CsvDialect, data_error};
use super::dataset::{
    LabelledRows, encode_labels, read_labelled_csv, sorted_label_names, stratified_split,
};
use super::fingerprint::RowsFingerprint;
use super::label_names::{LabelNames, read_names_file};
use super::multi_label::{LabelLayout, distinct_columns, iterative_split, read_label_sets};
use super::targets::Targets;
use crate::error::Result;
use crate::message::{Message, first_items};
use crate::said;

/// Number of examples per class, in class order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ClassCount {
    pub label: String,
    pub train: usize,
    pub validation: usize,
}

/// What the data turned out to be, for the user to check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DataSummary {
    pub train_file: String,
    pub validation_file: Option<String>,
    pub delimiter: String,
    pub encoding: String,
    pub rows_read: usize,
    pub skipped_empty_text: usize,
    pub skipped_empty_label: usize,
    pub train_rows: usize,
    pub validation_rows: usize,
    pub classes: Vec<ClassCount>,
    /// Texts longer than max_seq_len tokens (they are cut).
    pub truncated_texts: usize,
    /// Plain-words remarks: rare classes, skipped rows, long texts, labels with spaces.
    pub warnings: Vec<Message>,
    /// Which rows the validation metrics are about (`RowsFingerprint`); absent in reports
    /// written before it existed.
    #[serde(default)]
    pub validation_fingerprint: Option<String>,
    /// The classes' names, when the user gave them (a names file or column): code → name.
    #[serde(default)]
    pub label_names: LabelNames,
    /// Rows may have several labels (or none): `classes` counts the rows with each label.
    #[serde(default)]
    pub multi_label: bool,
}

/// Texts turned into class ids (or label sets), split into training and validation.
pub struct PreparedData {
    /// The class names, sorted; classes are indices into it.
    pub labels: Vec<String>,
    pub train_texts: Vec<String>,
    pub train_targets: Targets,
    pub validation_texts: Vec<String>,
    pub validation_targets: Targets,
    pub summary: DataSummary,
}

/// Which rows to learn from and how to hold some out: the data part of a training request.
#[derive(Debug, Clone, Copy)]
pub struct SplitRequest<'a> {
    pub train_csv: &'a Path,
    /// A separate validation file; without it, `validation_fraction` of the rows is held out
    /// (stratified, with `seed`).
    pub validation_csv: Option<&'a Path>,
    /// Overrides the detected CSV dialect of the training file.
    pub dialect: Option<CsvDialect>,
    pub text_column: &'a str,
    pub label_column: &'a str,
    /// One label per row, or several (separated in the label column, or 0/1 columns).
    pub label_layout: LabelLayout<'a>,
    /// Where the labels' names are: a column of the training file, or a names file.
    pub label_names_column: Option<&'a str>,
    pub label_names_file: Option<&'a Path>,
    pub validation_fraction: f64,
    pub seed: u64,
}

/// The training file's rows, its sorted labels and each row's targets.
fn read_training_rows(request: &SplitRequest<'_>) -> Result<(LabelledRows, Vec<String>, Targets)> {
    if let LabelLayout::Single = request.label_layout {
        let rows = read_labelled_csv(
            request.train_csv,
            request.text_column,
            request.label_column,
            request.label_names_column,
            request.dialect,
        )?;
        let labels = sorted_label_names(&rows.labels);
        if labels.len() < 2 {
            return Err(one_label_error(request.train_csv, &labels[0]));
        }
        let classes = encode_labels(&rows.labels, &labels)
            .into_iter()
            .map(|c| c.expect("own label"))
            .collect();
        return Ok((rows, labels, Targets::Classes(classes)));
    }
    let (rows, sets) = read_label_sets(
        request.train_csv,
        request.text_column,
        request.label_column,
        request.label_layout,
        request.dialect,
    )?;
    let labels = match request.label_layout {
        LabelLayout::Columns(columns) => distinct_columns(columns),
        _ => sorted_label_names(&sets.concat()),
    };
    if labels.len() < 2 {
        let only = labels.first().cloned().unwrap_or_default();
        return Err(one_label_error(request.train_csv, &only));
    }
    let (sets, _) = encode_label_sets(&sets, &labels);
    Ok((rows, labels, Targets::LabelSets(sets)))
}

fn one_label_error(path: &Path, label: &str) -> crate::error::EngineError {
    data_error(
        path,
        None,
        said!(
            "data_error.one_class",
            "every row has the same label (\"{label}\"); a classifier needs at least two \
             classes",
            label = label.to_string()
        ),
    )
}

/// Label sets as sorted indices into `labels`; the labels `labels` lacks are left out and
/// returned (sorted, once each).
fn encode_label_sets(sets: &[Vec<String>], labels: &[String]) -> (Vec<Vec<usize>>, Vec<String>) {
    let index: std::collections::BTreeMap<&str, usize> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    let mut unknown = std::collections::BTreeSet::new();
    let encoded = sets
        .iter()
        .map(|set| {
            let mut known: Vec<usize> = set
                .iter()
                .filter_map(|label| {
                    let id = index.get(label.as_str()).copied();
                    if id.is_none() {
                        unknown.insert(label.clone());
                    }
                    id
                })
                .collect();
            known.sort_unstable();
            known.dedup();
            known
        })
        .collect();
    (encoded, unknown.into_iter().collect())
}

/// The validation file's texts and targets (labels the training file lacks left out, with a
/// warning).
fn read_validation_file(
    path: &Path,
    request: &SplitRequest<'_>,
    labels: &[String],
    warnings: &mut Vec<Message>,
) -> Result<(Vec<String>, Targets)> {
    let (val, sets) = read_label_sets(
        path,
        request.text_column,
        request.label_column,
        request.label_layout,
        None,
    )?;
    let (sets, unseen) = encode_label_sets(&sets, labels);
    if !unseen.is_empty() {
        let (count, listed) = (
            unseen.len(),
            first_items(unseen.iter().map(String::as_str), 5),
        );
        warnings.push(match request.label_layout {
            LabelLayout::Single => Message::new(
                "data.unseen_validation_labels",
                format!(
                    "The validation file has {count} label(s) that the training file lacks ({listed}); those rows are left out of validation."
                ),
                [("count", count.into()), ("labels", listed.into())],
            ),
            _ => Message::new(
                "data.unseen_validation_labels_multi",
                format!(
                    "The validation file has {count} label(s) that the training file lacks ({listed}); the model cannot predict them, so they are left out of its rows."
                ),
                [("count", count.into()), ("labels", listed.into())],
            ),
        });
    }
    let no_known_label = || {
        data_error(
            path,
            None,
            said!(
                "data_error.no_known_validation_label",
                "no validation row has a label that the training file knows"
            ),
        )
    };
    if let LabelLayout::Single = request.label_layout {
        let (texts, classes): (Vec<String>, Vec<usize>) = val
            .texts
            .into_iter()
            .zip(sets)
            .filter_map(|(t, set)| set.first().map(|c| (t, *c)))
            .unzip();
        if texts.is_empty() {
            return Err(no_known_label());
        }
        return Ok((texts, Targets::Classes(classes)));
    }
    if sets.iter().all(Vec::is_empty) {
        return Err(no_known_label());
    }
    Ok((val.texts, Targets::LabelSets(sets)))
}

/// Reads, checks and splits the labelled rows, with warnings in plain words for what looks
/// wrong but does not stop training.
pub fn prepare_split(request: SplitRequest<'_>) -> Result<PreparedData> {
    let (mut rows, labels, targets) = read_training_rows(&request)?;
    let multi_label = targets.is_multi_label();
    let mut warnings = Vec::new();
    let label_names = match request.label_names_file {
        Some(file) => read_names_file(file)?,
        None => std::mem::take(&mut rows.names),
    };
    let label_names = names_of_classes(&labels, label_names, &mut warnings, &request);
    reading_warnings(&rows, &mut warnings);

    let (train_texts, train_targets, validation_texts, validation_targets, validation_file) =
        match request.validation_csv {
            Some(path) => {
                let (texts, val_targets) =
                    read_validation_file(path, &request, &labels, &mut warnings)?;
                (
                    rows.texts,
                    targets,
                    texts,
                    val_targets,
                    Some(path.display().to_string()),
                )
            }
            None => {
                let split = match &targets {
                    Targets::Classes(classes) => stratified_split(
                        classes,
                        labels.len(),
                        request.validation_fraction,
                        request.seed,
                    ),
                    Targets::LabelSets(sets) => iterative_split(
                        sets,
                        labels.len(),
                        request.validation_fraction,
                        request.seed,
                    ),
                };
                if !split.unsplittable_classes.is_empty() {
                    let names: Vec<&str> = split
                        .unsplittable_classes
                        .iter()
                        .map(|c| labels[*c].as_str())
                        .collect();
                    let (count, classes) = (names.len(), first_items(names.iter().copied(), 10));
                    warnings.push(if multi_label {
                        Message::new(
                            "data.labels_training_only",
                            format!(
                                "{count} label(s) have no row held out for validation (a single row, or rows that rarer labels needed for training), so their validation scores say nothing: {classes}."
                            ),
                            [("count", count.into()), ("classes", classes.into())],
                        )
                    } else {
                        Message::new(
                            "data.single_example_classes",
                            format!(
                                "{count} class(es) have a single example, so none of it can be held out for validation; they are used for training only: {classes}."
                            ),
                            [("count", count.into()), ("classes", classes.into())],
                        )
                    });
                }
                if split.validation.is_empty() {
                    return Err(data_error(
                        request.train_csv,
                        None,
                        said!(
                            "data_error.too_few_rows",
                            "there are too few rows to hold any out for validation; add rows or \
                             give a separate validation file"
                        ),
                    ));
                }
                let pick = |rows_: &[usize], texts: &[String]| {
                    rows_.iter().map(|r| texts[*r].clone()).collect::<Vec<_>>()
                };
                (
                    pick(&split.train, &rows.texts),
                    targets.pick(&split.train),
                    pick(&split.validation, &rows.texts),
                    targets.pick(&split.validation),
                    None,
                )
            }
        };
    let train_counts = train_targets.rows_per_label(labels.len());
    let validation_counts = validation_targets.rows_per_label(labels.len());
    let rare: Vec<&str> = (0..labels.len())
        .filter(|c| train_counts[*c] < 5)
        .map(|c| labels[c].as_str())
        .collect();
    if !rare.is_empty() {
        let (count, classes) = (rare.len(), first_items(rare.iter().copied(), 10));
        warnings.push(Message::new(
            "data.rare_classes",
            format!(
                "{count} class(es) have fewer than 5 training examples; the model will hardly learn them: {classes}."
            ),
            [("count", count.into()), ("classes", classes.into())],
        ));
    }
    let classes_summary = labels
        .iter()
        .enumerate()
        .map(|(c, l)| ClassCount {
            label: l.clone(),
            train: train_counts[c],
            validation: validation_counts[c],
        })
        .collect();
    let summary = DataSummary {
        train_file: request.train_csv.display().to_string(),
        validation_file,
        delimiter: rows.dialect.delimiter_name().into(),
        encoding: rows.dialect.encoding.label().into(),
        rows_read: rows.rows_read,
        skipped_empty_text: rows.skipped_empty_text,
        skipped_empty_label: rows.skipped_empty_label,
        train_rows: train_texts.len(),
        validation_rows: validation_texts.len(),
        classes: classes_summary,
        truncated_texts: 0,
        warnings,
        validation_fingerprint: Some(RowsFingerprint::of_targets(
            &validation_texts,
            &validation_targets,
            &labels,
        )),
        label_names,
        multi_label,
    };
    Ok(PreparedData {
        labels,
        train_texts,
        train_targets,
        validation_texts,
        validation_targets,
        summary,
    })
}

/// Remarks on how the file read: skipped rows, quotes left open, labels with spaces.
fn reading_warnings(rows: &LabelledRows, warnings: &mut Vec<Message>) {
    let skipped = rows.skipped_empty_text + rows.skipped_empty_label;
    if skipped > 0 {
        let (text, label) = (rows.skipped_empty_text, rows.skipped_empty_label);
        warnings.push(Message::new(
            "data.skipped_rows",
            format!(
                "{skipped} row(s) were skipped: {text} with an empty text, {label} with an empty label."
            ),
            [
                ("count", skipped.into()),
                ("empty_text", text.into()),
                ("empty_label", label.into()),
            ],
        ));
    }
    if let Some((n, line)) = rows.suspect_quotes {
        warnings.push(Message::new(
            "data.suspect_quotes",
            format!(
                "{n} text(s) run over several lines and contain a quote character (first at line {line}): a quote may be left open in the file, which merges the rows after it into one text. Check the quotes there."
            ),
            [("count", n.into()), ("line", line.into())],
        ));
    }
    if !rows.labels_with_spaces.is_empty() {
        let labels = rows.labels_with_spaces.join(", ");
        warnings.push(Message::new(
            "data.labels_with_spaces",
            format!(
                "Some labels had spaces around them and were trimmed, so \" A\" and \"A\" count as one class: {labels}."
            ),
            [("labels", labels.into())],
        ));
    }
}

/// The names of the classes there are; when names were asked for, a warning lists the classes
/// left without one (they show as their code).
fn names_of_classes(
    labels: &[String],
    mut names: LabelNames,
    warnings: &mut Vec<Message>,
    request: &SplitRequest<'_>,
) -> LabelNames {
    if request.label_names_file.is_none() && request.label_names_column.is_none() {
        return names;
    }
    names.retain(|code, _| labels.contains(code));
    let unnamed: Vec<&str> = labels
        .iter()
        .filter(|code| !names.contains_key(*code))
        .map(String::as_str)
        .collect();
    if !unnamed.is_empty() {
        let (count, labels) = (unnamed.len(), first_items(unnamed.iter().copied(), 10));
        warnings.push(match request.label_names_file {
            Some(file) => {
                let file = file.display().to_string();
                Message::new(
                    "data.unnamed_labels_in_file",
                    format!(
                        "{count} label(s) have no name in \"{file}\", so they show as their code: {labels}."
                    ),
                    [
                        ("count", count.into()),
                        ("file", file.into()),
                        ("labels", labels.into()),
                    ],
                )
            }
            None => Message::new(
                "data.unnamed_labels",
                format!("{count} label(s) have no name, so they show as their code: {labels}."),
                [("count", count.into()), ("labels", labels.into())],
            ),
        });
    }
    names
}

/// Texts longer than this many characters are flagged in the data check: at about four
/// characters per word piece they exceed the usual maximum lengths and will be cut.
const LONG_TEXT_CHARS: usize = 1000;

impl PreparedData {
    /// The summary with a warning about very long texts, for a data check made before any
    /// tokenizer is loaded (training itself counts the texts it cuts).
    pub fn summary_before_training(self) -> DataSummary {
        let mut summary = self.summary;
        let long = self
            .train_texts
            .iter()
            .chain(&self.validation_texts)
            .filter(|t| t.chars().count() > LONG_TEXT_CHARS)
            .count();
        if long > 0 {
            summary.warnings.push(Message::new(
                "data.long_texts",
                format!(
                    "{long} text(s) are longer than {LONG_TEXT_CHARS} characters; beyond the \
                     maximum length (max_seq_len, about 4 characters per token) they are cut."
                ),
                [
                    ("count", long.into()),
                    ("characters", LONG_TEXT_CHARS.into()),
                ],
            ));
        }
        summary
    }

    /// SHA-256 over the labels and every (text, class) pair of both sides, in order: a
    /// checkpoint keeps it, and a resume on rows that changed since is refused.
    pub fn fingerprint(&self) -> String {
        split_fingerprint(
            &self.labels,
            (&self.train_texts, &self.train_targets),
            (&self.validation_texts, &self.validation_targets),
        )
    }
}

fn split_fingerprint(
    labels: &[String],
    train: (&[String], &Targets),
    validation: (&[String], &Targets),
) -> String {
    let mut hash = Sha256::new();
    let mut field = |bytes: &[u8]| {
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(bytes);
    };
    for label in labels {
        field(label.as_bytes());
    }
    for (texts, targets) in [train, validation] {
        field(b"--");
        match targets {
            Targets::Classes(classes) => {
                for (text, class) in texts.iter().zip(classes) {
                    field(text.as_bytes());
                    field(&(*class as u64).to_le_bytes());
                }
            }
            // Marked apart: a row with the set {2} is other data than a row of class 2.
            Targets::LabelSets(sets) => {
                field(b"sets");
                for (text, set) in texts.iter().zip(sets) {
                    field(text.as_bytes());
                    field(&(set.len() as u64).to_le_bytes());
                    for label in set {
                        field(&(*label as u64).to_le_bytes());
                    }
                }
            }
        }
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_split_fingerprint_changes_with_any_text_or_class() {
        let c = |ids: &[usize]| Targets::Classes(ids.to_vec());
        let labels = vec!["A".to_string(), "B".to_string()];
        let texts = vec!["un".to_string(), "deux".to_string()];
        let base = split_fingerprint(&labels, (&texts, &c(&[0, 1])), (&texts[..1], &c(&[0])));
        assert_eq!(
            base,
            split_fingerprint(&labels, (&texts, &c(&[0, 1])), (&texts[..1], &c(&[0])))
        );
        assert_ne!(
            base,
            split_fingerprint(&labels, (&texts, &c(&[1, 1])), (&texts[..1], &c(&[0])))
        );
        let other = vec!["un".to_string(), "deuxx".to_string()];
        assert_ne!(
            base,
            split_fingerprint(&labels, (&other, &c(&[0, 1])), (&texts[..1], &c(&[0])))
        );
        // The same rows moved from training to validation are other data.
        assert_ne!(
            base,
            split_fingerprint(&labels, (&texts[..1], &c(&[0])), (&texts, &c(&[0, 1])))
        );
        // One label per row is not the same data as label sets of one label each.
        let sets = Targets::LabelSets(vec![vec![0], vec![1]]);
        let one = Targets::LabelSets(vec![vec![0]]);
        assert_ne!(
            base,
            split_fingerprint(&labels, (&texts, &sets), (&texts[..1], &one))
        );
    }
}
