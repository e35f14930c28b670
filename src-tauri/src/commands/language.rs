//! The page's language as the shell knows it: which one the system prefers (read from the
//! environment on Linux, where WebKitGTK reports "en-US" unless the locale is installed), which
//! one the page chose, and the native dialogs' words in it, read from the page's own catalogues
//! (ui/src/i18n) so that a translator edits one file per language.

use std::sync::{Mutex, OnceLock};

use serde_json::Value;
use tauri::{Manager, WebviewWindow};

/// The page's language, as the page last said it ("en" until it does).
#[derive(Default)]
pub struct DialogLanguage(Mutex<Option<&'static str>>);

const LANGUAGES: [(&str, &str); 2] = [
    ("en", include_str!("../../../ui/src/i18n/en.json")),
    ("fr", include_str!("../../../ui/src/i18n/fr.json")),
];

/// `dialogs.<key>` of the catalogue of `language`, else of English, else the key itself.
fn catalogue_word(language: &str, key: &str) -> String {
    static PARSED: OnceLock<Vec<(&'static str, Value)>> = OnceLock::new();
    let parsed = PARSED.get_or_init(|| {
        LANGUAGES
            .iter()
            .map(|(name, text)| (*name, serde_json::from_str(text).unwrap_or(Value::Null)))
            .collect()
    });
    let lookup = |name: &str| {
        parsed
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, c)| c["dialogs"][key].as_str())
    };
    lookup(language)
        .or_else(|| lookup("en"))
        .unwrap_or(key)
        .to_string()
}

/// A dialog's word (`dialogs.<key>` in the catalogues) in the page's language.
pub fn dialog_word(window: &WebviewWindow, key: &str) -> String {
    let language = window
        .try_state::<DialogLanguage>()
        .and_then(|state| *state.0.lock().unwrap_or_else(|e| e.into_inner()));
    catalogue_word(language.unwrap_or("en"), key)
}

/// The page tells its language (at start and when the user switches).
#[tauri::command]
pub fn set_language(language: String, state: tauri::State<'_, DialogLanguage>) {
    let known = LANGUAGES
        .iter()
        .map(|(name, _)| *name)
        .find(|name| *name == language);
    *state.0.lock().unwrap_or_else(|e| e.into_inner()) = known;
}

/// The system's preferred languages as BCP 47 tags ("fr-FR"), best first. On Linux from the
/// environment as gettext reads it (LANGUAGE's list, then LC_ALL, LC_MESSAGES, LANG); elsewhere
/// empty, as the webview's own `navigator.languages` is right there.
pub fn system_languages() -> Vec<String> {
    if cfg!(all(unix, not(target_os = "macos"))) {
        languages_from(|name| std::env::var(name).ok())
    } else {
        Vec::new()
    }
}

fn languages_from(var: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let set = |name: &str| var(name).filter(|v| !v.is_empty());
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"].into_iter().find_map(set);
    // gettext ignores LANGUAGE when the locale is C.
    let list = match &locale {
        Some(l) if posix_tag(l).is_none() => None,
        _ => set("LANGUAGE"),
    };
    let mut tags: Vec<String> = Vec::new();
    for entry in list
        .iter()
        .flat_map(|l| l.split(':'))
        .chain(locale.as_deref())
    {
        if let Some(tag) = posix_tag(entry).filter(|t| !tags.contains(t)) {
            tags.push(tag);
        }
    }
    tags
}

/// "fr_FR.UTF-8@euro" → "fr-FR"; "C" and "POSIX" name no language.
fn posix_tag(locale: &str) -> Option<String> {
    let name = locale.split(['.', '@']).next()?.trim();
    (!name.is_empty() && name != "C" && name != "POSIX").then(|| name.replace('_', "-"))
}

#[cfg(test)]
mod tests {
    use super::{catalogue_word, languages_from};

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn the_systems_languages_are_read_as_gettext_reads_them() {
        assert_eq!(languages_from(env(&[("LANG", "fr_FR.UTF-8")])), ["fr-FR"]);
        assert_eq!(
            languages_from(env(&[("LANG", "de_DE.UTF-8"), ("LANGUAGE", "de_CH:fr:en")])),
            ["de-CH", "fr", "en", "de-DE"]
        );
        assert_eq!(
            languages_from(env(&[("LC_ALL", "fr_BE@euro"), ("LANG", "en_US.UTF-8")])),
            ["fr-BE"]
        );
        assert_eq!(
            languages_from(env(&[
                ("LC_MESSAGES", "fr_CA.UTF-8"),
                ("LANG", "en_GB.UTF-8")
            ])),
            ["fr-CA"]
        );
        // C locale: no language, and LANGUAGE is ignored as gettext does.
        assert!(languages_from(env(&[("LANG", "C.UTF-8"), ("LANGUAGE", "fr")])).is_empty());
        assert!(languages_from(env(&[])).is_empty());
    }

    #[test]
    fn dialog_words_come_from_the_pages_catalogues_in_its_language() {
        assert_eq!(catalogue_word("en", "recipe"), "Open a recipe");
        assert_eq!(catalogue_word("fr", "recipe"), "Ouvrir une recette");
        assert_eq!(catalogue_word("fr", "csv_files"), "Fichiers CSV");
        // A language the catalogues lack falls back to English; a missing key shows as itself.
        assert_eq!(catalogue_word("de", "recipe"), "Open a recipe");
        assert_eq!(catalogue_word("fr", "no_such_key"), "no_such_key");
        for purpose in [
            "training_data",
            "validation_data",
            "test_data",
            "texts_to_classify",
            "model_folder",
            "save_recipe",
            "save_classified",
            "recipe_files",
            "export_model",
            "import_model",
        ] {
            assert_ne!(catalogue_word("fr", purpose), purpose, "{purpose}");
            assert_ne!(
                catalogue_word("fr", purpose),
                catalogue_word("en", purpose),
                "{purpose}"
            );
        }
    }
}
