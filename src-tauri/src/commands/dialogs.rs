//! Native file and folder dialogs over the window: the page itself has no file-system access.
//! Their words come from the page's own catalogues, in the page's language.

use std::path::PathBuf;

use serde::Deserialize;
use tauri::WebviewWindow;
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

use super::language::dialog_word;

/// A native folder dialog over the window, titled by `dialogs.<title_key>`; `None` if the
/// user closed it.
pub(super) fn pick_folder(window: &WebviewWindow, title_key: &str) -> Option<PathBuf> {
    window
        .dialog()
        .file()
        .set_parent(window)
        .set_title(dialog_word(window, title_key))
        .blocking_pick_folder()
        .and_then(|p| p.into_path().ok())
}

/// What a file dialog is for: it sets the title and the file filter.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FilePurpose {
    TrainingData,
    ValidationData,
    /// A labelled file the saved models are evaluated on (Models → evaluate all).
    TestData,
    /// A CSV whose texts a model labels (Classify).
    TextsToClassify,
    /// A CSV of label codes and their names.
    LabelNames,
    Recipe,
    ModelFolder,
}

impl FilePurpose {
    /// The catalogue key of the dialog's title (`dialogs.<key>`).
    fn title_key(self) -> &'static str {
        match self {
            FilePurpose::TrainingData => "training_data",
            FilePurpose::ValidationData => "validation_data",
            FilePurpose::TestData => "test_data",
            FilePurpose::TextsToClassify => "texts_to_classify",
            FilePurpose::LabelNames => "label_names",
            FilePurpose::Recipe => "recipe",
            FilePurpose::ModelFolder => "model_folder",
        }
    }
}

/// A native dialog to pick a file (or a model folder); `None` if the user closed it.
#[tauri::command]
pub async fn choose_path(window: WebviewWindow, purpose: FilePurpose) -> Option<String> {
    let dialog = window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title(dialog_word(&window, purpose.title_key()));
    let picked = match purpose {
        FilePurpose::TrainingData
        | FilePurpose::ValidationData
        | FilePurpose::TestData
        | FilePurpose::TextsToClassify
        | FilePurpose::LabelNames => dialog
            .add_filter(dialog_word(&window, "csv_files"), &["csv", "tsv", "txt"])
            .blocking_pick_file(),
        FilePurpose::Recipe => dialog
            .add_filter(dialog_word(&window, "recipe_files"), &["json"])
            .blocking_pick_file(),
        FilePurpose::ModelFolder => dialog.blocking_pick_folder(),
    };
    picked
        .and_then(|p| p.into_path().ok())
        .map(|p| p.display().to_string())
}
