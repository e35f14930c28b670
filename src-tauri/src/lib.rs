//! BERT Studio's desktop shell: Tauri commands over the engine, one training job at a time,
//! progress forwarded to the page. No ML logic here.

mod commands;
mod hub_token;
mod inference_jobs;
mod jobs;
mod single_instance;

use tauri::{Emitter, Manager, WindowEvent};

pub use commands::AppInfo;
pub use commands::data::DataChoice;
pub use commands::dialogs::FilePurpose;
pub use commands::training::TrainingStarted;
pub use jobs::TrainingJobs;

pub fn run() {
    let files = single_instance::files_from_args(std::env::args_os().skip(1));
    let endpoint = match single_instance::start(&single_instance::default_place(), &files) {
        single_instance::Start::HandedOver => return,
        single_instance::Start::First(endpoint) => endpoint,
    };
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(single_instance::OpenedFiles::new(&files))
        .setup(move |app| {
            if let Some(endpoint) = endpoint {
                let handle = app.handle().clone();
                endpoint.serve(move |paths| {
                    handle.state::<single_instance::OpenedFiles>().add(paths);
                    let _ = handle.emit("files-opened", ());
                    if let Some(window) = handle.get_webview_window("main") {
                        let _ = window.unminimize();
                        let _ = window.set_focus();
                    }
                });
            }
            if let Ok(cache) = app.path().app_cache_dir() {
                bert_studio_engine::backend::keep_gpu_caches_in(&cache);
            }
            // Runs killed mid-way (power cut, kill -9) leave hidden temporary folders behind.
            if let Ok(library) = commands::library(app.handle()) {
                library.remove_stale_partials();
            }
            Ok(())
        })
        .manage(TrainingJobs::default())
        .manage(commands::training::EstimateInFlight::default())
        .manage(commands::language::DialogLanguage::default())
        .manage(inference_jobs::ClassifyJobs::default())
        .manage(inference_jobs::WarmClassifier::default())
        .manage(inference_jobs::LatestExplanation::default())
        .manage(commands::corrections::CorrectionsLock::default())
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
            commands::take_opened_files,
            commands::data::preview_data,
            commands::data::summarise_data,
            commands::training::check_recipe,
            commands::training::estimate_training,
            commands::models::model_status,
            commands::models::download_model,
            commands::training::start_training,
            commands::search::start_search,
            commands::search::resume_search,
            commands::search::list_unfinished_searches,
            commands::search::discard_unfinished_search,
            commands::training::cancel_training,
            commands::models::hub_token_status,
            commands::models::save_hub_token,
            commands::models::forget_hub_token,
            commands::training::resume_training,
            commands::training::list_unfinished,
            commands::training::discard_unfinished,
            commands::library::list_models,
            commands::library::model_report,
            commands::library::export_model,
            commands::dialogs::choose_path,
            commands::language::set_language,
            commands::training::open_recipe,
            commands::training::save_recipe,
            commands::quit,
            commands::classify::classify_file,
            commands::classify::estimate_classification,
            commands::classify::cancel_classification,
            commands::classify::save_classified_as,
            commands::classify::try_text,
            commands::classify::explain_text,
            commands::corrections::list_corrections,
            commands::corrections::correct_row,
            commands::corrections::undo_correction,
            commands::corrections::export_corrected_copy,
            commands::corrections::corrected_training,
            commands::library::rename_model,
            commands::library::set_decision_threshold,
            commands::library::delete_model,
            commands::library::reveal_model,
            commands::library::import_model,
            commands::compare::compare_models,
            commands::compare::compare_on_file,
            commands::compare::inspect_errors,
        ])
        .run(tauri::generate_context!())
        .expect("error while running BERT Studio");
}
