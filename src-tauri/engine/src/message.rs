//! Words for people in any language: a remark carries a stable id and the values it names
//! beside its English text, so the page says it in the user's language (its catalogue key is
//! `engine.<id>`) while the CLI prints the text as it is.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// A remark in plain words, with what the page needs to translate it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(from = "StoredMessage")]
pub struct Message {
    /// Stable across versions; empty for a remark written before ids existed (older reports).
    pub id: String,
    /// The values the text names: numbers stay numbers, so each language writes them its way
    /// (`count` also chooses the plural).
    #[ts(type = "Record<string, unknown>")]
    pub params: BTreeMap<String, Value>,
    /// The English text: the CLI's words, and the page's when it has none of its own.
    pub text: String,
}

impl Message {
    pub fn new<const N: usize>(id: &str, text: String, params: [(&str, Value); N]) -> Self {
        Message {
            id: id.to_string(),
            params: params
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            text,
        }
    }
}

impl Message {
    /// Words with no catalogue entry: said as they are in every language (the CLI's own).
    pub fn plain(text: impl Into<String>) -> Self {
        Message {
            id: String::new(),
            params: BTreeMap::new(),
            text: text.into(),
        }
    }
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// A `Message` from its id, its English text and the values the text names, each once:
/// `said!("data_error.empty", "the file is empty")`,
/// `said!("invalid.top_k", "between 1 and {classes}", classes = labels.len())`.
/// The id's catalogue entry (`engine.<id>`, checked by a test) names the same values.
#[macro_export]
macro_rules! said {
    ($id:literal, $text:literal $(, $name:ident = $value:expr)* $(,)?) => {{
        $(#[allow(clippy::redundant_locals)] let $name = $value;)*
        $crate::message::Message::new(
            $id,
            format!($text),
            [$((stringify!($name), ::serde_json::json!($name))),*],
        )
    }};
}

/// A message as stored: in full, or the bare text older training reports hold.
#[derive(Deserialize)]
#[serde(untagged)]
enum StoredMessage {
    Full {
        id: String,
        #[serde(default)]
        params: BTreeMap<String, Value>,
        text: String,
    },
    Text(String),
}

impl From<StoredMessage> for Message {
    fn from(stored: StoredMessage) -> Self {
        match stored {
            StoredMessage::Full { id, params, text } => Message { id, params, text },
            StoredMessage::Text(text) => Message {
                id: String::new(),
                params: BTreeMap::new(),
                text,
            },
        }
    }
}

/// Up to `n` items joined by ", " (the lists in remarks stay short).
pub(crate) fn first_items<'a>(items: impl IntoIterator<Item = &'a str>, n: usize) -> String {
    items.into_iter().take(n).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_written_before_ids_still_reads() {
        let old: Vec<Message> = serde_json::from_str(r#"["2 row(s) were skipped."]"#).unwrap();
        assert_eq!(old[0].text, "2 row(s) were skipped.");
        assert!(old[0].id.is_empty());
        let new = Message::new(
            "data.rare_classes",
            "x".into(),
            [("count", 2.into()), ("classes", "03, 99".into())],
        );
        let back: Message = serde_json::from_str(&serde_json::to_string(&new).unwrap()).unwrap();
        assert_eq!(back, new);
    }

    /// The top-level arguments of a call whose `(` was just passed, string literals blanked.
    fn call_arguments(rest: &str) -> Vec<String> {
        let (mut arguments, mut current) = (Vec::new(), String::new());
        let (mut depth, mut in_string, mut escaped) = (1, false, false);
        for c in rest.chars() {
            if in_string {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => in_string = true,
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                break;
            }
            if c == ',' && depth == 1 {
                arguments.push(std::mem::take(&mut current));
            } else {
                current.push(c);
            }
        }
        arguments.push(current);
        arguments
    }

    /// The ids the sources give messages (`said!("id", …)`, `Message::new("id", …)`), engine
    /// and desktop shell alike, with the values a `said!` names (`name = value`).
    fn ids_in_sources() -> BTreeMap<String, Option<Vec<String>>> {
        fn visit(dir: &std::path::Path, ids: &mut BTreeMap<String, Option<Vec<String>>>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    visit(&path, ids);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for opening in ["said!(", "Message::new("] {
                        for rest in text.split(opening).skip(1) {
                            let Some(literal) = rest.trim_start().strip_prefix('"') else {
                                continue;
                            };
                            let id = literal.split('"').next().unwrap();
                            if !id.contains('.') || id.contains(' ') {
                                continue;
                            }
                            let named: Option<Vec<String>> = (opening == "said!(").then(|| {
                                call_arguments(rest)
                                    .iter()
                                    .skip(2)
                                    .filter_map(|a| a.split_once('='))
                                    .map(|(name, _)| name.trim().to_string())
                                    .collect()
                            });
                            // An id said in several places: each must give what its entry names.
                            let kept = match (ids.remove(id), named) {
                                (Some(Some(earlier)), Some(now)) => {
                                    Some(earlier.into_iter().filter(|n| now.contains(n)).collect())
                                }
                                (Some(earlier), None) => earlier,
                                (_, named) => named,
                            };
                            ids.insert(id.to_string(), kept);
                        }
                    }
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut ids = BTreeMap::new();
        visit(&root.join("src"), &mut ids);
        visit(&root.join("../src"), &mut ids);
        ids
    }

    /// Each id has a French and an English entry, and each names a value the other does.
    #[test]
    fn every_message_id_is_in_both_catalogues() {
        let catalogue = |language: &str| -> Value {
            let path = format!(
                "{}/../../ui/src/i18n/{language}.json",
                env!("CARGO_MANIFEST_DIR")
            );
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
        };
        let (en, fr) = (catalogue("en"), catalogue("fr"));
        let placeholders = |text: &str| -> Vec<String> {
            let mut names: Vec<String> = text
                .split("{{")
                .skip(1)
                .filter_map(|rest| rest.split("}}").next())
                .map(str::to_string)
                .collect();
            names.sort();
            names.dedup();
            names
        };
        let said = ids_in_sources();
        assert!(said.len() > 100, "the scan found too few ids: {said:?}");
        assert_eq!(said["data_error.two_names"].as_ref().unwrap().len(), 4);
        for id in said
            .keys()
            .map(String::as_str)
            .chain(crate::error::ERROR_IDS.iter().copied())
        {
            let (section, name) = id.split_once('.').unwrap();
            let entries = |c: &Value| -> Vec<String> {
                let group = &c["engine"][section];
                let forms: Vec<String> = ["", "_one", "_other"]
                    .iter()
                    .filter_map(|suffix| group[format!("{name}{suffix}")].as_str())
                    .map(str::to_string)
                    .collect();
                assert!(!forms.is_empty(), "engine.{id} missing from a catalogue");
                forms
            };
            let (en_forms, fr_forms) = (entries(&en), entries(&fr));
            let en_names = placeholders(&en_forms.concat());
            assert_eq!(
                en_names,
                placeholders(&fr_forms.concat()),
                "engine.{id}: the two languages name different values"
            );
            // What the catalogue names, the message gives: its values (`n` is `count` as the
            // language writes it; a data problem is said after its file and line).
            if let Some(Some(given)) = said.get(id) {
                let mut known = given.clone();
                if given.iter().any(|g| g == "count") {
                    known.push("n".into());
                }
                if section == "data_error" {
                    known.extend(["path".into(), "line".into()]);
                }
                for name in &en_names {
                    assert!(
                        known.contains(name),
                        "engine.{id} names {{{{{name}}}}}, which the message does not give"
                    );
                }
            }
        }
    }
}
