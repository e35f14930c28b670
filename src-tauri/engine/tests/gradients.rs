//! One training step's gradients equal PyTorch autograd's (transformers'
//! `…ForSequenceClassification`, `scripts/reference/reference.py gradients`): every parameter,
//! on the tiny fixture of each architecture, a padded batch of the reference texts, mean
//! cross-entropy, dropout off (masks cannot be matched across engines). This covers the fused
//! kernels' hand-written backward passes end to end.

mod common;

use std::path::Path;

use bert_studio_engine::kernels::FusedOps;
#[cfg(any(feature = "wgpu", feature = "cuda"))]
use bert_studio_engine::kernels::precision::{MatmulPrecision, PrecisionScope};
use bert_studio_engine::model::{LoadOptions, Slot, load_model_folder};
use burn::backend::Autodiff;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::GradientsParams;
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor, TensorData};
use common::*;
use safetensors::SafeTensors;

const TOLERANCE: f32 = 1e-4;

fn check_gradients<B: Backend + FusedOps>(folder: &Path, gradients: &Path, device: &B::Device)
where
    B: burn::tensor::backend::AutodiffBackend,
{
    let reference = read_reference(&fixtures().join("reference.json"));
    let bytes = std::fs::read(gradients).unwrap();
    let expected = SafeTensors::deserialize(&bytes).unwrap();

    let loaded = load_model_folder::<B>(folder, &LoadOptions::default(), device).unwrap();
    let mut model = loaded.model.without_dropout();
    let texts: Vec<&str> = reference.texts.iter().map(String::as_str).collect();
    let batch = loaded.tokenizer.encode_batch(&texts, 24).unwrap();
    let labels: Vec<i64> = (0..texts.len() as i64).map(|i| i % 3).collect();
    let targets = Tensor::<B, 1, Int>::from_data(TensorData::new(labels, [texts.len()]), device);
    let logits = model.forward(batch.to_input::<B>(device)).logits;
    let loss = CrossEntropyLossConfig::new()
        .init(device)
        .forward(logits, targets);
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    let mut checked = 0;
    for (name, slot) in model.hf_slots() {
        let want = expected
            .tensor(&name)
            .unwrap_or_else(|_| panic!("no reference gradient for {name}"));
        let want: Vec<f32> = want
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let got: Vec<f32> = match slot {
            // burn keeps Linear weights as [in, out]; the reference is [out, in].
            Slot::LinearWeight(p) => grads
                .get::<B::InnerBackend, 2>(p.id)
                .unwrap()
                .transpose()
                .into_data(),
            Slot::Matrix(p) => grads.get::<B::InnerBackend, 2>(p.id).unwrap().into_data(),
            Slot::Vector(p) => grads.get::<B::InnerBackend, 1>(p.id).unwrap().into_data(),
        }
        .convert::<f32>()
        .into_vec()
        .unwrap();
        assert_eq!(got.len(), want.len(), "{name}: size");
        let worst = got
            .iter()
            .zip(&want)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(
            worst <= TOLERANCE,
            "{name}: gradient differs from PyTorch's by {worst:e}"
        );
        checked += 1;
    }
    assert_eq!(checked, expected.len(), "every parameter has a gradient");
}

type Cpu = Autodiff<bert_studio_engine::backend::CpuBackend>;

#[test]
fn one_training_step_has_pytorchs_gradients_on_cpu() {
    check_gradients::<Cpu>(
        &fixtures().join("tiny-bert"),
        &fixtures().join("tiny-bert-gradients.safetensors"),
        &Default::default(),
    );
}

/// One test per architecture, so a failure names it.
macro_rules! family_gradients_on_cpu {
    ($($test:ident => $fixture:literal),* $(,)?) => {$(
        #[test]
        fn $test() {
            let folder = family_fixture($fixture);
            check_gradients::<Cpu>(&folder, &folder.join("gradients.safetensors"), &Default::default());
        }
    )*};
}

family_gradients_on_cpu! {
    tiny_roberta_has_pytorchs_gradients_on_cpu => "tiny-roberta",
    tiny_camembert_has_pytorchs_gradients_on_cpu => "tiny-camembert",
    tiny_xlm_roberta_has_pytorchs_gradients_on_cpu => "tiny-xlm-roberta",
    tiny_distilbert_has_pytorchs_gradients_on_cpu => "tiny-distilbert",
    tiny_electra_has_pytorchs_gradients_on_cpu => "tiny-electra",
}

/// Every architecture's gradients on a GPU backend, with the backend's own products and with
/// the exact f32 route (`precision: exact`; on Mesa's software Vulkan both are plain f32).
#[cfg(any(feature = "wgpu", feature = "cuda"))]
fn check_gradients_on_gpu<B>(device: &B::Device)
where
    B: burn::tensor::backend::AutodiffBackend + FusedOps,
{
    for precision in [MatmulPrecision::Fast, MatmulPrecision::Exact] {
        let _scope = PrecisionScope::new(precision);
        check_gradients::<B>(
            &fixtures().join("tiny-bert"),
            &fixtures().join("tiny-bert-gradients.safetensors"),
            device,
        );
        for name in FAMILY_FIXTURES {
            let folder = family_fixture(name);
            check_gradients::<B>(&folder, &folder.join("gradients.safetensors"), device);
        }
    }
}

#[cfg(feature = "wgpu")]
#[test]
fn one_training_step_has_pytorchs_gradients_on_wgpu() {
    check_gradients_on_gpu::<Autodiff<bert_studio_engine::backend::WgpuBackend>>(
        &Default::default(),
    );
}

/// Runs only in builds with `--features cuda`, on a machine with an NVIDIA GPU
/// (scripts/gpu-check.sh). The fast route's TF32 products are within 1e-4 of PyTorch's
/// gradients on the tiny fixtures' short sums too.
#[cfg(feature = "cuda")]
#[test]
fn one_training_step_has_pytorchs_gradients_on_cuda() {
    check_gradients_on_gpu::<Autodiff<bert_studio_engine::backend::CudaBackend>>(
        &Default::default(),
    );
}
