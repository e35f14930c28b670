//! The weight of each class in the loss, for data where some classes are much rarer than
//! others: rows of a rare class count more, so the model does not learn to ignore it.

use std::collections::BTreeMap;
use std::path::Path;

use super::recipe::ClassWeights;
use crate::data::csv_input::{data_error, next_record, two_column_reader};
use crate::error::Result;
use crate::message::{Message, first_items};
use crate::said;

/// The loss's weights: one per class (in `labels` order), or `None` for the plain loss; and a
/// note for the data's warnings when a weights file names labels the data does not have.
#[derive(Debug, PartialEq)]
pub struct Weighting {
    pub weights: Option<Vec<f32>>,
    pub note: Option<Message>,
}

/// The weights the recipe asks for; `train_classes` holds each training row's class.
pub fn class_weights(
    choice: &ClassWeights,
    labels: &[String],
    train_classes: &[usize],
) -> Result<Weighting> {
    let weights = match choice {
        ClassWeights::None => None,
        ClassWeights::Balanced => Some(balanced_weights(labels.len(), train_classes)),
        ClassWeights::File(file) => return weights_from_file(Path::new(file), labels),
    };
    Ok(Weighting {
        weights,
        note: None,
    })
}

/// A file's weights for `labels` (unlisted labels weigh 1). A file that weighs none of the
/// data's labels is refused: it is most likely the file of other data.
fn weights_from_file(path: &Path, labels: &[String]) -> Result<Weighting> {
    let given = read_weights_file(path)?;
    let unknown: Vec<&str> = given
        .keys()
        .filter(|label| !labels.contains(label))
        .map(String::as_str)
        .collect();
    if unknown.len() == given.len() {
        let problem = match unknown.first() {
            None => said!(
                "data_error.weights_file_empty",
                "the weights file lists no label and weight"
            ),
            Some(first) => said!(
                "data_error.weights_file_foreign",
                "none of the labels in the weights file (such as \"{label}\") is a label of \
                 the data; is it the weights file of other data?",
                label = *first
            ),
        };
        return Err(data_error(path, None, problem));
    }
    let note = (!unknown.is_empty()).then(|| {
        said!(
            "data.weights_unknown_labels",
            "The weights file gives weights to {count} label(s) the data does not have ({labels}); \
             those weights are not used.",
            count = unknown.len(),
            labels = first_items(unknown.iter().copied(), 5)
        )
    });
    let weights = labels
        .iter()
        .map(|label| given.get(label).copied().unwrap_or(1.0))
        .collect();
    Ok(Weighting {
        weights: Some(weights),
        note,
    })
}

/// scikit-learn's `compute_class_weight("balanced")`: rows / (classes × rows of the class).
pub fn balanced_weights(classes: usize, train_classes: &[usize]) -> Vec<f32> {
    let mut counts = vec![0usize; classes];
    for &c in train_classes {
        counts[c] += 1;
    }
    let rows = train_classes.len() as f64;
    counts
        .iter()
        .map(|&n| (rows / (classes as f64 * n.max(1) as f64)) as f32)
        .collect()
}

/// A weights file: a header row, then a label in the first column and its weight (a positive
/// number) in the second.
fn read_weights_file(path: &Path) -> Result<BTreeMap<String, f32>> {
    let mut reader = two_column_reader(
        path,
        said!(
            "data_error.weights_file_columns",
            "a weights file needs two columns: the label, then its weight (for example \
             \"label,weight\")"
        ),
    )?;
    let mut weights = BTreeMap::new();
    let mut record = csv::StringRecord::new();
    while next_record(path, &mut reader, &mut record)? {
        let line = record.position().map(|p| p.line());
        let label = record.get(0).unwrap_or("").trim();
        let text = record.get(1).unwrap_or("").trim();
        if label.is_empty() {
            continue;
        }
        let weight = text.replace(',', ".").parse::<f32>().ok();
        match weight {
            Some(w) if w.is_finite() && w > 0.0 => {
                weights.insert(label.to_string(), w);
            }
            _ => {
                return Err(data_error(
                    path,
                    line,
                    said!(
                        "data_error.bad_weight",
                        "the weight of \"{label}\" is \"{text}\"; a weight is a positive number \
                         such as 2 or 0.5",
                        label = label,
                        text = text
                    ),
                ));
            }
        }
    }
    Ok(weights)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weights_file_names_some_labels_and_refuses_a_bad_weight() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("w.csv");
        std::fs::write(&file, "label;weight\nB;2,5\nZ;9\n").unwrap();
        let labels = ["A".to_string(), "B".to_string()];
        let choice = ClassWeights::File(file.display().to_string());
        let weighting = class_weights(&choice, &labels, &[0, 1]).unwrap();
        assert_eq!(weighting.weights, Some(vec![1.0, 2.5]));
        let note = weighting.note.expect("Z is not a label of the data");
        assert_eq!(note.id, "data.weights_unknown_labels");
        assert!(
            note.text.contains("1 label(s) the data does not have (Z)"),
            "{note}"
        );

        std::fs::write(&file, "label,weight\nB,0\n").unwrap();
        let err = class_weights(&choice, &labels, &[0, 1]).unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        assert!(err.to_string().contains("positive number"), "{err}");
    }

    #[test]
    fn a_weights_file_of_other_data_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("w.csv");
        let labels = ["A".to_string(), "B".to_string()];
        let choice = ClassWeights::File(file.display().to_string());
        for (content, words) in [
            ("label,weight\nX,2\nY,3\n", "such as \"X\""),
            ("label,weight\n", "lists no label"),
        ] {
            std::fs::write(&file, content).unwrap();
            let err = class_weights(&choice, &labels, &[0, 1]).unwrap_err();
            assert!(err.to_string().contains(words), "{err}");
        }
    }
}
