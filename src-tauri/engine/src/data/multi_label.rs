//! Multi-label rows: label cells holding several labels, or one 0/1 column per label; and the
//! split that keeps rare labels on both sides (iterative stratification).

use std::collections::BTreeSet;
use std::path::Path;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::csv_input::{
    CsvDialect, csv_reader, data_error, next_record, read_headers, sniff_dialect,
};
use super::dataset::{
    ColumnRole, LabelledRows, Split, column_index, no_complete_row_error, no_rows_error,
    read_label_column, read_labelled_csv, too_many_fields_error,
};
use crate::error::Result;
use crate::said;

/// How the labels of multi-label rows are written.
#[derive(Debug, Clone, Copy)]
pub enum LabelLayout<'a> {
    /// One label per row, in the label column.
    Single,
    /// The label column holds several labels separated by this text ("A|B").
    Separated(&'a str),
    /// One column of 0/1 per label; the column names are the labels.
    Columns(&'a [String]),
}

/// The labels of one cell: split at `separator`, trimmed, empty pieces and repeats dropped.
pub fn split_label_cell(cell: &str, separator: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    cell.split(separator)
        .map(str::trim)
        .filter(|label| !label.is_empty() && seen.insert(*label))
        .map(String::from)
        .collect()
}

/// Reads multi-label rows: the texts (with the counts and checks of `read_labelled_csv`) and
/// each row's labels as text.
pub fn read_label_sets(
    path: &Path,
    text_column: &str,
    label_column: &str,
    layout: LabelLayout<'_>,
    dialect: Option<CsvDialect>,
) -> Result<(LabelledRows, Vec<Vec<String>>)> {
    match layout {
        LabelLayout::Single => {
            let rows = read_labelled_csv(path, text_column, label_column, None, dialect)?;
            let sets = rows.labels.iter().map(|l| vec![l.clone()]).collect();
            Ok((rows, sets))
        }
        LabelLayout::Separated(separator) => {
            // An empty cell is a row with none of the labels, not a row to skip.
            let rows = read_label_column(path, text_column, label_column, None, dialect, true)?;
            if separator.len() == 1 && separator.as_bytes()[0] == rows.dialect.delimiter {
                return Err(data_error(
                    path,
                    None,
                    said!(
                        "data_error.separator_is_delimiter",
                        "the label separator \"{separator}\" is also the file's column \
                         separator; choose another label separator (for example \"|\" or \";\")",
                        separator = separator
                    ),
                ));
            }
            let sets = rows
                .labels
                .iter()
                .map(|cell| split_label_cell(cell, separator))
                .collect();
            Ok((rows, sets))
        }
        LabelLayout::Columns(columns) => {
            read_label_columns(path, text_column, &distinct_columns(columns), dialect)
        }
    }
}

/// The label columns once each, in the order given (a column named twice is one label).
pub fn distinct_columns(columns: &[String]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    columns
        .iter()
        .filter(|c| seen.insert(c.as_str()))
        .cloned()
        .collect()
}

/// Rows with one 0/1 column per label ("1", "true", "yes" or "0", "false", "no", or empty).
fn read_label_columns(
    path: &Path,
    text_column: &str,
    columns: &[String],
    dialect: Option<CsvDialect>,
) -> Result<(LabelledRows, Vec<Vec<String>>)> {
    let dialect = match dialect {
        Some(d) => d,
        None => sniff_dialect(path)?,
    };
    let mut reader = csv_reader(path, dialect)?;
    let headers = read_headers(path, &mut reader)?;
    let text_i = column_index(path, &headers, text_column, ColumnRole::Text)?;
    let label_is = columns
        .iter()
        .map(|c| column_index(path, &headers, c, ColumnRole::Label))
        .collect::<Result<Vec<usize>>>()?;
    let mut out = LabelledRows::empty(path, dialect);
    let mut sets = Vec::new();
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
        let set = labels_in_record(path, line, &record, columns, &label_is)?;
        if text.is_empty() {
            out.skipped_empty_text += 1;
            continue;
        }
        out.texts.push(text.to_string());
        sets.push(set);
    }
    if out.rows_read == 0 {
        return Err(no_rows_error(path));
    }
    if out.texts.is_empty() {
        return Err(no_complete_row_error(
            path,
            out.rows_read,
            text_column,
            &columns.join(", "),
        ));
    }
    Ok((out, sets))
}

/// The labels whose 0/1 column says yes in `record` (`at`: each label's column index).
pub fn labels_in_record(
    path: &Path,
    line: Option<u64>,
    record: &csv::StringRecord,
    labels: &[String],
    at: &[usize],
) -> Result<Vec<String>> {
    let mut set = Vec::new();
    for (label, &i) in labels.iter().zip(at) {
        if zero_one_cell(path, line, label, record.get(i).unwrap_or(""))? {
            set.push(label.clone());
        }
    }
    Ok(set)
}

/// Where a model trained on one 0/1 column per label finds its columns in another file: one
/// column named as each of its labels.
pub fn model_label_columns(
    path: &Path,
    headers: &[String],
    labels: &[String],
) -> Result<Vec<usize>> {
    let missing: Vec<String> = labels
        .iter()
        .filter(|l| !headers.contains(l))
        .map(|l| format!("\"{l}\""))
        .collect();
    if !missing.is_empty() {
        return Err(data_error(
            path,
            Some(1),
            said!(
                "data_error.no_model_label_columns",
                "this model was trained on one 0/1 column per label and the file lacks the \
                 columns {missing}; a file to evaluate it on needs a column named as each of its \
                 labels ({labels})",
                missing = missing.join(", "),
                labels = labels.join(", ")
            ),
        ));
    }
    labels
        .iter()
        .map(|l| column_index(path, headers, l, ColumnRole::Label))
        .collect()
}

/// A 0/1 label cell: "1", "true", "yes" (the row has the label) or "0", "false", "no",
/// nothing (it has not); anything else is refused, naming the line and the column.
pub fn zero_one_cell(path: &Path, line: Option<u64>, column: &str, cell: &str) -> Result<bool> {
    let cell = cell.trim();
    match cell.to_ascii_lowercase().as_str() {
        "1" | "1.0" | "true" | "yes" => Ok(true),
        "0" | "0.0" | "false" | "no" | "" => Ok(false),
        _ => Err(data_error(
            path,
            line,
            said!(
                "data_error.not_zero_one",
                "the label column \"{column}\" holds \"{value}\"; a label column holds 1 when \
                 the row has the label and 0 (or nothing) when not",
                column = column.to_string(),
                value = cell.to_string()
            ),
        )),
    }
}

/// A seeded split of multi-label rows by iterative stratification (Sechidis, Tsoumakas and
/// Vlahavas, 2011): the rarest label's rows are placed first, each where that label is most
/// wanted, so that every label is spread in proportion. The validation side wants
/// `ceil(fraction × rows)` rows and at least one row of each label that has two; a label whose
/// rows all had to go to training (they were placed for rarer labels first) is listed in
/// `unsplittable_classes` with the labels of a single row.
pub fn iterative_split(sets: &[Vec<usize>], labels: usize, fraction: f64, seed: u64) -> Split {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = sets.len();
    let mut rows_of: Vec<Vec<usize>> = vec![Vec::new(); labels];
    for (row, set) in sets.iter().enumerate() {
        set.iter().for_each(|l| rows_of[*l].push(row));
    }
    let validation_rows = ((fraction * n as f64).ceil() as usize).min(n.saturating_sub(1));
    // Wanted rows per side (0 = training, 1 = validation), overall and per label.
    let wanted = [(n - validation_rows) as f64, validation_rows as f64];
    let wanted_of: Vec<[f64; 2]> = rows_of
        .iter()
        .map(|rows| {
            let total = rows.len() as f64;
            let validation = if rows.len() >= 2 {
                (fraction * total).clamp(1.0, total - 1.0)
            } else {
                0.0
            };
            [total - validation, validation]
        })
        .collect();
    let mut placing = Placing {
        sets,
        side: vec![None; n],
        remaining: rows_of.iter().map(Vec::len).collect(),
        wanted,
        wanted_of,
    };
    loop {
        // The label with the fewest rows left to place (ties at random).
        let mut open: Vec<usize> = (0..labels).filter(|l| placing.remaining[*l] > 0).collect();
        if open.is_empty() {
            break;
        }
        open.shuffle(&mut rng);
        let label = *open
            .iter()
            .min_by_key(|l| placing.remaining[**l])
            .expect("an open label");
        let mut rows: Vec<usize> = rows_of[label]
            .iter()
            .copied()
            .filter(|r| placing.side[*r].is_none())
            .collect();
        rows.shuffle(&mut rng);
        for row in rows {
            let [train, validation] = placing.wanted_of[label];
            let [train_all, validation_all] = placing.wanted;
            let to = if validation != train {
                usize::from(validation > train)
            } else if validation_all != train_all {
                usize::from(validation_all > train_all)
            } else {
                usize::from(rng.random_bool(0.5))
            };
            placing.place(row, to);
        }
    }
    // Rows without any label go where rows are still wanted.
    let mut unlabelled: Vec<usize> = (0..n).filter(|r| placing.side[*r].is_none()).collect();
    unlabelled.shuffle(&mut rng);
    for row in unlabelled {
        let to = usize::from(placing.wanted[1] > placing.wanted[0]);
        placing.place(row, to);
    }
    let side = placing.side;
    let (mut train, mut validation) = (Vec::new(), Vec::new());
    for (row, s) in side.iter().enumerate() {
        if *s == Some(1) {
            validation.push(row);
        } else {
            train.push(row);
        }
    }
    let unsplittable_classes = (0..labels)
        .filter(|l| {
            let rows = &rows_of[*l];
            !rows.is_empty() && rows.iter().all(|r| side[*r] == Some(0))
        })
        .collect();
    Split {
        train,
        validation,
        unsplittable_classes,
    }
}

/// Where the rows placed so far went, and what each side still wants.
struct Placing<'a> {
    sets: &'a [Vec<usize>],
    /// 0: training, 1: validation; `None` until placed.
    side: Vec<Option<usize>>,
    /// Rows of each label not yet placed.
    remaining: Vec<usize>,
    wanted: [f64; 2],
    wanted_of: Vec<[f64; 2]>,
}

impl Placing<'_> {
    fn place(&mut self, row: usize, to: usize) {
        self.side[row] = Some(to);
        self.wanted[to] -= 1.0;
        for l in &self.sets[row] {
            self.wanted_of[*l][to] -= 1.0;
            self.remaining[*l] -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_iterative_split_keeps_rare_labels_on_both_sides_and_spreads_the_others() {
        // 400 rows over 12 labels: frequent ones co-occurring, rare ones (2, 3 and 4 rows),
        // some rows without any label, one label of a single row.
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let mut sets: Vec<Vec<usize>> = (0..400)
            .map(|_| {
                let mut set: Vec<usize> = (0..8)
                    .filter(|l| rng.random_bool(0.05 + 0.04 * *l as f64))
                    .collect();
                set.dedup();
                set
            })
            .collect();
        for (label, rows) in [(8, 2), (9, 3), (10, 4), (11, 1)] {
            for k in 0..rows {
                sets[label * 20 + k * 7].push(label);
            }
        }
        sets.iter_mut().for_each(|s| s.sort_unstable());
        let split = iterative_split(&sets, 12, 0.2, 42);
        assert_eq!(split.validation.len(), 80);
        assert_eq!(split.train.len() + split.validation.len(), 400);
        let count =
            |rows: &[usize], l: usize| rows.iter().filter(|r| sets[**r].contains(&l)).count();
        for l in 8..11 {
            assert!(
                count(&split.validation, l) >= 1 && count(&split.train, l) >= 1,
                "label {l}"
            );
        }
        assert_eq!(split.unsplittable_classes, vec![11]);
        // Each frequent label's validation share is close to 0.2.
        for l in 0..8 {
            let (v, all) = (
                count(&split.validation, l),
                count(&split.train, l) + count(&split.validation, l),
            );
            let share = v as f64 / all as f64;
            assert!((share - 0.2).abs() < 0.05, "label {l}: {v} of {all}");
        }
        assert_eq!(iterative_split(&sets, 12, 0.2, 42), split, "seeded");
        assert_ne!(
            iterative_split(&sets, 12, 0.2, 1).validation,
            split.validation
        );
    }

    #[test]
    fn cells_split_trim_and_drop_repeats() {
        assert_eq!(split_label_cell(" A | B|A||", "|"), vec!["A", "B"]);
        assert_eq!(split_label_cell("x", "|"), vec!["x"]);
        assert!(split_label_cell(" | ", "|").is_empty());
        assert_eq!(split_label_cell("10 ; 47", ";"), vec!["10", "47"]);
    }

    #[test]
    fn label_columns_are_read_as_sets_and_bad_cells_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.csv");
        std::fs::write(
            &p,
            "text,sport,politics\nmatch,1,0\nvote,0,yes\nboth,true,1\nnone,,\n,1,1\n",
        )
        .unwrap();
        let columns = vec!["sport".to_string(), "politics".to_string()];
        let (rows, sets) =
            read_label_sets(&p, "text", "", LabelLayout::Columns(&columns), None).unwrap();
        assert_eq!(rows.texts, vec!["match", "vote", "both", "none"]);
        assert_eq!(
            sets,
            vec![
                vec!["sport"],
                vec!["politics"],
                vec!["sport", "politics"],
                vec![]
            ]
        );
        assert_eq!((rows.rows_read, rows.skipped_empty_text), (5, 1));
        std::fs::write(&p, "text,sport,politics\nmatch,1,0\nvote,0,maybe\n").unwrap();
        let err = read_label_sets(&p, "text", "", LabelLayout::Columns(&columns), None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"politics\" holds \"maybe\"") && err.contains("line 3"),
            "{err}"
        );
    }

    #[test]
    fn an_empty_label_cell_is_a_row_without_labels_and_repeated_columns_are_one_label() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.csv");
        std::fs::write(&p, "text,label\nclean,\nrude,insult | threat\n").unwrap();
        let (rows, sets) =
            read_label_sets(&p, "text", "label", LabelLayout::Separated("|"), None).unwrap();
        assert_eq!(sets, vec![vec![], vec!["insult", "threat"]]);
        assert_eq!(
            (rows.skipped_empty_label, rows.labels_with_spaces.len()),
            (0, 0)
        );
        std::fs::write(&p, "text,a,b\nx,1,0\n").unwrap();
        let columns: Vec<String> = ["a", "a", "b"].iter().map(|s| s.to_string()).collect();
        let (_, sets) =
            read_label_sets(&p, "text", "", LabelLayout::Columns(&columns), None).unwrap();
        assert_eq!(sets, vec![vec!["a"]]);
    }

    #[test]
    fn a_separator_that_is_the_files_delimiter_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.csv");
        std::fs::write(&p, "text;label\na;\"x;y\"\nb;x\n").unwrap();
        let err = read_label_sets(&p, "text", "label", LabelLayout::Separated(";"), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("also the file's column separator"), "{err}");
        let (_, sets) =
            read_label_sets(&p, "text", "label", LabelLayout::Separated("y"), None).unwrap();
        assert_eq!(sets, vec![vec!["x;"], vec!["x"]]);
    }
}
