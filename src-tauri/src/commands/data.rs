//! The data step: how a CSV file is read, and what training would see in it.

use std::path::{Path, PathBuf};

use bert_studio_engine::data::{CsvDialect, CsvPreview, preview_csv};
use bert_studio_engine::source::HubSettings;
use bert_studio_engine::train::{DataSummary, Recipe, TrainingRequest, check_data};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{CommandResult, blocking};

/// Rows shown in the data step's table.
const PREVIEW_ROWS: usize = 20;

#[tauri::command]
pub async fn preview_data(path: String, dialect: Option<CsvDialect>) -> CommandResult<CsvPreview> {
    blocking(move || preview_csv(Path::new(&path), dialect, PREVIEW_ROWS)).await
}

/// What the data step asks about a file and a column mapping.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DataChoice {
    pub train_csv: String,
    pub validation_csv: Option<String>,
    pub dialect: Option<CsvDialect>,
    pub recipe: Recipe,
}

impl DataChoice {
    pub(super) fn request(self, output_dir: PathBuf, hub: HubSettings) -> TrainingRequest {
        TrainingRequest {
            recipe: self.recipe,
            train_csv: self.train_csv.into(),
            validation_csv: self.validation_csv.map(PathBuf::from),
            output_dir,
            dialect: self.dialect,
            hub,
            always_checkpoint: true,
            resume_from: None,
            cluster: Default::default(),
        }
    }
}

/// Classes, split and warnings of the chosen data and columns, before training.
#[tauri::command]
pub async fn summarise_data(choice: DataChoice) -> CommandResult<DataSummary> {
    blocking(move || check_data(&choice.request(PathBuf::new(), HubSettings::from_env()))).await
}
