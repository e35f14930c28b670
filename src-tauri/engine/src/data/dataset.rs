//! Labelled examples: rows of a CSV → texts and class ids, and the train/validation split.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::csv_input::{
    CsvDialect, csv_reader, data_error, next_record, read_headers, sniff_dialect,
};
use super::label_names::{LabelNames, NameCollector};
use crate::error::{EngineError, Result};
use crate::said;

/// The texts and labels of one CSV file, as read (labels still as text).
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledRows {
    pub path: PathBuf,
    pub dialect: CsvDialect,
    pub texts: Vec<String>,
    pub labels: Vec<String>,
    /// Data rows in the file (the header not counted).
    pub rows_read: usize,
    pub skipped_empty_text: usize,
    pub skipped_empty_label: usize,
    /// Labels that had spaces around them in some rows (" A" and "A" are one class).
    pub labels_with_spaces: Vec<String>,
    /// Texts that run over several lines and hold a quote character: the mark of a quote left
    /// open in the file (the next rows were swallowed into the text). (count, first line)
    pub suspect_quotes: Option<(usize, u64)>,
    /// Each label's name, from the names column when one was given.
    pub names: LabelNames,
}

impl LabelledRows {
    /// No rows yet, of the file at `path` read with `dialect`.
    pub(crate) fn empty(path: &Path, dialect: CsvDialect) -> Self {
        LabelledRows {
            path: path.to_path_buf(),
            dialect,
            texts: Vec::new(),
            labels: Vec::new(),
            rows_read: 0,
            skipped_empty_text: 0,
            skipped_empty_label: 0,
            labels_with_spaces: Vec::new(),
            suspect_quotes: None,
            names: LabelNames::new(),
        }
    }
}

/// What a column holds, for the message that says it is missing.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ColumnRole {
    Text,
    Label,
    LabelNames,
}

pub(crate) fn column_index(
    path: &Path,
    headers: &[String],
    wanted: &str,
    role: ColumnRole,
) -> Result<usize> {
    let matches: Vec<usize> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| h.as_str() == wanted)
        .map(|(i, _)| i)
        .collect();
    let columns = || {
        let quoted: Vec<String> = headers.iter().map(|h| format!("\"{h}\"")).collect();
        quoted.join(", ")
    };
    match matches.as_slice() {
        [i] => Ok(*i),
        [] => Err(data_error(
            path,
            Some(1),
            match role {
                ColumnRole::Text => said!(
                    "data_error.no_text_column",
                    "there is no column named \"{wanted}\" for the text. The columns are: \
                     {columns}. Choose it in the \"Text column\" setting.",
                    wanted = wanted,
                    columns = columns()
                ),
                ColumnRole::Label => said!(
                    "data_error.no_label_column",
                    "there is no column named \"{wanted}\" for the label. The columns are: \
                     {columns}. Choose it in the \"Label column\" setting.",
                    wanted = wanted,
                    columns = columns()
                ),
                ColumnRole::LabelNames => said!(
                    "data_error.no_names_column",
                    "there is no column named \"{wanted}\" for the label names. The columns \
                     are: {columns}. Choose it in the \"Label names\" setting.",
                    wanted = wanted,
                    columns = columns()
                ),
            },
        )),
        _ => Err(data_error(
            path,
            Some(1),
            said!(
                "data_error.repeated_column",
                "{count} columns are named \"{wanted}\"; rename them so that each name is used \
                 once",
                count = matches.len(),
                wanted = wanted
            ),
        )),
    }
}

pub(crate) fn same_columns_error(path: &Path) -> EngineError {
    data_error(
        path,
        Some(1),
        said!(
            "data_error.same_columns",
            "the text and the label must be two different columns"
        ),
    )
}

/// A row longer than the header: almost always a separator inside an unquoted text.
pub(crate) fn too_many_fields_error(
    path: &Path,
    line: Option<u64>,
    fields: usize,
    columns: usize,
) -> EngineError {
    data_error(
        path,
        line,
        said!(
            "data_error.too_many_fields",
            "this row has {fields} fields but the header names {columns} columns; a text \
             probably contains the separator without quotes around it: check the separator and \
             the quotes on this line",
            fields = fields,
            columns = columns
        ),
    )
}

pub(crate) fn no_rows_error(path: &Path) -> EngineError {
    data_error(
        path,
        None,
        said!(
            "data_error.no_rows",
            "the file has column names but no data rows"
        ),
    )
}

pub(crate) fn no_complete_row_error(
    path: &Path,
    count: usize,
    text_column: &str,
    label_column: &str,
) -> EngineError {
    data_error(
        path,
        None,
        said!(
            "data_error.no_complete_row",
            "none of its {count} rows has both a text (\"{text_column}\") and a label \
             (\"{label_column}\")",
            count = count,
            text_column = text_column,
            label_column = label_column
        ),
    )
}

/// Reads the text and label columns of a CSV file (and the labels' names from `names_column`,
/// when given). Rows with an empty text or label are skipped and counted. `dialect` overrides
/// the detected one.
pub fn read_labelled_csv(
    path: &Path,
    text_column: &str,
    label_column: &str,
    names_column: Option<&str>,
    dialect: Option<CsvDialect>,
) -> Result<LabelledRows> {
    read_label_column(
        path,
        text_column,
        label_column,
        names_column,
        dialect,
        false,
    )
}

/// `read_labelled_csv`; with `keep_empty_labels`, a row with an empty label cell is kept (a
/// multi-label row without any label) rather than skipped.
pub(crate) fn read_label_column(
    path: &Path,
    text_column: &str,
    label_column: &str,
    names_column: Option<&str>,
    dialect: Option<CsvDialect>,
    keep_empty_labels: bool,
) -> Result<LabelledRows> {
    let dialect = match dialect {
        Some(d) => d,
        None => sniff_dialect(path)?,
    };
    let mut reader = csv_reader(path, dialect)?;
    let headers = read_headers(path, &mut reader)?;
    let text_i = column_index(path, &headers, text_column, ColumnRole::Text)?;
    let label_i = column_index(path, &headers, label_column, ColumnRole::Label)?;
    let names_i = names_column
        .map(|name| column_index(path, &headers, name, ColumnRole::LabelNames))
        .transpose()?;
    if text_i == label_i {
        return Err(same_columns_error(path));
    }
    let mut out = LabelledRows::empty(path, dialect);
    let mut spaced = BTreeSet::new();
    let mut names = NameCollector::default();
    let mut record = csv::StringRecord::new();
    while next_record(path, &mut reader, &mut record)? {
        out.rows_read += 1;
        let line = record.position().map(|p| p.line());
        if record.len() > headers.len() {
            return Err(too_many_fields_error(
                path,
                line,
                record.len(),
                headers.len(),
            ));
        }
        let text = record.get(text_i).unwrap_or("").trim();
        if text.contains('\n') && text.contains('"') {
            let (n, first) = out.suspect_quotes.unwrap_or((0, line.unwrap_or(0)));
            out.suspect_quotes = Some((n + 1, first));
        }
        let raw_label = record.get(label_i).unwrap_or("");
        let label = raw_label.trim();
        if text.is_empty() {
            out.skipped_empty_text += 1;
            continue;
        }
        if label.is_empty() && !keep_empty_labels {
            out.skipped_empty_label += 1;
            continue;
        }
        if !label.is_empty() && label.len() != raw_label.len() {
            spaced.insert(label.to_string());
        }
        if let Some(i) = names_i {
            names.add(path, line.unwrap_or(0), label, record.get(i).unwrap_or(""))?;
        }
        out.texts.push(text.to_string());
        out.labels.push(label.to_string());
    }
    if out.rows_read == 0 {
        return Err(no_rows_error(path));
    }
    if out.texts.is_empty() {
        return Err(no_complete_row_error(
            path,
            out.rows_read,
            text_column,
            label_column,
        ));
    }
    out.labels_with_spaces = spaced.into_iter().collect();
    out.names = names.finish();
    Ok(out)
}

/// Class names in the order scikit-learn's LabelEncoder gives: sorted, numerically when every
/// label is a number.
pub fn sorted_label_names(labels: &[String]) -> Vec<String> {
    let distinct: BTreeSet<&str> = labels.iter().map(String::as_str).collect();
    let mut names: Vec<String> = distinct.into_iter().map(String::from).collect();
    let numbers: Option<Vec<f64>> = names.iter().map(|n| n.parse::<f64>().ok()).collect();
    if let Some(numbers) = numbers {
        let mut pairs: Vec<(f64, String)> = numbers.into_iter().zip(names).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        names = pairs.into_iter().map(|(_, n)| n).collect();
    }
    names
}

/// Class ids for `labels`, given the class names.
pub fn encode_labels(labels: &[String], names: &[String]) -> Vec<Option<usize>> {
    let index: BTreeMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    labels
        .iter()
        .map(|l| index.get(l.as_str()).copied())
        .collect()
}

/// Which rows train and which validate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Split {
    pub train: Vec<usize>,
    pub validation: Vec<usize>,
    /// Classes with fewer than two examples: they cannot be split, so they only train.
    pub unsplittable_classes: Vec<usize>,
}

/// A stratified, seeded split (as scikit-learn's StratifiedShuffleSplit): the validation set
/// takes `ceil(fraction × n)` rows, spread over the classes in proportion to their size.
pub fn stratified_split(
    class_ids: &[usize],
    num_classes: usize,
    fraction: f64,
    seed: u64,
) -> Split {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); num_classes];
    for (row, &c) in class_ids.iter().enumerate() {
        members[c].push(row);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let unsplittable: Vec<usize> = (0..num_classes)
        .filter(|c| members[*c].len() == 1)
        .collect();
    let eligible: Vec<usize> = (0..num_classes)
        .filter(|c| members[*c].len() >= 2)
        .collect();
    let n_eligible: usize = eligible.iter().map(|c| members[*c].len()).sum();
    let n_validation = ((fraction * n_eligible as f64).ceil() as usize)
        .min(n_eligible.saturating_sub(eligible.len()));

    // Largest-remainder apportionment; ties broken at random (seeded).
    let mut quota: BTreeMap<usize, usize> = BTreeMap::new();
    let mut remainders = Vec::new();
    for &c in &eligible {
        let exact = n_validation as f64 * members[c].len() as f64 / n_eligible.max(1) as f64;
        let floor = (exact.floor() as usize).min(members[c].len() - 1);
        quota.insert(c, floor);
        remainders.push((exact - floor as f64, c));
    }
    remainders.shuffle(&mut rng);
    remainders.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut missing = n_validation.saturating_sub(quota.values().sum());
    for (_, c) in remainders.iter().cycle().take(remainders.len() * 2) {
        if missing == 0 {
            break;
        }
        let q = quota.get_mut(c).expect("eligible class");
        if *q + 1 < members[*c].len() {
            *q += 1;
            missing -= 1;
        }
    }

    let mut train = Vec::with_capacity(class_ids.len());
    let mut validation = Vec::with_capacity(n_validation);
    for (c, rows) in members.iter_mut().enumerate() {
        rows.shuffle(&mut rng);
        let k = quota.get(&c).copied().unwrap_or(0);
        validation.extend_from_slice(&rows[..k]);
        train.extend_from_slice(&rows[k..]);
    }
    train.sort_unstable();
    validation.sort_unstable();
    Split {
        train,
        validation,
        unsplittable_classes: unsplittable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn labels_sort_like_label_encoder() {
        assert_eq!(
            sorted_label_names(&strings(&["b", "a", "C", "b"])),
            strings(&["C", "a", "b"])
        );
        assert_eq!(
            sorted_label_names(&strings(&["10", "9", "2.5"])),
            strings(&["2.5", "9", "10"])
        );
        let names = sorted_label_names(&strings(&["x", "y"]));
        assert_eq!(
            encode_labels(&strings(&["y", "z"]), &names),
            vec![Some(1), None]
        );
    }

    #[test]
    fn the_split_is_stratified_seeded_and_keeps_lone_examples_in_training() {
        // 3 classes of 40, 20, 10 examples and one class with a single example.
        let mut ids = Vec::new();
        for (c, n) in [(0, 40), (1, 20), (2, 10), (3, 1)] {
            ids.extend(std::iter::repeat_n(c, n));
        }
        let split = stratified_split(&ids, 4, 0.1, 42);
        assert_eq!(split.validation.len(), 7); // ceil(0.1 × 70) over the splittable classes
        let per_class = |rows: &[usize], c| rows.iter().filter(|r| ids[**r] == c).count();
        assert_eq!(per_class(&split.validation, 0), 4);
        assert_eq!(per_class(&split.validation, 1), 2);
        assert_eq!(per_class(&split.validation, 2), 1);
        assert_eq!(per_class(&split.validation, 3), 0);
        assert_eq!(split.unsplittable_classes, vec![3]);
        assert_eq!(split.train.len() + split.validation.len(), ids.len());
        assert_eq!(stratified_split(&ids, 4, 0.1, 42), split);
        assert_ne!(
            stratified_split(&ids, 4, 0.1, 7).validation,
            split.validation
        );
    }

    #[test]
    fn rows_are_read_skipped_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.csv");
        std::fs::write(
            &p,
            "id;text;label\n1;bonjour; A\n2;;B\n3;salut;\n4;\"deux\nlignes\";A \n5;x;B\n",
        )
        .unwrap();
        let rows = read_labelled_csv(&p, "text", "label", None, None).unwrap();
        assert_eq!(rows.texts, strings(&["bonjour", "deux\nlignes", "x"]));
        assert_eq!(rows.labels, strings(&["A", "A", "B"]));
        assert_eq!(
            (
                rows.rows_read,
                rows.skipped_empty_text,
                rows.skipped_empty_label
            ),
            (5, 1, 1)
        );
        assert_eq!(rows.labels_with_spaces, strings(&["A"]));

        let err = read_labelled_csv(&p, "texte", "label", None, None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no column named \"texte\"")
                && err.contains("\"id\", \"text\", \"label\""),
            "{err}"
        );
        assert!(err.contains("line 1"), "{err}");

        std::fs::write(&p, "text,label\n").unwrap();
        let err = read_labelled_csv(&p, "text", "label", None, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no data rows"), "{err}");

        std::fs::write(&p, "text,label,label\na,b,c\n").unwrap();
        let err = read_labelled_csv(&p, "text", "label", None, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("2 columns are named \"label\""), "{err}");
    }
}
