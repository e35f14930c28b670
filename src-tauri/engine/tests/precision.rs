//! Training in mixed precision on a GPU backend (wgpu; Mesa's software Vulkan in CI): each half
//! precision the adapter supports trains the tiny task about as well as 32-bit numbers; one it
//! does not support is refused in words, never ignored. (The exact f32 route is checked against
//! transformers and PyTorch in parity.rs and gradients.rs.)
#![cfg(feature = "wgpu")]

mod common;

use bert_studio_engine::backend::WgpuBackend;
use bert_studio_engine::train::{CancelToken, DeviceChoice, Recipe, TrainingEvent, TrainingReport};
use burn::tensor::DType;
use burn::tensor::backend::Backend;
use common::training::*;
use common::*;

/// How far a half-precision run's validation accuracy and last epoch's loss may be from the
/// 32-bit run's on the tiny task (3 classes, 3 epochs): rounding the products' inputs changes
/// the trajectory, not what is learnt.
const ACCURACY_TOLERANCE: f64 = 0.15;
const LOSS_RATIO_TOLERANCE: f64 = 0.25;

fn train_on_wgpu(recipe: Recipe) -> bert_studio_engine::Result<TrainingReport> {
    let dir = tempfile::tempdir().unwrap();
    let csv = small_nace_csv(dir.path());
    let recipe = Recipe {
        device: DeviceChoice::Wgpu,
        ..recipe
    };
    train(
        &request(recipe, csv, dir.path().join("model")),
        &mut |_| {},
        &CancelToken::new(),
    )
}

fn last_train_loss(report: &TrainingReport) -> f64 {
    report
        .history
        .iter()
        .rev()
        .find_map(|event| match event {
            TrainingEvent::EpochFinished { train_loss, .. } => Some(*train_loss),
            _ => None,
        })
        .expect("a logged training loss")
}

#[test]
fn each_half_precision_trains_like_f32_where_the_adapter_supports_it_and_is_refused_where_not() {
    let device = Default::default();
    let full = train_on_wgpu(tiny_recipe()).unwrap();
    let full_accuracy = full.final_metrics.as_ref().unwrap().accuracy;
    for (field, dtype) in [("fp16", DType::F16), ("bf16", DType::BF16)] {
        let recipe = Recipe {
            fp16: field == "fp16",
            bf16: field == "bf16",
            ..tiny_recipe()
        };
        let result = train_on_wgpu(recipe);
        if !WgpuBackend::supports_dtype(&device, dtype) {
            let err = result.unwrap_err().to_string();
            assert!(err.contains(&format!("cannot compute in {field}")), "{err}");
            eprintln!("{field}: refused on this adapter, as it should be");
            continue;
        }
        let half = result.unwrap_or_else(|e| panic!("{field}: {e}"));
        let accuracy = half.final_metrics.as_ref().unwrap().accuracy;
        let (loss, full_loss) = (last_train_loss(&half), last_train_loss(&full));
        eprintln!(
            "{field}: accuracy {accuracy:.3} (f32 {full_accuracy:.3}), last loss {loss:.4} \
             (f32 {full_loss:.4})"
        );
        assert!(
            (accuracy - full_accuracy).abs() <= ACCURACY_TOLERANCE,
            "{field}: accuracy {accuracy} against f32's {full_accuracy}"
        );
        assert!(
            (loss / full_loss - 1.0).abs() <= LOSS_RATIO_TOLERANCE,
            "{field}: last loss {loss} against f32's {full_loss}"
        );
        assert_ne!(loss, full_loss, "{field}: the products were not rounded");
    }
}
