//! Native file and folder dialogs over the window: the page itself has no file-system access.

use std::path::PathBuf;

use serde::Deserialize;
use tauri::WebviewWindow;
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

/// A native folder dialog over the window; `None` if the user closed it.
pub(super) fn pick_folder(window: &WebviewWindow, title: &str) -> Option<PathBuf> {
    window
        .dialog()
        .file()
        .set_parent(window)
        .set_title(title)
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
    Recipe,
    ModelFolder,
}

impl FilePurpose {
    /// The title of the file dialog, in the words of the step that opens it.
    fn dialog_title(self) -> &'static str {
        match self {
            FilePurpose::TrainingData => "Choose the labelled CSV file",
            FilePurpose::ValidationData => "Choose the validation CSV file",
            FilePurpose::TestData => "Choose a labelled test file",
            FilePurpose::TextsToClassify => "Choose the CSV file to classify",
            FilePurpose::Recipe => "Open a recipe",
            FilePurpose::ModelFolder => "Choose a model folder",
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
        .set_title(purpose.dialog_title());
    let picked = match purpose {
        FilePurpose::TrainingData
        | FilePurpose::ValidationData
        | FilePurpose::TestData
        | FilePurpose::TextsToClassify => dialog
            .add_filter("CSV files", &["csv", "tsv", "txt"])
            .blocking_pick_file(),
        FilePurpose::Recipe => dialog
            .add_filter("Recipe (JSON)", &["json"])
            .blocking_pick_file(),
        FilePurpose::ModelFolder => dialog.blocking_pick_folder(),
    };
    picked
        .and_then(|p| p.into_path().ok())
        .map(|p| p.display().to_string())
}
