//! The Hugging Face token for private and gated models, kept in the OS keyring. `HF_TOKEN`,
//! when set, wins. The token travels from the page to the keyring and from the keyring to the
//! Hub; it is never sent back to the page and never written to a file.

use bert_studio_engine::said;
use std::path::Path;

use bert_studio_engine::ErrorReport;
use bert_studio_engine::source::HubSettings;
use serde::Serialize;
use ts_rs::TS;

const SERVICE: &str = "org.bertstudio.app";
const ACCOUNT: &str = "huggingface-token";

/// Where the token the app would use comes from (never the token itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum TokenSource {
    /// `HF_TOKEN` (or `HUGGING_FACE_HUB_TOKEN`) is set for the app.
    Environment,
    /// Saved in the OS keyring from the model step.
    Keyring,
    None,
}

fn entry() -> Result<keyring::Entry, ErrorReport> {
    keyring::Entry::new(SERVICE, ACCOUNT).map_err(keyring_error)
}

fn keyring_error(e: keyring::Error) -> ErrorReport {
    ErrorReport::said(
        "keyring",
        said!(
            "app.keyring",
            "The system keyring could not be used: {detail}.",
            detail = e.to_string()
        ),
        Some(said!(
            "app.keyring_hint",
            "On Linux a Secret Service (GNOME Keyring or KWallet) must be running; or start the \
             app with HF_TOKEN set instead."
        )),
    )
}

/// Saves the token in the keyring (replacing an earlier one).
pub fn save(token: &str) -> Result<TokenSource, ErrorReport> {
    let token = token.trim();
    if token.is_empty() || token.chars().any(char::is_whitespace) {
        return Err(ErrorReport::said(
            "invalid_input",
            said!(
                "app.token_format",
                "A Hugging Face token is one word without spaces (it starts with \"hf_\")."
            ),
            Some(said!(
                "app.token_format_hint",
                "Copy it again from huggingface.co → Settings → Access Tokens."
            )),
        ));
    }
    entry()?.set_password(token).map_err(keyring_error)?;
    Ok(source())
}

/// Removes the saved token; nothing saved is not an error.
pub fn forget() -> Result<TokenSource, ErrorReport> {
    match entry()?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(source()),
        Err(e) => Err(keyring_error(e)),
    }
}

/// The saved token, if the keyring can be read and holds one.
fn stored() -> Option<String> {
    entry().ok()?.get_password().ok()
}

pub fn source() -> TokenSource {
    if HubSettings::from_env().token.is_some() {
        TokenSource::Environment
    } else if stored().is_some() {
        TokenSource::Keyring
    } else {
        TokenSource::None
    }
}

/// The Hub settings for a job on `model`: from the environment, with the keyring's token
/// added when the model may have to be downloaded (not a folder on this computer). The
/// keyring is not asked otherwise: on a desktop without a Secret Service that costs a D-Bus
/// round trip for nothing.
pub fn hub_settings_for(model: &str) -> HubSettings {
    let mut settings = HubSettings::from_env();
    if settings.token.is_none() && !settings.offline && !Path::new(model).is_dir() {
        settings.token = stored();
    }
    settings
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    use keyring::credential::{Credential, CredentialApi, CredentialBuilderApi};

    /// An OS keyring stand-in shared by every entry (keyring's own mock forgets a password
    /// when its entry is dropped).
    #[derive(Debug, Default)]
    struct MemoryStore(Arc<Mutex<HashMap<(String, String), String>>>);

    #[derive(Debug)]
    struct MemoryCredential {
        key: (String, String),
        store: Arc<Mutex<HashMap<(String, String), String>>>,
    }

    impl CredentialApi for MemoryCredential {
        fn set_secret(&self, secret: &[u8]) -> keyring::Result<()> {
            let text = String::from_utf8(secret.to_vec())
                .map_err(|e| keyring::Error::BadEncoding(e.into_bytes()))?;
            self.store.lock().unwrap().insert(self.key.clone(), text);
            Ok(())
        }
        fn get_secret(&self) -> keyring::Result<Vec<u8>> {
            let store = self.store.lock().unwrap();
            let text = store.get(&self.key).ok_or(keyring::Error::NoEntry)?;
            Ok(text.clone().into_bytes())
        }
        fn delete_credential(&self) -> keyring::Result<()> {
            let removed = self.store.lock().unwrap().remove(&self.key);
            removed.map(|_| ()).ok_or(keyring::Error::NoEntry)
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }

    impl CredentialBuilderApi for MemoryStore {
        fn build(
            &self,
            _target: Option<&str>,
            service: &str,
            user: &str,
        ) -> keyring::Result<Box<Credential>> {
            Ok(Box::new(MemoryCredential {
                key: (service.into(), user.into()),
                store: self.0.clone(),
            }))
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }

    #[test]
    fn the_token_goes_to_the_keyring_and_from_there_to_downloads_only() {
        keyring::set_default_credential_builder(Box::new(MemoryStore::default()));
        let from_env = HubSettings::from_env().token.is_some();
        if from_env {
            // HF_TOKEN wins over the keyring; nothing else to check on this machine.
            assert_eq!(source(), TokenSource::Environment);
            return;
        }
        assert_eq!(source(), TokenSource::None);
        assert!(save("  hf_not a token").is_err());
        assert_eq!(
            save(" hf_PlantedKeyringToken42 \n").unwrap(),
            TokenSource::Keyring
        );
        let hub_id = "some-org/private-bert";
        assert_eq!(
            hub_settings_for(hub_id).token.as_deref(),
            Some("hf_PlantedKeyringToken42")
        );
        // A model folder on this computer needs no token; the keyring is not asked.
        let folder = env!("CARGO_MANIFEST_DIR");
        assert_eq!(hub_settings_for(folder).token, None);
        // What the page is told: where the token is, never the token.
        let status = serde_json::to_string(&source()).unwrap();
        assert_eq!(status, "\"keyring\"");
        assert_eq!(forget().unwrap(), TokenSource::None);
        assert_eq!(forget().unwrap(), TokenSource::None);
        assert_eq!(hub_settings_for(hub_id).token, None);
    }
}
