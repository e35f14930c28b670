//! The real Hub download path (hf-hub), against a local server on 127.0.0.1 that serves the
//! tiny fixture in the Hub's URL layout: model info, `resolve/<revision>/<file>` with ranges,
//! ETag and commit headers, bearer-token checks.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use bert_studio_engine::EngineError;
use bert_studio_engine::backend::{CpuBackend, CpuDevice};
use bert_studio_engine::model::{LoadOptions, load_model_folder};
use bert_studio_engine::source::{DownloadEvent, HubSettings, resolve_model};
use common::*;

const REPO: &str = "studio-tests/tiny-bert";
const PRIVATE_REPO: &str = "studio-tests/private-bert";
const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";
const TOKEN: &str = "hf_planted_test_token";

struct FakeHub {
    endpoint: String,
    /// Every request: (url, authorization header).
    requests: Arc<Mutex<Vec<(String, Option<String>)>>>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for FakeHub {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The files of a fixture folder, by name.
fn files_of(folder: &std::path::Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            (
                entry.file_name().to_string_lossy().into_owned(),
                std::fs::read(entry.path()).unwrap(),
            )
        })
        .collect()
}

/// Serves the files of the tiny fixture. `truncate` cuts `model.safetensors` short in the
/// body while the metadata announces its full size (a dropped connection, as hf-hub sees it).
fn start_hub(truncate: bool) -> FakeHub {
    serve(files_of(&fixtures().join("tiny-bert")), truncate)
}

fn serve(files: BTreeMap<String, Vec<u8>>, truncate: bool) -> FakeHub {
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let endpoint = format!("http://{}", server.server_addr().to_ip().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let (srv, log) = (server.clone(), requests.clone());
    let thread = std::thread::spawn(move || {
        for request in srv.incoming_requests() {
            let header = |name: &'static str| {
                request
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv(name))
                    .map(|h| h.value.as_str().to_string())
            };
            let auth = header("Authorization");
            let range = header("Range");
            let url = request.url().to_string();
            log.lock().unwrap().push((url.clone(), auth.clone()));
            let h = |k: &str, v: &str| {
                tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap()
            };

            if url.contains(PRIVATE_REPO) && auth.as_deref() != Some(&format!("Bearer {TOKEN}")) {
                let _ = request.respond(tiny_http::Response::empty(401));
                continue;
            }
            let info_prefix = format!("/api/models/{REPO}/revision/main");
            let private_info = format!("/api/models/{PRIVATE_REPO}/revision/main");
            if url == info_prefix || url == private_info {
                let siblings: Vec<_> = files
                    .keys()
                    .map(|f| serde_json::json!({"rfilename": f}))
                    .collect();
                let body = serde_json::json!({"sha": COMMIT, "siblings": siblings}).to_string();
                let _ = request.respond(
                    tiny_http::Response::from_data(body)
                        .with_header(h("Content-Type", "application/json")),
                );
                continue;
            }
            let file = [REPO, PRIVATE_REPO]
                .iter()
                .find_map(|repo| url.strip_prefix(&format!("/{repo}/resolve/main/")))
                .and_then(|name| files.get(name).map(|bytes| (name.to_string(), bytes)));
            let Some((name, bytes)) = file else {
                let _ = request.respond(tiny_http::Response::empty(404));
                continue;
            };
            let total = bytes.len();
            let start: usize = range
                .as_deref()
                .and_then(|r| r.strip_prefix("bytes="))
                .and_then(|r| r.split('-').next())
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let end = match range.as_deref() {
                Some("bytes=0-0") => 1,
                _ if truncate && name == "model.safetensors" => total / 2,
                _ => total,
            };
            let body = bytes[start.min(end)..end].to_vec();
            let etag = format!("\"etag-{name}-{total}\"");
            let response = tiny_http::Response::from_data(body)
                .with_status_code(206)
                .with_header(h("ETag", &etag))
                .with_header(h("X-Repo-Commit", COMMIT))
                .with_header(h(
                    "Content-Range",
                    &format!("bytes {start}-{}/{total}", end.saturating_sub(1)),
                ));
            let _ = request.respond(response);
        }
    });
    FakeHub {
        endpoint,
        requests,
        server,
        thread: Some(thread),
    }
}

fn settings(hub: &FakeHub, home: &std::path::Path) -> HubSettings {
    HubSettings {
        endpoint: Some(hub.endpoint.clone()),
        home: Some(home.to_path_buf()),
        token: Some(TOKEN.into()),
        offline: false,
    }
}

#[test]
fn a_hub_id_downloads_into_the_hf_cache_and_loads() {
    let hub = start_hub(false);
    let home = tempfile::tempdir().unwrap();
    let mut events = Vec::new();
    let folder: PathBuf =
        resolve_model(REPO, &settings(&hub, home.path()), &mut |e| events.push(e)).unwrap();

    // The Hub cache layout that Python's huggingface_hub also uses.
    let expected = home
        .path()
        .join("hub/models--studio-tests--tiny-bert/snapshots")
        .join(COMMIT);
    assert_eq!(folder, expected);
    for name in [
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
    ] {
        assert_eq!(
            std::fs::read(folder.join(name)).unwrap(),
            std::fs::read(fixtures().join("tiny-bert").join(name)).unwrap(),
            "{name}"
        );
    }
    let finished: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            DownloadEvent::Finished { file, .. } => Some(file.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        finished,
        vec![
            "config.json",
            "model.safetensors",
            "tokenizer.json",
            "tokenizer_config.json"
        ]
    );
    let weights_size = std::fs::metadata(folder.join("model.safetensors"))
        .unwrap()
        .len();
    assert!(events.contains(&DownloadEvent::Started {
        file: "model.safetensors".into(),
        bytes_total: weights_size
    }));
    // The token travels as a bearer token on every request.
    assert!(
        hub.requests
            .lock()
            .unwrap()
            .iter()
            .all(|(_, auth)| auth.as_deref() == Some(&format!("Bearer {TOKEN}")))
    );

    let loaded =
        load_model_folder::<CpuBackend>(&folder, &LoadOptions::default(), &CpuDevice::default())
            .unwrap();
    assert_eq!(
        loaded.config.labels(),
        vec!["Agriculture", "Industrie", "Services"]
    );

    // A second resolve is served from the cache, and offline mode finds it too.
    let before = hub.requests.lock().unwrap().len();
    let offline = HubSettings {
        offline: true,
        ..settings(&hub, home.path())
    };
    assert_eq!(resolve_model(REPO, &offline, &mut |_| {}).unwrap(), folder);
    assert_eq!(
        hub.requests.lock().unwrap().len(),
        before,
        "offline mode made a request"
    );
}

#[test]
fn other_architectures_download_and_unsupported_ones_stop_before_the_weights() {
    let hub = serve(files_of(&family_fixture("tiny-camembert")), false);
    let home = tempfile::tempdir().unwrap();
    let folder = resolve_model(REPO, &settings(&hub, home.path()), &mut |_| {}).unwrap();
    let loaded =
        load_model_folder::<CpuBackend>(&folder, &LoadOptions::default(), &CpuDevice::default())
            .unwrap();
    assert_eq!(loaded.config.architecture.model_type(), "camembert");

    let mut files = files_of(&fixtures().join("tiny-bert"));
    let config = String::from_utf8(files["config.json"].clone()).unwrap();
    files.insert(
        "config.json".into(),
        config
            .replace("\"model_type\": \"bert\"", "\"model_type\": \"deberta-v2\"")
            .into_bytes(),
    );
    let hub = serve(files, false);
    let home = tempfile::tempdir().unwrap();
    let err = resolve_model(REPO, &settings(&hub, home.path()), &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("deberta-v2"), "{err}");
    assert!(
        !hub.requests
            .lock()
            .unwrap()
            .iter()
            .any(|(url, _)| url.ends_with("model.safetensors")),
        "the weights were downloaded"
    );
}

#[test]
fn unknown_and_private_models_are_explained() {
    let hub = start_hub(false);
    let home = tempfile::tempdir().unwrap();
    let err = resolve_model(
        "studio-tests/no-such-model",
        &settings(&hub, home.path()),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(matches!(err, EngineError::ModelNotFound { .. }), "{err:?}");
    assert!(err.to_string().contains("no model of that name"), "{err}");

    let anonymous = HubSettings {
        token: None,
        ..settings(&hub, home.path())
    };
    let err = resolve_model(PRIVATE_REPO, &anonymous, &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("HF_TOKEN"), "{err}");
    // With the token it works.
    resolve_model(PRIVATE_REPO, &settings(&hub, home.path()), &mut |_| {}).unwrap();
}

#[test]
fn a_download_that_stops_early_is_an_error_and_leaves_no_file() {
    let hub = start_hub(true);
    let home = tempfile::tempdir().unwrap();
    let err = resolve_model(REPO, &settings(&hub, home.path()), &mut |_| {}).unwrap_err();
    assert!(matches!(err, EngineError::Download { .. }), "{err:?}");
    assert!(err.to_string().contains("model.safetensors"), "{err}");
    assert!(err.to_string().contains("stopped after"), "{err}");
    let snapshot = home
        .path()
        .join("hub/models--studio-tests--tiny-bert/snapshots")
        .join(COMMIT);
    assert!(!snapshot.join("model.safetensors").exists());
    // Nothing incomplete is left for the offline cache to pick up.
    let offline = HubSettings {
        offline: true,
        ..settings(&hub, home.path())
    };
    assert!(resolve_model(REPO, &offline, &mut |_| {}).is_err());
}

#[test]
fn an_unreachable_hub_is_a_plain_error() {
    let home = tempfile::tempdir().unwrap();
    let settings = HubSettings {
        endpoint: Some("http://127.0.0.1:9".into()),
        home: Some(home.path().to_path_buf()),
        token: None,
        offline: false,
    };
    let err = resolve_model("some-org/some-model", &settings, &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("could not be reached"), "{err}");
}
