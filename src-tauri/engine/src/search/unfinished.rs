//! Searches that stopped before every trial ran (cancelled, the app closed, the computer went
//! off): found from their saved plans, so that a search goes on as a whole, not trial by trial.

use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

use super::run::{SEARCH_FILE, SEARCH_REPORT_FILE, SearchPlan};
use crate::error::{EngineError, Result};
use crate::fsutil::file_name_of;
use crate::library::plain_id;
use crate::said;
use crate::train::checkpoint::REPORT_FILE;

/// A search with trials still to run, as a list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct UnfinishedSearch {
    /// Its plan's folder name (inside the folder of searches).
    pub id: String,
    pub train_file: String,
    pub base_model: String,
    pub learning_rates: Vec<f64>,
    pub epochs: Vec<usize>,
    pub trials: usize,
    /// Trials with a saved model.
    pub trials_done: usize,
    /// When its plan was saved (the search started).
    #[ts(type = "number")]
    pub started_unix: u64,
}

/// The searches of `searches` (a folder of plan folders) that did not run to their end and
/// have trials still to run, the most recent first. A plan that cannot be read is left out:
/// it is nobody's search to go on.
pub fn unfinished_searches(searches: &Path) -> Result<Vec<UnfinishedSearch>> {
    let entries = match std::fs::read_dir(searches) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(EngineError::io("read the folder", searches, e)),
    };
    let mut list: Vec<UnfinishedSearch> = entries
        .flatten()
        .filter_map(|entry| {
            let id = entry.file_name().to_string_lossy().into_owned();
            if entry.path().join(SEARCH_REPORT_FILE).is_file() {
                return None;
            }
            let plan = SearchPlan::load(&entry.path()).ok()?;
            let trials_done = plan.trials.iter().filter(|t| trial_done(&t.folder)).count();
            (trials_done < plan.trials.len()).then(|| UnfinishedSearch {
                id,
                train_file: file_name_of(&plan.train_csv.display().to_string()),
                base_model: plan.recipe.model.clone(),
                learning_rates: plan.space.learning_rates.clone(),
                epochs: plan.space.epochs.clone(),
                trials: plan.trials.len(),
                trials_done,
                started_unix: started_unix(&entry.path().join(SEARCH_FILE)),
            })
        })
        .collect();
    list.sort_by_key(|s| std::cmp::Reverse(s.started_unix));
    Ok(list)
}

/// The plan folder of search `id` in `searches`, refusing ids that would leave it.
pub fn search_folder(searches: &Path, id: &str) -> Result<PathBuf> {
    let folder = searches.join(id);
    if !plain_id(id) || !folder.join(SEARCH_FILE).is_file() {
        return Err(EngineError::invalid(said!(
            "invalid.no_such_search",
            "There is no search \"{id}\" to go on with.",
            id = id
        )));
    }
    Ok(folder)
}

/// Forgets search `id`: its plan goes; its trials' models stay in the library, and a trial
/// stopped midway stays an unfinished run of its own.
pub fn discard_search(searches: &Path, id: &str) -> Result<()> {
    let folder = search_folder(searches, id)?;
    std::fs::remove_dir_all(&folder).map_err(|e| EngineError::io("delete", &folder, e))
}

fn trial_done(folder: &str) -> bool {
    Path::new(folder).join(REPORT_FILE).is_file()
}

fn started_unix(path: &Path) -> u64 {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs())
}
