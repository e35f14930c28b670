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

/// The largest difference between the engine's logits (one text per batch) and transformers'.
#[cfg(any(feature = "wgpu", feature = "cuda"))]
fn worst_logit_difference<B: FusedOps>(
    folder: &Path,
    reference: &Reference,
    device: &B::Device,
) -> f32 {
    let loaded: LoadedModel<B> =
        load_model_folder(folder, &LoadOptions::default(), device).unwrap();
    let texts: Vec<&str> = reference.texts.iter().map(String::as_str).collect();
    let got = forward_texts(&loaded, &texts, reference.max_seq_len, 1, device).unwrap();
    got.logits
        .iter()
        .zip(&reference.per_text)
        .flat_map(|(row, want)| row.iter().zip(&want.logits).map(|(a, b)| (a - b).abs()))
        .fold(0.0, f32::max)
}

/// The exact route (`precision: exact`, cubek's unit matmul) on wgpu: within 1e-4 on every
/// family, like the backend's own products (which are plain f32 on Mesa's software Vulkan).
#[cfg(feature = "wgpu")]
#[test]
fn the_exact_route_matches_transformers_on_wgpu() {
    use bert_studio_engine::backend::{WgpuBackend, WgpuDevice};
    use bert_studio_engine::kernels::precision::{MatmulPrecision, PrecisionScope};
    let _exact = PrecisionScope::new(MatmulPrecision::Exact);
    let reference = read_reference(&fixtures().join("reference.json"));
    check_against_reference::<WgpuBackend>(
        &fixtures().join("tiny-bert"),
        &reference,
        &WgpuDevice::default(),
    );
    for name in FAMILY_FIXTURES {
        let folder = family_fixture(name);
        let reference = read_reference(&folder.join("reference.json"));
        check_against_reference::<WgpuBackend>(&folder, &reference, &WgpuDevice::default());
    }
    let worst = worst_logit_difference::<WgpuBackend>(
        &fixtures().join("tiny-bert"),
        &reference,
        &WgpuDevice::default(),
    );
    assert!(worst <= TOLERANCE, "{worst:e}");
}

/// Runs only in builds with `--features cuda`, on a machine with an NVIDIA GPU
/// (scripts/gpu-check.sh); CI compiles it but has no GPU to run it on. The exact route within
/// 1e-4; the fast route (TF32 tensor cores) within 5e-3, its difference printed.
#[cfg(feature = "cuda")]
#[test]
fn tiny_folders_match_transformers_on_cuda() {
    use bert_studio_engine::backend::{CudaBackend, CudaDevice};
    use bert_studio_engine::kernels::precision::{MatmulPrecision, PrecisionScope};
    let reference = read_reference(&fixtures().join("reference.json"));
    let device = CudaDevice::default();
    for folder in ["tiny-bert", "tiny-bert-pytorch"] {
        let folder = fixtures().join(folder);
        {
            let _exact = PrecisionScope::new(MatmulPrecision::Exact);
            check_against_reference::<CudaBackend>(&folder, &reference, &device);
            let worst = worst_logit_difference::<CudaBackend>(&folder, &reference, &device);
            eprintln!("CUDA exact route: largest logit difference {worst:.2e}");
        }
        let worst = worst_logit_difference::<CudaBackend>(&folder, &reference, &device);
        eprintln!("CUDA fast route (TF32): largest logit difference {worst:.2e}");
        assert!(worst <= 5e-3, "fast route: {worst:e}");
    }
    for name in FAMILY_FIXTURES {
        let _exact = PrecisionScope::new(MatmulPrecision::Exact);
        let folder = family_fixture(name);
        let reference = read_reference(&folder.join("reference.json"));
        check_against_reference::<CudaBackend>(&folder, &reference, &device);
    }
}
