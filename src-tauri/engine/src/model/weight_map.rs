//! The one declarative key map between the burn modules and the Hub's tensor names.
//!
//! [`SequenceClassifier::hf_slots`] walks the model with its architecture's names
//! (`architecture::WeightNames`); loading and saving both use it, so they cannot drift apart.

use burn::module::Param;
use burn::nn::{Embedding, LayerNorm, Linear};
use burn::tensor::backend::Backend;
use burn::tensor::{Tensor, TensorData};
use burn_store::KeyRemapper;

use super::architecture::{Architecture, WeightNames};
use super::encoder::SequenceClassifier;

/// Names of buffers that Hugging Face checkpoints carry but that are not weights.
pub(super) fn is_buffer(name: &str) -> bool {
    name.ends_with("position_ids") || name.ends_with("token_type_ids")
}

/// How names found in a file become the canonical (`…ForSequenceClassification`) names: the
/// base model's prefix that base-model files (`BertModel`, `RobertaModel`, …) lack, and
/// `LayerNorm.weight/bias` for the `gamma/beta` of old TensorFlow-converted checkpoints.
/// burn-store's `KeyRemapper` rules, applied in order to each name.
fn name_rules(architecture: Architecture) -> KeyRemapper {
    let prefix = architecture.weight_names().prefix;
    KeyRemapper::from_patterns(vec![
        (
            r"^(embeddings|embeddings_project|encoder|transformer|pooler)\.",
            format!("{prefix}.$1."),
        ),
        (r"LayerNorm\.gamma$", "LayerNorm.weight".into()),
        (r"LayerNorm\.beta$", "LayerNorm.bias".into()),
    ])
    .expect("the renaming rules are valid regular expressions")
}

/// Canonical names of tensors found in a file, each with its name as stored.
pub(super) fn canonical_names(
    architecture: Architecture,
    stored: impl Iterator<Item = String>,
) -> Vec<(String, String)> {
    let rules = name_rules(architecture);
    stored
        .map(|name| {
            let canonical =
                rules
                    .patterns
                    .iter()
                    .fold(name.clone(), |name, (pattern, replacement)| {
                        pattern
                            .replace_all(&name, replacement.as_str())
                            .into_owned()
                    });
            (canonical, name)
        })
        .collect()
}

/// Where one Hub tensor lives in the burn model.
pub enum Slot<'a, B: Backend> {
    /// `nn.Linear` weight: `[out, in]` in the file, `[in, out]` in burn.
    LinearWeight(&'a mut Param<Tensor<B, 2>>),
    /// A matrix stored the same way on both sides (embedding tables).
    Matrix(&'a mut Param<Tensor<B, 2>>),
    Vector(&'a mut Param<Tensor<B, 1>>),
}

impl<B: Backend> Slot<'_, B> {
    pub fn param_id(&self) -> burn::module::ParamId {
        match self {
            Slot::LinearWeight(p) | Slot::Matrix(p) => p.id,
            Slot::Vector(p) => p.id,
        }
    }

    pub fn num_elements(&self) -> usize {
        self.hf_shape().iter().product()
    }

    /// The shape the tensor has in a Hugging Face file.
    pub(super) fn hf_shape(&self) -> Vec<usize> {
        match self {
            Slot::LinearWeight(p) => {
                let d = p.lazy_shape().to_vec();
                vec![d[1], d[0]]
            }
            Slot::Matrix(p) => p.lazy_shape().to_vec(),
            Slot::Vector(p) => p.lazy_shape().to_vec(),
        }
    }

    pub(super) fn assign(self, values: Vec<f32>, shape: &[usize], device: &B::Device) {
        match self {
            Slot::LinearWeight(p) => {
                // Transposed here, not with `Tensor::transpose`: that gives a strided view, and a
                // matmul over a view may round differently from one over the contiguous tensor
                // that training produces, so a run resumed from a checkpoint would drift by an
                // ulp from the run that never stopped.
                let (rows, cols) = (shape[0], shape[1]);
                let mut transposed = vec![0.0f32; values.len()];
                for (r, row) in values.chunks_exact(cols).enumerate() {
                    for (c, v) in row.iter().enumerate() {
                        transposed[c * rows + r] = *v;
                    }
                }
                let t =
                    Tensor::<B, 2>::from_data(TensorData::new(transposed, [cols, rows]), device);
                *p = Param::initialized(p.id, t.require_grad());
            }
            Slot::Matrix(p) => {
                let t = Tensor::<B, 2>::from_data(TensorData::new(values, shape.to_vec()), device);
                *p = Param::initialized(p.id, t.require_grad());
            }
            Slot::Vector(p) => {
                let t = Tensor::<B, 1>::from_data(TensorData::new(values, shape.to_vec()), device);
                *p = Param::initialized(p.id, t.require_grad());
            }
        }
    }

    /// Draws the initial values of a lazily initialised parameter now. burn draws them on first
    /// use, and a clone taken before that would draw different ones.
    pub(super) fn materialize(&self) {
        match self {
            Slot::LinearWeight(p) | Slot::Matrix(p) => drop(p.val()),
            Slot::Vector(p) => drop(p.val()),
        }
    }

    /// The values in Hugging Face layout, row-major f32.
    pub(super) fn hf_values(&self) -> (Vec<usize>, Vec<f32>) {
        let data = match self {
            Slot::LinearWeight(p) => p.val().transpose().into_data(),
            Slot::Matrix(p) => p.val().into_data(),
            Slot::Vector(p) => p.val().into_data(),
        };
        let shape = data.shape.to_vec();
        let values = data
            .convert::<f32>()
            .into_vec::<f32>()
            .expect("converted to f32");
        (shape, values)
    }
}

#[derive(Default)]
struct SlotList<'a, B: Backend>(Vec<(String, Slot<'a, B>)>);

impl<'a, B: Backend> SlotList<'a, B> {
    fn linear(&mut self, prefix: &str, linear: &'a mut Linear<B>) {
        self.0.push((
            format!("{prefix}.weight"),
            Slot::LinearWeight(&mut linear.weight),
        ));
        let bias = linear
            .bias
            .as_mut()
            .expect("the family's linear layers all have a bias");
        self.0.push((format!("{prefix}.bias"), Slot::Vector(bias)));
    }

    fn layer_norm(&mut self, prefix: &str, norm: &'a mut LayerNorm<B>) {
        self.0
            .push((format!("{prefix}.weight"), Slot::Vector(&mut norm.gamma)));
        let beta = norm
            .beta
            .as_mut()
            .expect("the family's LayerNorms all have a bias");
        self.0.push((format!("{prefix}.bias"), Slot::Vector(beta)));
    }

    fn embedding(&mut self, name: &str, embedding: &'a mut Embedding<B>) {
        self.0.push((
            format!("{name}.weight"),
            Slot::Matrix(&mut embedding.weight),
        ));
    }
}

impl<B: Backend> SequenceClassifier<B> {
    /// Every parameter with its Hugging Face name, in the order of `transformers`' modules.
    pub fn hf_slots(&mut self) -> Vec<(String, Slot<'_, B>)> {
        let names: &WeightNames = self.architecture.weight_names();
        let base = |part: &str| format!("{}.{part}", names.prefix);
        let mut slots = SlotList::default();
        let emb = &mut self.embeddings;
        slots.embedding(&base(names.word_embeddings), &mut emb.word_embeddings);
        slots.embedding(
            &base(names.position_embeddings),
            &mut emb.position_embeddings,
        );
        if let (Some(name), Some(token_types)) = (
            names.token_type_embeddings,
            emb.token_type_embeddings.as_mut(),
        ) {
            slots.embedding(&base(name), token_types);
        }
        slots.layer_norm(&base(names.embeddings_norm), &mut emb.layer_norm);
        if let (Some(name), Some(project)) = (names.embeddings_project, emb.project.as_mut()) {
            slots.linear(&base(name), project);
        }
        for (i, layer) in self.layers.iter_mut().enumerate() {
            let p = base(&format!("{}.{i}", names.layers));
            let att = &mut layer.attention;
            slots.linear(&format!("{p}.{}", names.query), &mut att.query);
            slots.linear(&format!("{p}.{}", names.key), &mut att.key);
            slots.linear(&format!("{p}.{}", names.value), &mut att.value);
            slots.linear(&format!("{p}.{}", names.attention_output), &mut att.output);
            slots.layer_norm(
                &format!("{p}.{}", names.attention_norm),
                &mut att.output_layer_norm,
            );
            slots.linear(
                &format!("{p}.{}", names.intermediate),
                &mut layer.intermediate,
            );
            slots.linear(&format!("{p}.{}", names.output), &mut layer.output);
            slots.layer_norm(
                &format!("{p}.{}", names.output_norm),
                &mut layer.output_layer_norm,
            );
        }
        slots.linear(names.head_dense, &mut self.head.dense);
        slots.linear(names.head_out, &mut self.head.out);
        slots.0
    }
}
