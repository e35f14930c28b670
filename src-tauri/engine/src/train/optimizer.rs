//! AdamW exactly as `torch.optim.AdamW` (decoupled weight decay, bias-corrected moments),
//! with the Trainer's parameter groups (no decay on biases and LayerNorm weights) and its
//! global gradient-norm clipping. burn's own AdamW applies one decay to every parameter.

use std::collections::{HashMap, HashSet};

use burn::module::{AutodiffModule, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::optim::GradientsParams;
use burn::tensor::ElementConversion;
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{Tensor, TensorData, TensorPrimitive};

use crate::kernels::{AdamWStep, FusedOps};

use crate::model::SequenceClassifier;

struct Moments<B: Backend> {
    first: Tensor<B, 1>,
    second: Tensor<B, 1>,
}

pub struct AdamW<B: AutodiffBackend> {
    pub beta1: f64,
    pub beta2: f64,
    pub epsilon: f64,
    pub weight_decay: f64,
    no_decay: HashSet<ParamId>,
    moments: HashMap<ParamId, Moments<B::InnerBackend>>,
    /// Optimizer steps taken so far.
    pub steps: usize,
}

/// The Trainer's `get_decay_parameter_names`: no decay for biases and norms, recognised by
/// name (lower-cased: `bias`, `layernorm`, `rmsnorm`, a `norm` segment, a segment ending in
/// `_norm` such as DistilBERT's `sa_layer_norm`) — every LayerNorm of the family has such a name.
fn trainer_decays(name: &str) -> bool {
    let name = name.to_lowercase();
    let norm_segment = name
        .split('.')
        .any(|segment| segment == "norm" || segment.ends_with("_norm"));
    !(name.contains("bias")
        || name.contains("layernorm")
        || name.contains("rmsnorm")
        || norm_segment)
}

impl<B: AutodiffBackend> AdamW<B>
where
    B::InnerBackend: FusedOps,
{
    /// β = (0.9, 0.999), ε = 1e-8, as the Trainer's default optimizer.
    pub fn new(model: &mut SequenceClassifier<B>, weight_decay: f64) -> Self {
        let no_decay = model
            .hf_slots()
            .into_iter()
            .filter(|(name, _)| !trainer_decays(name))
            .map(|(_, slot)| slot.param_id())
            .collect();
        AdamW {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            weight_decay,
            no_decay,
            moments: HashMap::new(),
            steps: 0,
        }
    }

    /// The moments by Hugging Face parameter name (first, second; flat, in burn's layout), for a
    /// checkpoint: parameter ids change when a model is loaded again, names do not.
    pub fn moments_by_name(
        &self,
        model: &mut SequenceClassifier<B>,
    ) -> Vec<(String, Vec<f32>, Vec<f32>)> {
        let values = |t: &Tensor<B::InnerBackend, 1>| -> Vec<f32> {
            t.to_data()
                .convert::<f32>()
                .into_vec::<f32>()
                .expect("converted to f32")
        };
        model
            .hf_slots()
            .into_iter()
            .filter_map(|(name, slot)| {
                let m = self.moments.get(&slot.param_id())?;
                Some((name, values(&m.first), values(&m.second)))
            })
            .collect()
    }

    /// Restores moments saved by `moments_by_name` onto this model's parameters, and the step
    /// count. A name the model lacks or a length that differs means the checkpoint belongs to
    /// another model: refused, naming the parameter.
    pub fn restore_moments(
        &mut self,
        model: &mut SequenceClassifier<B>,
        moments: Vec<(String, Vec<f32>, Vec<f32>)>,
        steps: usize,
        device: &burn::tensor::Device<B::InnerBackend>,
    ) -> std::result::Result<(), String> {
        let slots: HashMap<String, (ParamId, usize)> = model
            .hf_slots()
            .into_iter()
            .map(|(name, slot)| {
                let n = slot.num_elements();
                (name, (slot.param_id(), n))
            })
            .collect();
        for (name, first, second) in moments {
            let Some((id, n)) = slots.get(&name) else {
                return Err(format!("the model has no parameter named {name}"));
            };
            if first.len() != *n || second.len() != *n {
                return Err(format!(
                    "{name} has {n} values but its saved optimizer state has {}",
                    first.len()
                ));
            }
            let tensor = |v: Vec<f32>| {
                Tensor::<B::InnerBackend, 1>::from_data(TensorData::new(v, [*n]), device)
            };
            self.moments.insert(
                *id,
                Moments {
                    first: tensor(first),
                    second: tensor(second),
                },
            );
        }
        self.steps = steps;
        Ok(())
    }

    /// One update with learning rate `lr`; gradients are first multiplied by `grad_scale`
    /// (the clipping factor).
    pub fn step<M: AutodiffModule<B>>(
        &mut self,
        model: M,
        grads: GradientsParams,
        lr: f64,
        grad_scale: f64,
    ) -> M {
        self.steps += 1;
        let mut mapper = StepMapper {
            optimizer: self,
            grads,
            lr,
            grad_scale,
        };
        model.map(&mut mapper)
    }
}

struct StepMapper<'a, B: AutodiffBackend> {
    optimizer: &'a mut AdamW<B>,
    grads: GradientsParams,
    lr: f64,
    grad_scale: f64,
}

impl<B: AutodiffBackend> ModuleMapper<B> for StepMapper<'_, B>
where
    B::InnerBackend: FusedOps,
{
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<B, D>>) -> Param<Tensor<B, D>> {
        let (id, tensor, mapper) = param.consume();
        let Some(grad) = self.grads.remove::<B::InnerBackend, D>(id) else {
            return Param::from_mapped_value(id, tensor, mapper);
        };
        let opt = &mut *self.optimizer;
        let shape = tensor.shape();
        let n = shape.num_elements();
        let flat = |t: Tensor<B::InnerBackend, D>| t.reshape([n]).into_primitive().tensor();
        let decay = if opt.no_decay.contains(&id) {
            0.0
        } else {
            opt.weight_decay
        };
        let step = AdamWStep {
            learning_rate: self.lr,
            beta1: opt.beta1,
            beta2: opt.beta2,
            epsilon: opt.epsilon,
            weight_decay: decay,
            grad_scale: self.grad_scale,
            step: opt.steps as i32,
        };
        let moments = opt.moments.remove(&id).map(|m| {
            (
                m.first.into_primitive().tensor(),
                m.second.into_primitive().tensor(),
            )
        });
        // One fused pass (in place on the CPU) instead of a dozen tensor operations.
        let (updated, first, second) =
            B::InnerBackend::adamw_step(flat(tensor.inner()), flat(grad), moments, step);
        let float = |t| Tensor::<B::InnerBackend, 1>::from_primitive(TensorPrimitive::Float(t));
        opt.moments.insert(
            id,
            Moments {
                first: float(first),
                second: float(second),
            },
        );
        let updated = float(updated);
        let updated = Tensor::from_inner(updated.reshape(shape)).require_grad();
        Param::from_mapped_value(id, updated, mapper)
    }
}

/// Global L2 norm of all gradients (one number read back per step).
pub fn gradient_norm<B: AutodiffBackend, M: AutodiffModule<B>>(
    model: &M,
    grads: &GradientsParams,
) -> f64 {
    struct Norm<'a, B: AutodiffBackend> {
        grads: &'a GradientsParams,
        total: Option<Tensor<B::InnerBackend, 1>>,
    }
    impl<B: AutodiffBackend> ModuleVisitor<B> for Norm<'_, B> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
            if let Some(g) = self.grads.get::<B::InnerBackend, D>(param.id) {
                let sq = g.powi_scalar(2).sum();
                self.total = Some(match self.total.take() {
                    Some(t) => t + sq,
                    None => sq,
                });
            }
        }
    }
    let mut visitor = Norm::<B> { grads, total: None };
    model.visit(&mut visitor);
    visitor
        .total
        .map(|t| t.into_scalar().elem::<f64>().sqrt())
        .unwrap_or(0.0)
}

/// torch's clip_grad_norm_ factor: max_norm / (norm + 1e-6), at most 1.
pub fn clip_factor(norm: f64, max_norm: f64) -> f64 {
    if max_norm <= 0.0 {
        return 1.0;
    }
    (max_norm / (norm + 1e-6)).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::trainer_decays;

    #[test]
    fn decay_follows_the_trainers_name_rule_for_every_architecture() {
        for name in [
            "bert.encoder.layer.0.attention.self.query.weight",
            "distilbert.transformer.layer.1.ffn.lin1.weight",
            "roberta.embeddings.word_embeddings.weight",
            "electra.embeddings_project.weight",
            "classifier.out_proj.weight",
        ] {
            assert!(trainer_decays(name), "{name}");
        }
        for name in [
            "bert.embeddings.LayerNorm.weight",
            "distilbert.transformer.layer.0.sa_layer_norm.weight",
            "distilbert.transformer.layer.0.output_layer_norm.bias",
            "distilbert.embeddings.LayerNorm.weight",
            "pre_classifier.bias",
        ] {
            assert!(!trainer_decays(name), "{name}");
        }
    }
}
