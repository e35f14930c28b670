//! Classification: a CSV file with a library model (progress, cancel, "Save as…"), and the
//! try-it box with a warm model.

use bert_studio_engine::said;
use std::path::{Path, PathBuf};

use bert_studio_engine::EngineError;
use bert_studio_engine::cancel::CancelToken;
use bert_studio_engine::explain::Explanation;
use bert_studio_engine::fsutil::{free_csv_beside, write_file_atomically};
use bert_studio_engine::inference::{
    ClassifierOptions, ClassifyEstimate, InferenceEvent, LabelScore, PredictRequest,
    PredictionSummary, estimate_classification as estimate, predict_csv,
};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, State, WebviewWindow};
use tauri_plugin_dialog::DialogExt;

use super::language::dialog_word;
use super::{CommandResult, blocking, free_csv_for, model_folder};
use crate::inference_jobs::{ClassifyJobs, LatestExplanation, WarmClassifier};

/// Classifies one CSV file with a library model into `<input>_classified.csv`; progress on
/// `on_events`; cancel with `cancel_classification(job_id)`.
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn classify_file(
    app: AppHandle,
    jobs: State<'_, ClassifyJobs>,
    job_id: u32,
    model_id: String,
    input: String,
    text_column: Option<String>,
    top_k: Option<usize>,
    on_events: Channel<InferenceEvent>,
) -> CommandResult<PredictionSummary> {
    let folder = model_folder(&app, &model_id)?;
    let cancel = jobs.register(job_id)?;
    let input = PathBuf::from(input);
    let mut request = PredictRequest::new(&input, free_csv_for(&app, &input, "classified")?);
    request.text_column = text_column;
    request.top_k = top_k.unwrap_or(3);
    let result = blocking(move || {
        let folder = folder.display().to_string();
        predict_csv(
            &folder,
            &ClassifierOptions::default(),
            &request,
            &mut |event| {
                let _ = on_events.send(event);
            },
            &cancel,
        )
    })
    .await;
    jobs.finish(job_id);
    result
}

/// One classification estimate at a time: files dropped together are timed one after the
/// other, so that none is slowed (and misjudged) by the others, and one model is loaded at once.
static ONE_ESTIMATE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// How long classifying `input` would take with a library model: the model is loaded and a
/// few hundred of the file's texts are classified (seconds); nothing is written.
#[tauri::command]
pub async fn estimate_classification(
    app: AppHandle,
    model_id: String,
    input: String,
    text_column: Option<String>,
) -> CommandResult<ClassifyEstimate> {
    let folder = model_folder(&app, &model_id)?;
    let mut request = PredictRequest::new(&input, free_csv_beside(Path::new(&input), "classified"));
    request.text_column = text_column;
    blocking(move || {
        let _turn = ONE_ESTIMATE_AT_A_TIME
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let folder = folder.display().to_string();
        estimate(
            &folder,
            &ClassifierOptions::default(),
            &request,
            &CancelToken::new(),
        )
    })
    .await
}

#[tauri::command]
pub fn cancel_classification(jobs: State<'_, ClassifyJobs>, job_id: u32) -> bool {
    jobs.cancel(job_id)
}

/// "Save as…" for a classified file: asks where, then moves it there. `None` if the user
/// closed the dialog.
#[tauri::command]
pub async fn save_classified_as(
    window: WebviewWindow,
    output: String,
    input: String,
    model_id: String,
) -> CommandResult<Option<String>> {
    let app = window.app_handle().clone();
    let folder = model_folder(&app, &model_id)?;
    let from = PathBuf::from(&output);
    let Some(to) = window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title(dialog_word(&window, "save_classified"))
        .set_file_name(
            from.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        )
        .add_filter(dialog_word(&window, "csv_files"), &["csv"])
        .blocking_save_file()
        .and_then(|p| p.into_path().ok())
    else {
        return Ok(None);
    };
    blocking(move || {
        if to == Path::new(&input) {
            return Err(EngineError::invalid(said!(
                "invalid.save_over_input",
                "That is the input file; choose another name so that your data stays as it is."
            )));
        }
        if to != from {
            move_file(&from, &to)?;
            // The preview's corrections of the file follow it.
            let to = to.display().to_string();
            super::corrections::change(&app, &folder, |kept| kept.file_moved(&output, &to))?;
        }
        Ok(Some(to.display().to_string()))
    })
    .await
}

/// Renames, or copies then removes across file systems; the destination is replaced whole.
fn move_file(from: &Path, to: &Path) -> Result<(), EngineError> {
    if std::fs::rename(from, to).is_ok() {
        return Ok(());
    }
    let bytes = std::fs::read(from).map_err(|e| EngineError::io("read", from, e))?;
    write_file_atomically(to, &bytes)?;
    std::fs::remove_file(from).map_err(|e| EngineError::io("remove", from, e))
}

/// Which words drove the score of each class of `classes` (none: the class the model gives
/// the text), for the try-it box and the error inspector. A newer request stops the one under
/// way.
#[tauri::command]
pub async fn explain_text(
    app: AppHandle,
    model_id: String,
    text: String,
    classes: Vec<String>,
) -> CommandResult<Vec<Explanation>> {
    let folder = model_folder(&app, &model_id)?;
    let cancel = app.state::<LatestExplanation>().start();
    let warm = app.clone();
    blocking(move || {
        warm.state::<WarmClassifier>().explain(
            &folder.display().to_string(),
            &text,
            &classes,
            &cancel,
        )
    })
    .await
}

/// The try-it box: the top labels of one text, with the model kept warm between calls.
#[tauri::command]
pub async fn try_text(
    app: AppHandle,
    model_id: String,
    text: String,
) -> CommandResult<Vec<LabelScore>> {
    let folder = model_folder(&app, &model_id)?;
    let warm = app.clone();
    blocking(move || {
        warm.state::<WarmClassifier>()
            .classify(&folder.display().to_string(), &text, 5)
    })
    .await
}
