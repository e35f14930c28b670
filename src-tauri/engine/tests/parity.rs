//! The engine gives the logits `transformers` gives, on the same checkpoint and texts.

mod common;

use std::path::Path;

use bert_studio_engine::backend::{CpuBackend, CpuDevice};
use bert_studio_engine::inference::forward_texts;
use bert_studio_engine::kernels::FusedOps;
use bert_studio_engine::model::{LoadOptions, LoadedModel, load_model_folder};
use common::*;

const TOLERANCE: f32 = 1e-4;

fn check_against_reference<B: FusedOps>(folder: &Path, reference: &Reference, device: &B::Device) {
    let loaded: LoadedModel<B> =
        load_model_folder(folder, &LoadOptions::default(), device).unwrap();
    assert!(loaded.report.initialized.is_empty(), "{:?}", loaded.report);
    let texts: Vec<&str> = reference.texts.iter().map(String::as_str).collect();

    // Same token ids, text by text (truncation included).
    for (text, expected) in texts.iter().zip(&reference.per_text) {
        let batch = loaded
            .tokenizer
            .encode_batch(&[text], reference.max_seq_len)
            .unwrap();
        assert_eq!(batch.input_ids, expected.input_ids, "token ids of {text:?}");
    }
    assert!(
        reference
            .per_text
            .iter()
            .any(|t| t.input_ids.len() == reference.max_seq_len),
        "the fixture must contain a text longer than max_seq_len"
    );

    // One text per batch: no padding at all.
    let single = forward_texts(&loaded, &texts, reference.max_seq_len, 1, device).unwrap();
    let expected_logits: Vec<Vec<f32>> = reference
        .per_text
        .iter()
        .map(|t| t.logits.clone())
        .collect();
    let expected_pooled: Vec<Vec<f32>> = reference
        .per_text
        .iter()
        .map(|t| t.pooled.clone())
        .collect();
    assert_close(
        &single.logits,
        &expected_logits,
        TOLERANCE,
        "logits, one text per batch",
    );
    assert_close(
        &single.pooled,
        &expected_pooled,
        TOLERANCE,
        "pooled output, one text per batch",
    );

    // All texts in one padded batch: padding must not change anything.
    let batched =
        forward_texts(&loaded, &texts, reference.max_seq_len, texts.len(), device).unwrap();
    assert_close(
        &batched.logits,
        &reference.batched_logits,
        TOLERANCE,
        "logits, one padded batch",
    );
}

#[test]
fn tiny_safetensors_folder_matches_transformers_on_cpu() {
    let reference = read_reference(&fixtures().join("reference.json"));
    check_against_reference::<CpuBackend>(
        &fixtures().join("tiny-bert"),
        &reference,
        &CpuDevice::default(),
    );
}

#[test]
fn tiny_pytorch_bin_with_vocab_txt_matches_transformers_on_cpu() {
    let reference = read_reference(&fixtures().join("reference.json"));
    let folder = fixtures().join("tiny-bert-pytorch");
    assert!(!folder.join("tokenizer.json").exists() && !folder.join("model.safetensors").exists());
    check_against_reference::<CpuBackend>(&folder, &reference, &CpuDevice::default());
}

/// all-MiniLM-L6-v2 (a real pretrained BERT) with a classification head seeded by the
/// reference script: pooled output and logits.
#[test]
fn minilm_matches_transformers_on_cpu() {
    let folder = asset("minilm-classifier");
    let reference = read_reference(&folder.join("reference.json"));
    check_against_reference::<CpuBackend>(&folder, &reference, &CpuDevice::default());
}

/// One test per architecture, so a failure names it.
macro_rules! family_parity_on_cpu {
    ($($test:ident => $fixture:literal),* $(,)?) => {$(
        #[test]
        fn $test() {
            let folder = family_fixture($fixture);
            let reference = read_reference(&folder.join("reference.json"));
            check_against_reference::<CpuBackend>(&folder, &reference, &CpuDevice::default());
        }
    )*};
}

family_parity_on_cpu! {
    tiny_roberta_matches_transformers_on_cpu => "tiny-roberta",
    tiny_camembert_matches_transformers_on_cpu => "tiny-camembert",
    tiny_xlm_roberta_matches_transformers_on_cpu => "tiny-xlm-roberta",
    tiny_distilbert_matches_transformers_on_cpu => "tiny-distilbert",
    tiny_electra_matches_transformers_on_cpu => "tiny-electra",
}

#[test]
fn every_family_fixture_is_checked() {
    assert_eq!(FAMILY_FIXTURES.len(), 5);
    for name in FAMILY_FIXTURES {
        assert!(
            family_fixture(name).join("reference.json").is_file(),
            "{name}"
        );
    }
}

#[cfg(feature = "wgpu")]
#[test]
fn every_family_matches_transformers_on_wgpu() {
    use bert_studio_engine::backend::{WgpuBackend, WgpuDevice};
    for name in FAMILY_FIXTURES {
        let folder = family_fixture(name);
        let reference = read_reference(&folder.join("reference.json"));
        check_against_reference::<WgpuBackend>(&folder, &reference, &WgpuDevice::default());
    }
}

#[cfg(feature = "wgpu")]
#[test]
fn tiny_folder_matches_transformers_on_wgpu() {
    use bert_studio_engine::backend::{WgpuBackend, WgpuDevice};
    let reference = read_reference(&fixtures().join("reference.json"));
    check_against_reference::<WgpuBackend>(
        &fixtures().join("tiny-bert"),
        &reference,
        &WgpuDevice::default(),
    );
}

/// Runs only in builds with `--features cuda`, on a machine with an NVIDIA GPU
/// (scripts/gpu-check.sh); CI compiles it but has no GPU to run it on.
#[cfg(feature = "cuda")]
#[test]
fn tiny_folders_match_transformers_on_cuda() {
    use bert_studio_engine::backend::{CudaBackend, CudaDevice};
    let reference = read_reference(&fixtures().join("reference.json"));
    for folder in ["tiny-bert", "tiny-bert-pytorch"] {
        check_against_reference::<CudaBackend>(
            &fixtures().join(folder),
            &reference,
            &CudaDevice::default(),
        );
    }
}
