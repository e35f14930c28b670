//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub mod training;

// Also included by the CLI's tests (src-tauri/cli, a sibling of src-tauri/engine), hence the
// paths through `..`.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures")
}

/// The tiny random model of each other supported architecture, made by
/// `scripts/reference/reference.py family-fixtures` with transformers' own config classes; each
/// folder holds its `reference.json` (outputs) and `gradients.safetensors` (one step's).
pub const FAMILY_FIXTURES: [&str; 5] = [
    "tiny-roberta",
    "tiny-camembert",
    "tiny-xlm-roberta",
    "tiny-distilbert",
    "tiny-electra",
];

pub fn family_fixture(name: &str) -> PathBuf {
    fixtures().join("families").join(name)
}

/// Three NACE divisions of the bundled sample: a small, real, learnable task.
pub fn small_nace_csv(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(repo_root().join("data/sample/nace_fr.csv")).unwrap();
    let mut out = String::from("text;label\n");
    for line in text.lines().skip(1) {
        let (body, label) = line.rsplit_once(',').unwrap();
        if ["01", "10", "62"].contains(&label) {
            out.push_str(&format!(
                "{};{label}\n",
                body.trim_matches('"').replace(';', ",")
            ));
        }
    }
    let path = dir.join("train.csv");
    std::fs::write(&path, out).unwrap();
    path
}

/// Every tensor of a safetensors file of f32 values: its name, shape and values, in the file's order.
pub fn f32_tensors(path: &Path) -> Vec<(String, Vec<usize>, Vec<f32>)> {
    let bytes = std::fs::read(path).unwrap();
    let file = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    file.tensors()
        .into_iter()
        .map(|(name, view)| {
            let values = view
                .data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            (name, view.shape().to_vec(), values)
        })
        .collect()
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cache_dir() -> PathBuf {
    let home = std::env::var("HOME").unwrap_or_else(|_| "/tmp".into());
    PathBuf::from(home).join(".cache/bert-studio")
}

/// The Python with transformers that `scripts/test.sh` prepares.
pub fn reference_python() -> PathBuf {
    let python = std::env::var("BERT_STUDIO_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|_| cache_dir().join("pyenv/bin/python"));
    assert!(
        python.exists(),
        "The reference Python ({}) is missing: run scripts/test.sh, which installs it.",
        python.display()
    );
    python
}

/// Test assets fetched by `scripts/fetch-test-assets.sh` (never committed).
pub fn asset(name: &str) -> PathBuf {
    let root = std::env::var("BERT_STUDIO_ASSETS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| cache_dir().join("assets"));
    let path = root.join(name);
    assert!(
        path.exists(),
        "The test asset {} is missing: run scripts/test.sh (or scripts/fetch-test-assets.sh).",
        path.display()
    );
    path
}

#[derive(Debug, Deserialize)]
pub struct PerText {
    pub input_ids: Vec<i64>,
    pub pooled: Vec<f32>,
    pub logits: Vec<f32>,
}

/// What `scripts/reference/reference.py` computed with transformers.
#[derive(Debug, Deserialize)]
pub struct Reference {
    pub max_seq_len: usize,
    pub texts: Vec<String>,
    pub per_text: Vec<PerText>,
    pub batched_logits: Vec<Vec<f32>>,
}

pub fn read_reference(path: &Path) -> Reference {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// Largest absolute difference, with the position where it occurs.
pub fn assert_close(actual: &[Vec<f32>], expected: &[Vec<f32>], tolerance: f32, what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: row count");
    let mut worst = (0.0f32, 0, 0);
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert_eq!(a.len(), e.len(), "{what}: width of row {i}");
        for (j, (x, y)) in a.iter().zip(e).enumerate() {
            let d = (x - y).abs();
            assert!(d.is_finite(), "{what}: non-finite value at [{i}][{j}]");
            if d > worst.0 {
                worst = (d, i, j);
            }
        }
    }
    assert!(
        worst.0 <= tolerance,
        "{what}: max |difference| {} at [{}][{}] (engine {} vs transformers {}) exceeds {tolerance}",
        worst.0,
        worst.1,
        worst.2,
        actual[worst.1][worst.2],
        expected[worst.1][worst.2]
    );
    // A comparison of two all-zero outputs would prove nothing.
    assert!(
        expected.iter().flatten().any(|v| v.abs() > 1e-3),
        "{what}: the reference is all zeros"
    );
}

/// What transformers makes of a folder (`reference.py logits`: its architectures, labels,
/// logits and pipeline predictions of the texts in `texts_file`, cut at `max_len` tokens).
pub fn transformers_outputs(folder: &Path, texts_file: &Path, max_len: usize) -> serde_json::Value {
    let output = std::process::Command::new(reference_python())
        .arg(repo_root().join("scripts/reference/reference.py"))
        .args(["logits", "--max-len", &max_len.to_string(), "--model"])
        .arg(folder)
        .arg("--texts")
        .arg(texts_file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "transformers could not load {}:\n{}",
        folder.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}
