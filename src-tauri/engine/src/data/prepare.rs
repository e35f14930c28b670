//! From labelled CSV files to the rows a run learns and validates on: labels sorted and
//! encoded, the validation split (stratified) or file, and what the user should know about
//! the data (skipped rows, rare classes, suspect quotes) as a summary.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::csv_input::{CsvDialect, data_error};
use super::dataset::{encode_labels, read_labelled_csv, sorted_label_names, stratified_split};
use super::fingerprint::RowsFingerprint;
use super::label_names::{LabelNames, read_names_file};
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
}

/// Texts turned into class ids, split into training and validation.
pub struct PreparedData {
    /// The class names, sorted; classes are indices into it.
    pub labels: Vec<String>,
    pub train_texts: Vec<String>,
    pub train_classes: Vec<usize>,
    pub validation_texts: Vec<String>,
    pub validation_classes: Vec<usize>,
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
    /// Where the labels' names are: a column of the training file, or a names file.
    pub label_names_column: Option<&'a str>,
    pub label_names_file: Option<&'a Path>,
    pub validation_fraction: f64,
    pub seed: u64,
}

/// Reads, checks and splits the labelled rows, with warnings in plain words for what looks
/// wrong but does not stop training.
pub fn prepare_split(request: SplitRequest<'_>) -> Result<PreparedData> {
    let mut rows = read_labelled_csv(
        request.train_csv,
        request.text_column,
        request.label_column,
        request.label_names_column,
        request.dialect,
    )?;
    let labels = sorted_label_names(&rows.labels);
    if labels.len() < 2 {
        return Err(data_error(
            request.train_csv,
            None,
            said!(
                "data_error.one_class",
                "every row has the same label (\"{label}\"); a classifier needs at least two \
                 classes",
                label = labels[0].clone()
            ),
        ));
    }
    let classes: Vec<usize> = encode_labels(&rows.labels, &labels)
        .into_iter()
        .map(|c| c.expect("own label"))
        .collect();
    let mut warnings = Vec::new();
    let label_names = match request.label_names_file {
        Some(file) => read_names_file(file)?,
        None => std::mem::take(&mut rows.names),
    };
    let label_names = names_of_classes(&labels, label_names, &mut warnings, &request);
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

    let (train_texts, train_classes, validation_texts, validation_classes, validation_file) =
        match request.validation_csv {
            Some(path) => {
                let val =
                    read_labelled_csv(path, request.text_column, request.label_column, None, None)?;
                let ids = encode_labels(&val.labels, &labels);
                let unseen: std::collections::BTreeSet<&str> = val
                    .labels
                    .iter()
                    .zip(&ids)
                    .filter(|(_, id)| id.is_none())
                    .map(|(l, _)| l.as_str())
                    .collect();
                if !unseen.is_empty() {
                    let (count, labels) = (unseen.len(), first_items(unseen.iter().copied(), 5));
                    warnings.push(Message::new(
                        "data.unseen_validation_labels",
                        format!(
                            "The validation file has {count} label(s) that the training file lacks ({labels}); those rows are left out of validation."
                        ),
                        [("count", count.into()), ("labels", labels.into())],
                    ));
                }
                let (vt, vc): (Vec<String>, Vec<usize>) = val
                    .texts
                    .into_iter()
                    .zip(ids)
                    .filter_map(|(t, id)| id.map(|c| (t, c)))
                    .unzip();
                if vt.is_empty() {
                    return Err(data_error(
                        path,
                        None,
                        said!(
                            "data_error.no_known_validation_label",
                            "no validation row has a label that the training file knows"
                        ),
                    ));
                }
                (
                    rows.texts,
                    classes,
                    vt,
                    vc,
                    Some(path.display().to_string()),
                )
            }
            None => {
                let split = stratified_split(
                    &classes,
                    labels.len(),
                    request.validation_fraction,
                    request.seed,
                );
                if !split.unsplittable_classes.is_empty() {
                    let names: Vec<&str> = split
                        .unsplittable_classes
                        .iter()
                        .map(|c| labels[*c].as_str())
                        .collect();
                    let (count, classes) = (names.len(), first_items(names.iter().copied(), 10));
                    warnings.push(Message::new(
                        "data.single_example_classes",
                        format!(
                            "{count} class(es) have a single example, so none of it can be held out for validation; they are used for training only: {classes}."
                        ),
                        [("count", count.into()), ("classes", classes.into())],
                    ));
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
                let pick_c =
                    |rows_: &[usize]| rows_.iter().map(|r| classes[*r]).collect::<Vec<_>>();
                (
                    pick(&split.train, &rows.texts),
                    pick_c(&split.train),
                    pick(&split.validation, &rows.texts),
                    pick_c(&split.validation),
                    None,
                )
            }
        };
    let rare: Vec<&str> = (0..labels.len())
        .filter(|c| train_classes.iter().filter(|t| *t == c).count() < 5)
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
            train: train_classes.iter().filter(|t| **t == c).count(),
            validation: validation_classes.iter().filter(|t| **t == c).count(),
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
        validation_fingerprint: Some(RowsFingerprint::of_classes(
            &validation_texts,
            &validation_classes,
            &labels,
        )),
        label_names,
    };
    Ok(PreparedData {
        labels,
        train_texts,
        train_classes,
        validation_texts,
        validation_classes,
        summary,
    })
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
            (&self.train_texts, &self.train_classes),
            (&self.validation_texts, &self.validation_classes),
        )
    }
}

fn split_fingerprint(
    labels: &[String],
    train: (&[String], &[usize]),
    validation: (&[String], &[usize]),
) -> String {
    let mut hash = Sha256::new();
    let mut field = |bytes: &[u8]| {
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(bytes);
    };
    for label in labels {
        field(label.as_bytes());
    }
    for (texts, classes) in [train, validation] {
        field(b"--");
        for (text, class) in texts.iter().zip(classes) {
            field(text.as_bytes());
            field(&(*class as u64).to_le_bytes());
        }
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_split_fingerprint_changes_with_any_text_or_class() {
        let labels = vec!["A".to_string(), "B".to_string()];
        let texts = vec!["un".to_string(), "deux".to_string()];
        let base = split_fingerprint(&labels, (&texts, &[0, 1]), (&texts[..1], &[0]));
        assert_eq!(
            base,
            split_fingerprint(&labels, (&texts, &[0, 1]), (&texts[..1], &[0]))
        );
        assert_ne!(
            base,
            split_fingerprint(&labels, (&texts, &[1, 1]), (&texts[..1], &[0]))
        );
        let other = vec!["un".to_string(), "deuxx".to_string()];
        assert_ne!(
            base,
            split_fingerprint(&labels, (&other, &[0, 1]), (&texts[..1], &[0]))
        );
        // The same rows moved from training to validation are other data.
        assert_ne!(
            base,
            split_fingerprint(&labels, (&texts[..1], &[0]), (&texts, &[0, 1]))
        );
    }
}
