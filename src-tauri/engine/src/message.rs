//! Words for people in any language: a remark carries a stable id and the values it names
//! beside its English text, so the page says it in the user's language (its catalogue key is
//! `engine.<id>`) while the CLI prints the text as it is.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// Every id a `Message` may carry; each has an entry in both of the page's catalogues (checked
/// by a test below).
pub const MESSAGE_IDS: &[&str] = &[
    "data.skipped_rows",
    "data.suspect_quotes",
    "data.labels_with_spaces",
    "data.unseen_validation_labels",
    "data.single_example_classes",
    "data.rare_classes",
    "data.unnamed_labels",
    "data.unnamed_labels_in_file",
    "data.long_texts",
    "train.cut_texts",
    "train.other_backend",
];

/// A remark in plain words, with what the page needs to translate it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(from = "StoredMessage")]
pub struct Message {
    /// Stable across versions; empty for a remark written before ids existed (older reports).
    pub id: String,
    /// The values the text names: numbers stay numbers, so each language writes them its way
    /// (`count` also chooses the plural).
    #[ts(type = "Record<string, string | number>")]
    pub params: BTreeMap<String, Value>,
    /// The English text: the CLI's words, and the page's when it has none of its own.
    pub text: String,
}

impl Message {
    pub fn new<const N: usize>(id: &str, text: String, params: [(&str, Value); N]) -> Self {
        debug_assert!(MESSAGE_IDS.contains(&id), "unlisted message id {id}");
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

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
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
        for id in MESSAGE_IDS.iter().chain(crate::error::ERROR_IDS) {
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
        }
    }
}
