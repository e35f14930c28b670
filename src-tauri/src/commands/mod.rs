//! The commands the page calls, one file per domain. Each is thin: it checks nothing the
//! engine checks, runs the engine function off the main thread, and turns engine errors into
//! `ErrorReport`s. Here: what they share, and the app-wide commands.

pub mod classify;
pub mod compare;
pub mod corrections;
pub mod data;
pub mod dialogs;
pub mod language;
pub mod library;
pub mod models;
pub mod search;
pub mod training;

use bert_studio_engine::message::Message;
use bert_studio_engine::said;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bert_studio_engine::catalog::{SuggestedModel, suggested_models};
use bert_studio_engine::fsutil::{free_csv_in, free_csv_near};
use bert_studio_engine::library::Library;
use bert_studio_engine::train::Recipe;
use bert_studio_engine::{EngineError, ErrorReport};
use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

use crate::jobs::TrainingJobs;

pub(crate) type CommandResult<T> = Result<T, ErrorReport>;

/// The library id of a model folder: its name.
pub(crate) fn library_id(folder: &Path) -> String {
    folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Runs blocking engine work on the thread pool, so the window never waits on it.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, EngineError> + Send + 'static,
) -> CommandResult<T> {
    blocking_app(move || work().map_err(ErrorReport::from)).await
}

/// `blocking` for the app's own work, which fails with an `ErrorReport` directly.
pub(crate) async fn blocking_app<T: Send + 'static>(
    work: impl FnOnce() -> CommandResult<T> + Send + 'static,
) -> CommandResult<T> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| {
            ErrorReport::said(
                "internal",
                said!(
                    "app.task_stopped",
                    "The task stopped unexpectedly: {detail}.",
                    detail = e.to_string()
                ),
                None,
            )
        })?
}

/// What the page needs once, at start.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    /// When this build was made (YYYY-MM-DD).
    pub build_date: String,
    /// The compute backends compiled in, in words.
    pub backends: Vec<Message>,
    pub library_folder: String,
    /// The bundled NACE sample (French activity descriptions → NACE division).
    pub sample_data: String,
    /// Where the sample's text comes from and on what terms it is reused.
    pub sample_data_licence: Message,
    /// The names of the sample's NACE divisions, one file per language ("en", "fr").
    pub sample_label_names: BTreeMap<String, String>,
    /// The reference notebook's hyperparameters.
    pub default_recipe: Recipe,
    pub suggested_models: Vec<SuggestedModel>,
    /// The system's preferred languages ("fr-FR"), best first, where the webview cannot tell
    /// (Linux); empty elsewhere.
    pub system_languages: Vec<String>,
}

/// The app's own data folder (the library is in it).
fn app_data(app: &AppHandle) -> CommandResult<PathBuf> {
    app.path().app_data_dir().map_err(|e| {
        ErrorReport::said(
            "io",
            said!(
                "app.no_data_folder",
                "This system has no folder for app data: {detail}.",
                detail = e.to_string()
            ),
            None,
        )
    })
}

pub fn library(app: &AppHandle) -> CommandResult<Library> {
    Ok(Library::at(app_data(app)?.join("models")))
}

/// Where the app writes a file made from the user's `source` (`<file>_<tag>.csv`, a number
/// added when taken): beside it, unless that folder cannot be written or holds the app's own
/// sample (an installed app's files; the source tree in development), then in the app's data
/// folder, under "copies".
pub(crate) fn free_csv_for(app: &AppHandle, source: &Path, tag: &str) -> CommandResult<PathBuf> {
    let copies = app_data(app)?.join("copies");
    let sample_folder = sample_data_path(app).parent().map(Path::to_path_buf);
    let in_sample_folder = source
        .parent()
        .zip(sample_folder)
        .is_some_and(|(folder, sample)| {
            std::fs::canonicalize(folder).ok() == std::fs::canonicalize(sample).ok()
        });
    let path = if in_sample_folder {
        free_csv_in(&copies, source, tag)
    } else {
        free_csv_near(source, tag, &copies)
    };
    path.map_err(ErrorReport::from)
}

/// The folder of a library model, or the page's error when there is no such model.
pub(crate) fn model_folder(app: &AppHandle, model_id: &str) -> CommandResult<PathBuf> {
    library(app)?.folder(model_id).map_err(ErrorReport::from)
}

fn sample_data_path(app: &AppHandle) -> PathBuf {
    sample_file(app, "nace_fr.csv")
}

/// A file of the bundled sample: among the app's resources, or in the source tree (`cargo run`).
fn sample_file(app: &AppHandle, name: &str) -> PathBuf {
    let bundled = app
        .path()
        .resolve(
            format!("sample/{name}"),
            tauri::path::BaseDirectory::Resource,
        )
        .ok()
        .filter(|p| p.is_file());
    bundled.unwrap_or_else(|| {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample")).join(name)
    })
}

#[tauri::command]
pub fn app_info(app: AppHandle) -> CommandResult<AppInfo> {
    Ok(AppInfo {
        version: bert_studio_engine::VERSION.into(),
        build_date: env!("BERT_STUDIO_BUILD_DATE").into(),
        backends: bert_studio_engine::backend::compiled_backends(),
        library_folder: library(&app)?.root().display().to_string(),
        sample_data: sample_data_path(&app).display().to_string(),
        sample_data_licence: said!(
            "app.sample_licence",
            "Eurostat, NACE Rev. 2 explanatory notes in French, © European Union: reuse is \
             allowed with acknowledgement of the source (Commission Decision 2011/833/EU)."
        ),
        sample_label_names: ["en", "fr"]
            .into_iter()
            .map(|lang| {
                let file = sample_file(&app, &format!("nace_names_{lang}.csv"));
                (lang.to_string(), file.display().to_string())
            })
            .collect(),
        default_recipe: Recipe::default(),
        suggested_models: suggested_models(),
        system_languages: language::system_languages(),
    })
}

/// CSV files opened with the app (at start, or handed over by a later start: the page hears
/// "files-opened") that the page has not taken yet.
#[tauri::command]
pub fn take_opened_files(opened: State<'_, crate::single_instance::OpenedFiles>) -> Vec<String> {
    opened.take()
}

/// The page confirmed closing while training: stop the run (its temporary folder is removed)
/// and close.
#[tauri::command]
pub async fn quit(app: AppHandle, jobs: State<'_, TrainingJobs>) -> CommandResult<()> {
    jobs.cancel_and_wait(std::time::Duration::from_secs(5));
    app.exit(0);
    Ok(())
}

/// The commands as the page calls them: through Tauri's IPC (mock runtime), with the page's
/// argument names and JSON, so a renamed argument or a type that no longer deserialises fails
/// here rather than in the window.
#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{INVOKE_KEY, MockRuntime, mock_builder, mock_context, noop_assets};
    use tauri::webview::InvokeRequest;
    use tauri::{App, WebviewWindow, WebviewWindowBuilder};

    use super::*;

    fn window() -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
        let app = mock_builder()
            .manage(TrainingJobs::default())
            .invoke_handler(tauri::generate_handler![
                data::preview_data,
                data::summarise_data,
                training::check_recipe,
                training::cancel_training,
            ])
            .build(mock_context(noop_assets()))
            .expect("the mock app builds");
        let window = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("a mock window");
        (app, window)
    }

    fn call(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
        tauri::test::get_ipc_response(
            window,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().expect("a JSON answer"))
    }

    fn sample() -> String {
        concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample/nace_fr.csv").to_string()
    }

    #[test]
    fn the_data_step_reads_the_sample_and_summarises_it() {
        let (_app, window) = window();
        let preview = call(
            &window,
            "preview_data",
            json!({ "path": sample(), "dialect": null }),
        )
        .expect("the sample is read");
        assert_eq!(preview["guessed_text_column"], "text");
        assert_eq!(preview["rows"].as_array().unwrap().len(), 20);
        let choice = json!({
            "train_csv": sample(),
            "validation_csv": null,
            "dialect": preview["dialect"],
            "recipe": serde_json::to_value(Recipe::default()).unwrap(),
        });
        let summary = call(&window, "summarise_data", json!({ "choice": choice })).unwrap();
        let rows = |key: &str| summary[key].as_u64().unwrap();
        assert_eq!(
            rows("train_rows") + rows("validation_rows"),
            rows("rows_read")
        );
        assert!(summary["classes"].as_array().unwrap().len() > 2);
    }

    #[test]
    fn errors_reach_the_page_as_an_error_report() {
        let (_app, window) = window();
        let error = call(
            &window,
            "preview_data",
            json!({ "path": "/no/such.csv", "dialect": null }),
        )
        .expect_err("a missing file is refused");
        assert_eq!(error["kind"], "io");
        assert!(
            error["message"].as_str().unwrap().contains("/no/such.csv"),
            "{error}"
        );
        assert!(error["hint"].is_string(), "{error}");
    }

    #[test]
    fn the_recipe_check_names_the_field_and_the_effective_batch() {
        let (_app, window) = window();
        let mut recipe = serde_json::to_value(Recipe::default()).unwrap();
        recipe["learning_rate"] = json!(2.0);
        recipe["gradient_accumulation_steps"] = json!(4);
        let check = call(&window, "check_recipe", json!({ "recipe": recipe })).unwrap();
        assert_eq!(check["problems"][0]["field"], "learning_rate");
        assert_eq!(check["effective_batch_size"], 64);
        // The page sends `jobId`; nothing runs, so nothing is cancelled.
        let cancelled = call(&window, "cancel_training", json!({ "jobId": 7 })).unwrap();
        assert_eq!(cancelled, json!(false));
    }
}
