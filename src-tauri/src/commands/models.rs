//! Base models: whether one is on this computer, its download, and the Hugging Face token.

use bert_studio_engine::catalog::{ModelAvailability, model_availability};
use bert_studio_engine::source::{DownloadEvent, HubSettings, resolve_model};
use tauri::ipc::Channel;

use super::{CommandResult, blocking, blocking_app};
use crate::hub_token::{self, TokenSource};

#[tauri::command]
pub async fn model_status(name: String) -> CommandResult<ModelAvailability> {
    blocking(move || Ok(model_availability(&name, &HubSettings::from_env()))).await
}

/// Downloads a Hub model into the local Hugging Face cache, with progress; returns its folder.
#[tauri::command]
pub async fn download_model(
    name: String,
    on_progress: Channel<DownloadEvent>,
) -> CommandResult<String> {
    blocking(move || {
        let folder = resolve_model(&name, &hub_token::hub_settings_for(&name), &mut |event| {
            let _ = on_progress.send(event);
        })?;
        Ok(folder.display().to_string())
    })
    .await
}

/// Where the Hugging Face token would come from (environment, keyring or none).
#[tauri::command]
pub async fn hub_token_status() -> CommandResult<TokenSource> {
    blocking(|| Ok(hub_token::source())).await
}

/// Keeps the token in the OS keyring for downloads of private or gated models.
#[tauri::command]
pub async fn save_hub_token(token: String) -> CommandResult<TokenSource> {
    blocking_app(move || hub_token::save(&token)).await
}

#[tauri::command]
pub async fn forget_hub_token() -> CommandResult<TokenSource> {
    blocking_app(hub_token::forget).await
}
