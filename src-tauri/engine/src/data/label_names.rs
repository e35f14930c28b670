//! What each label code means, for people: `46` → "Commerce de gros, à l'exception des
//! automobiles et des motocycles". Names come from a names file (`code,name`) or from a second
//! column of the training file; they are shown beside the codes everywhere and kept in the model
//! folder (`label_names.json`), while the model's own labels stay the codes unless the user asks.

use std::collections::BTreeMap;
use std::path::Path;

use super::csv_input::{data_error, next_record, two_column_reader};
use crate::error::{EngineError, Result};
use crate::said;

/// Label code → name.
pub type LabelNames = BTreeMap<String, String>;

/// The file of a model folder that keeps its label names.
pub const LABEL_NAMES_FILE: &str = "label_names.json";

/// A names file: a header row, then one row per label with its code in the first column and
/// its name in the second (further columns are ignored).
pub fn read_names_file(path: &Path) -> Result<LabelNames> {
    let mut reader = two_column_reader(
        path,
        said!(
            "data_error.names_file_columns",
            "a names file needs two columns: the label's code, then its name (for example \
             \"code,name\")"
        ),
    )?;
    let mut names = NameCollector::default();
    let mut record = csv::StringRecord::new();
    while next_record(path, &mut reader, &mut record)? {
        let line = record.position().map_or(0, |p| p.line());
        let code = record.get(0).unwrap_or("");
        let name = record.get(1).unwrap_or("");
        names.add(path, line, code, name)?;
    }
    if names.is_empty() {
        return Err(data_error(
            path,
            None,
            said!(
                "data_error.names_file_empty",
                "the names file has no row with both a code and a name"
            ),
        ));
    }
    Ok(names.finish())
}

/// Label names gathered row by row; a code given two different names is refused (the line of
/// each is said), since the app could not tell which one to show.
#[derive(Debug, Default)]
pub(crate) struct NameCollector {
    names: BTreeMap<String, (String, u64)>,
}

impl NameCollector {
    pub fn add(&mut self, path: &Path, line: u64, code: &str, name: &str) -> Result<()> {
        let (code, name) = (code.trim(), tidy(name));
        if code.is_empty() || name.is_empty() {
            return Ok(());
        }
        match self.names.get(code) {
            Some((earlier, _)) if *earlier == name => Ok(()),
            Some((earlier, earlier_line)) => Err(data_error(
                path,
                Some(line),
                said!(
                    "data_error.two_names",
                    "the label \"{code}\" is named \"{name}\" here but \"{earlier}\" on line \
                     {earlier_line}; give each label one name",
                    code = code,
                    name = name,
                    earlier = earlier.clone(),
                    earlier_line = *earlier_line
                ),
            )),
            None => {
                self.names.insert(code.to_string(), (name, line));
                Ok(())
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn finish(self) -> LabelNames {
        self.names
            .into_iter()
            .map(|(code, (name, _))| (code, name))
            .collect()
    }
}

/// Spaces and line breaks inside a name collapsed to one space, as a spreadsheet shows it.
fn tidy(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The names kept in a model folder; none when the folder has no names file (every model
/// trained before names existed, or without them) or it cannot be read.
pub fn read_model_label_names(folder: &Path) -> LabelNames {
    std::fs::read_to_string(folder.join(LABEL_NAMES_FILE))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Keeps `names` in the model folder (nothing is written when there are none).
pub fn write_model_label_names(folder: &Path, names: &LabelNames) -> Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    let path = folder.join(LABEL_NAMES_FILE);
    let text = serde_json::to_string_pretty(names).expect("a map of strings serialises");
    std::fs::write(&path, text).map_err(|e| EngineError::io("write", &path, e))
}

/// The model's labels when the user asks for the names to be its labels (`id2label`): each
/// code's name, or the code when it has none; a name two codes share gets its code after it,
/// since a model's labels must differ.
pub fn labels_named(codes: &[String], names: &LabelNames) -> Vec<String> {
    let name_of = |code: &String| names.get(code).cloned().unwrap_or_else(|| code.clone());
    let mut uses: BTreeMap<String, usize> = BTreeMap::new();
    for code in codes {
        *uses.entry(name_of(code)).or_default() += 1;
    }
    let labels: Vec<String> = codes
        .iter()
        .map(|code| {
            let name = name_of(code);
            if uses[&name] > 1 {
                format!("{name} ({code})")
            } else {
                name
            }
        })
        .collect();
    // A name can still equal another's "name (code)": then every name gets its code.
    let distinct: std::collections::BTreeSet<&String> = labels.iter().collect();
    if distinct.len() == labels.len() {
        return labels;
    }
    let with_codes: Vec<String> = codes
        .iter()
        .map(|code| match names.get(code) {
            Some(name) => format!("{name} ({code})"),
            None => code.clone(),
        })
        .collect();
    let distinct: std::collections::BTreeSet<&String> = with_codes.iter().collect();
    if distinct.len() == with_codes.len() {
        with_codes
    } else {
        codes.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_file(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("names.csv");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn a_names_file_gives_each_code_its_name_whatever_its_delimiter() {
        let (_dir, path) = names_file(
            "code;name\n01;\"Culture et production animale,\n chasse\"\n46;Commerce de gros \n;orphan\n",
        );
        let names = read_names_file(&path).unwrap();
        assert_eq!(names.len(), 2);
        assert_eq!(names["01"], "Culture et production animale, chasse");
        assert_eq!(names["46"], "Commerce de gros");
    }

    #[test]
    fn a_code_with_two_names_is_refused_with_both_lines() {
        let (_dir, path) = names_file("code,name\n46,Commerce\n47,Détail\n46,Autre\n");
        let message = read_names_file(&path).unwrap_err().to_string();
        assert!(message.contains("line 4"), "{message}");
        assert!(message.contains("\"Commerce\" on line 2"), "{message}");
    }

    #[test]
    fn a_file_of_one_column_is_not_a_names_file() {
        let (_dir, path) = names_file("code\n46\n47\n");
        assert!(read_names_file(&path).is_err());
    }

    #[test]
    fn names_as_labels_stay_distinct() {
        let codes: Vec<String> = ["01", "02", "03"].map(String::from).to_vec();
        let names: LabelNames = [("01", "Culture"), ("02", "Culture")]
            .map(|(c, n)| (c.to_string(), n.to_string()))
            .into();
        assert_eq!(
            labels_named(&codes, &names),
            ["Culture (01)", "Culture (02)", "03"]
        );
        // A name that reads like another's "name (code)" gets its own code too.
        let mut tricky = names.clone();
        tricky.insert("03".into(), "Culture (01)".into());
        assert_eq!(
            labels_named(&codes, &tricky),
            ["Culture (01)", "Culture (02)", "Culture (01) (03)"]
        );
    }

    #[test]
    fn names_round_trip_through_the_model_folder() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read_model_label_names(dir.path()).is_empty());
        let names: LabelNames = [("46".to_string(), "Commerce de gros".to_string())].into();
        write_model_label_names(dir.path(), &names).unwrap();
        assert_eq!(read_model_label_names(dir.path()), names);
    }
}
