//! BERT Studio's desktop shell: Tauri commands over the engine, one training job at a time,
//! progress forwarded to the page. No ML logic here.

mod commands;
mod hub_token;
mod inference_jobs;
mod jobs;

use tauri::{Emitter, Manager, WindowEvent};

pub use commands::{AppInfo, DataChoice, FilePurpose, TrainingStarted};
pub use jobs::TrainingJobs;

pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            // Runs killed mid-way (power cut, kill -9) leave hidden temporary folders behind.
            if let Ok(library) = commands::library(app.handle()) {
                library.remove_stale_partials();
            }
            Ok(())
        })
        .manage(TrainingJobs::default())
        .manage(inference_jobs::ClassifyJobs::default())
        .manage(inference_jobs::WarmClassifier::default())
        .on_window_event(|window, event| {
            // Closing while a model trains would lose the run: the page asks first.
            if let WindowEvent::CloseRequested { api, .. } = event
                && window.state::<TrainingJobs>().is_running()
            {
                api.prevent_close();
                let _ = window.emit("close-requested", ());
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::preview_data,
            commands::summarise_data,
            commands::recipe_problems,
            commands::model_status,
            commands::download_model,
            commands::start_training,
            commands::cancel_training,
            commands::hub_token_status,
            commands::save_hub_token,
            commands::forget_hub_token,
            commands::resume_training,
            commands::list_unfinished,
            commands::discard_unfinished,
            commands::list_models,
            commands::model_report,
            commands::export_model,
            commands::choose_path,
            commands::open_recipe,
            commands::save_recipe,
            commands::quit,
            commands::classify_file,
            commands::cancel_classification,
            commands::save_classified_as,
            commands::try_text,
            commands::rename_model,
            commands::delete_model,
            commands::reveal_model,
            commands::import_model,
            commands::compare_models,
            commands::compare_on_file,
            commands::inspect_errors,
        ])
        .run(tauri::generate_context!())
        .expect("error while running BERT Studio");
}
