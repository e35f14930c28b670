//! Comparisons of library models, on their own validation data or on a labelled file, and
//! the error inspector.

use bert_studio_engine::EngineError;
use bert_studio_engine::compare::{CompareInput, Comparison, compare};
use bert_studio_engine::inference::{
    ClassifierOptions, EvaluateRequest, EvaluationReport, evaluate_csv,
};
use bert_studio_engine::train::CancelToken;
use serde::Deserialize;
use tauri::AppHandle;
use ts_rs::TS;

use super::{CommandResult, blocking, library, model_folder};

/// Compares library models on the validation data of their own runs.
#[tauri::command]
pub async fn compare_models(app: AppHandle, model_ids: Vec<String>) -> CommandResult<Comparison> {
    let library = library(&app)?;
    blocking(move || {
        let inputs = model_ids
            .iter()
            .map(|id| library.model(id).map(|m| CompareInput::from_library(&m)))
            .collect::<Result<Vec<_>, EngineError>>()?;
        Ok(compare(&inputs))
    })
    .await
}

/// What a labelled test file is, for evaluations.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct TestFile {
    pub path: String,
    pub text_column: Option<String>,
    pub label_column: String,
}

fn evaluation_request(test: &TestFile, max_misclassified: usize) -> EvaluateRequest {
    let mut request = EvaluateRequest::new(&test.path);
    request.text_column = test.text_column.clone();
    request.label_column = test.label_column.clone();
    request.top_k = 3;
    request.max_misclassified = max_misclassified;
    request
}

/// Evaluates every chosen model on one labelled file and compares them on it.
#[tauri::command]
pub async fn compare_on_file(
    app: AppHandle,
    model_ids: Vec<String>,
    test: TestFile,
) -> CommandResult<Comparison> {
    let library = library(&app)?;
    blocking(move || {
        let mut inputs = Vec::new();
        for id in &model_ids {
            let model = library.model(id)?;
            let evaluation = evaluate_csv(
                &model.entry.folder,
                &ClassifierOptions::default(),
                &evaluation_request(&test, 0),
                &mut |_| {},
                &CancelToken::new(),
            )?;
            inputs.push(CompareInput::from_evaluation(&model, &evaluation));
        }
        Ok(compare(&inputs))
    })
    .await
}

/// The error inspector: a model's misclassified rows of a labelled file, with its metrics.
#[tauri::command]
pub async fn inspect_errors(
    app: AppHandle,
    model_id: String,
    test: TestFile,
) -> CommandResult<EvaluationReport> {
    let folder = model_folder(&app, &model_id)?;
    blocking(move || {
        evaluate_csv(
            &folder.display().to_string(),
            &ClassifierOptions::default(),
            &evaluation_request(&test, 5_000),
            &mut |_| {},
            &CancelToken::new(),
        )
    })
    .await
}
