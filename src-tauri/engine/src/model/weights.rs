//! Weights in and out of Hugging Face files.
//!
//! [`BertForSequenceClassification::hf_slots`] is the one declarative key map between the
//! burn modules and the Hub's tensor names; loading and saving both walk it, so they cannot
//! drift apart. Files are read through [`TensorFile`]: `model.safetensors` (memory-mapped) or
//! `pytorch_model.bin` (burn-store's pickle reader, which interprets the pickle stream as data
//! and never executes code from it).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use burn::module::Param;
use burn::nn::{LayerNorm, Linear};
use burn::tensor::backend::Backend;
use burn::tensor::{Tensor, TensorData};
use burn_store::KeyRemapper;
use serde::Serialize;

use super::bert::BertForSequenceClassification;
use crate::error::LoadError;

/// What loading did besides reading tensors: the user sees this.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LoadReport {
    /// The weights file that was read.
    pub weights_file: PathBuf,
    /// Tensors not in the file, freshly initialised (the classifier of a base model, for one).
    pub initialized: Vec<String>,
    /// Tensors in the file that this model has no place for (pre-training heads, for one).
    pub unexpected: Vec<String>,
    /// True when the classification head was initialised rather than read.
    pub new_classifier: bool,
}

/// Names of buffers that Hugging Face checkpoints carry but that are not weights.
fn is_buffer(name: &str) -> bool {
    name.ends_with("position_ids") || name.ends_with("token_type_ids")
}

/// Tensors that may be absent from a checkpoint: they are initialised as `transformers` does.
fn may_be_initialized(name: &str) -> bool {
    name.starts_with("classifier.") || name.starts_with("bert.pooler.")
}

/// How names found in a file become the canonical (BertForSequenceClassification) names:
/// the `bert.` prefix that base-model files (`BertModel`) lack, and `LayerNorm.weight/bias`
/// for the `gamma/beta` of old TensorFlow-converted checkpoints. burn-store's `KeyRemapper`
/// rules, applied in order to each name.
fn name_rules() -> &'static KeyRemapper {
    static RULES: std::sync::OnceLock<KeyRemapper> = std::sync::OnceLock::new();
    RULES.get_or_init(|| {
        KeyRemapper::from_patterns(vec![
            (r"^(embeddings|encoder|pooler)\.", "bert.$1."),
            (r"LayerNorm\.gamma$", "LayerNorm.weight"),
            (r"LayerNorm\.beta$", "LayerNorm.bias"),
        ])
        .expect("the renaming rules are valid regular expressions")
    })
}

/// The canonical name of a tensor found in a file (`name_rules`).
fn canonical_name(name: &str) -> String {
    name_rules()
        .patterns
        .iter()
        .fold(name.to_string(), |name, (pattern, replacement)| {
            pattern
                .replace_all(&name, replacement.as_str())
                .into_owned()
        })
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
    fn hf_shape(&self) -> Vec<usize> {
        match self {
            Slot::LinearWeight(p) => {
                let d = p.lazy_shape().to_vec();
                vec![d[1], d[0]]
            }
            Slot::Matrix(p) => p.lazy_shape().to_vec(),
            Slot::Vector(p) => p.lazy_shape().to_vec(),
        }
    }

    fn assign(self, values: Vec<f32>, shape: &[usize], device: &B::Device) {
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
    fn materialize(&self) {
        match self {
            Slot::LinearWeight(p) | Slot::Matrix(p) => drop(p.val()),
            Slot::Vector(p) => drop(p.val()),
        }
    }

    /// The values in Hugging Face layout, row-major f32.
    fn hf_values(&self) -> (Vec<usize>, Vec<f32>) {
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
            .expect("BERT linear layers have a bias");
        self.0.push((format!("{prefix}.bias"), Slot::Vector(bias)));
    }

    fn layer_norm(&mut self, prefix: &str, norm: &'a mut LayerNorm<B>) {
        self.0
            .push((format!("{prefix}.weight"), Slot::Vector(&mut norm.gamma)));
        let beta = norm.beta.as_mut().expect("BERT LayerNorms have a bias");
        self.0.push((format!("{prefix}.bias"), Slot::Vector(beta)));
    }

    fn matrix(&mut self, name: &str, param: &'a mut Param<Tensor<B, 2>>) {
        self.0.push((name.to_string(), Slot::Matrix(param)));
    }
}

impl<B: Backend> BertForSequenceClassification<B> {
    /// Every parameter with its Hugging Face name, in the order of `modeling_bert.py`.
    pub fn hf_slots(&mut self) -> Vec<(String, Slot<'_, B>)> {
        let mut slots = SlotList::default();
        let emb = &mut self.bert.embeddings;
        slots.matrix(
            "bert.embeddings.word_embeddings.weight",
            &mut emb.word_embeddings.weight,
        );
        slots.matrix(
            "bert.embeddings.position_embeddings.weight",
            &mut emb.position_embeddings.weight,
        );
        slots.matrix(
            "bert.embeddings.token_type_embeddings.weight",
            &mut emb.token_type_embeddings.weight,
        );
        slots.layer_norm("bert.embeddings.LayerNorm", &mut emb.layer_norm);
        for (i, layer) in self.bert.layers.iter_mut().enumerate() {
            let p = format!("bert.encoder.layer.{i}");
            let att = &mut layer.attention;
            slots.linear(&format!("{p}.attention.self.query"), &mut att.query);
            slots.linear(&format!("{p}.attention.self.key"), &mut att.key);
            slots.linear(&format!("{p}.attention.self.value"), &mut att.value);
            slots.linear(&format!("{p}.attention.output.dense"), &mut att.output);
            slots.layer_norm(
                &format!("{p}.attention.output.LayerNorm"),
                &mut att.output_layer_norm,
            );
            slots.linear(&format!("{p}.intermediate.dense"), &mut layer.intermediate);
            slots.linear(&format!("{p}.output.dense"), &mut layer.output);
            slots.layer_norm(
                &format!("{p}.output.LayerNorm"),
                &mut layer.output_layer_norm,
            );
        }
        slots.linear("bert.pooler.dense", &mut self.bert.pooler.dense);
        slots.linear("classifier", &mut self.classifier);
        slots.0
    }
}

/// A file of named tensors, read lazily.
pub trait TensorFile {
    fn path(&self) -> &Path;
    /// Every tensor's name (as stored) and shape.
    fn shapes(&self) -> Vec<(String, Vec<usize>)>;
    /// One tensor as row-major f32 values.
    fn read_f32(&self, name: &str) -> Result<Vec<f32>, LoadError>;
}

/// `model.safetensors`, memory-mapped so a large checkpoint is not copied twice.
pub struct SafetensorsFile {
    path: PathBuf,
    mmap: memmap2::Mmap,
    tensors: BTreeMap<String, safetensors::tensor::TensorInfo>,
    data_start: usize,
    /// The header's `__metadata__` (text keys and values).
    metadata: std::collections::HashMap<String, String>,
}

impl SafetensorsFile {
    pub fn open(path: &Path) -> Result<Self, LoadError> {
        let corrupt = |reason: String| LoadError::CorruptWeights {
            path: path.display().to_string(),
            reason,
        };
        let file = std::fs::File::open(path).map_err(|e| corrupt(e.to_string()))?;
        // SAFETY: the map is read-only and private to this process; the file is not expected to
        // change while a model loads (the app writes models through temp-then-rename).
        let mmap = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| corrupt(e.to_string()))?;
        // `deserialize` checks the header and that every tensor's bytes lie inside the file,
        // so a truncated download is caught here rather than when a tensor is read.
        safetensors::SafeTensors::deserialize(&mmap)
            .map_err(|e| corrupt(describe_safetensors_error(&e)))?;
        let (header_len, metadata) = safetensors::SafeTensors::read_metadata(&mmap)
            .map_err(|e| corrupt(describe_safetensors_error(&e)))?;
        let tensors = metadata
            .tensors()
            .into_iter()
            .map(|(name, info)| (name, info.clone()))
            .collect();
        Ok(SafetensorsFile {
            path: path.to_path_buf(),
            tensors,
            data_start: 8 + header_len,
            metadata: metadata.metadata().clone().unwrap_or_default(),
            mmap,
        })
    }

    /// A value of the header's metadata.
    pub fn metadata(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).map(String::as_str)
    }
}

fn describe_safetensors_error(err: &safetensors::SafeTensorError) -> String {
    use safetensors::SafeTensorError as E;
    match err {
        E::HeaderTooSmall | E::InvalidHeaderLength | E::MetadataIncompleteBuffer => {
            "the file is shorter than its header says; it was probably cut off during a download or copy".into()
        }
        E::InvalidHeader(_) | E::InvalidHeaderStart | E::InvalidHeaderDeserialization(_) => {
            "it does not start with a valid safetensors header".into()
        }
        other => other.to_string(),
    }
}

impl TensorFile for SafetensorsFile {
    fn path(&self) -> &Path {
        &self.path
    }

    fn shapes(&self) -> Vec<(String, Vec<usize>)> {
        self.tensors
            .iter()
            .map(|(n, info)| (n.clone(), info.shape.clone()))
            .collect()
    }

    fn read_f32(&self, name: &str) -> Result<Vec<f32>, LoadError> {
        use safetensors::Dtype;
        let info = self
            .tensors
            .get(name)
            .ok_or_else(|| LoadError::MissingTensors {
                path: self.path.display().to_string(),
                names: vec![name.to_string()],
            })?;
        let (start, end) = info.data_offsets;
        let bytes = &self.mmap[self.data_start + start..self.data_start + end];
        let values = match info.dtype {
            Dtype::F32 => bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            Dtype::F16 => bytes
                .chunks_exact(2)
                .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            Dtype::BF16 => bytes
                .chunks_exact(2)
                .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            Dtype::F64 => bytes
                .chunks_exact(8)
                .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")) as f32)
                .collect(),
            other => {
                return Err(LoadError::UnsupportedDType {
                    path: self.path.display().to_string(),
                    name: name.to_string(),
                    dtype: format!("{other:?}"),
                });
            }
        };
        Ok(values)
    }
}

/// `pytorch_model.bin`, for folders that have no safetensors file.
pub struct PytorchFile {
    path: PathBuf,
    tensors: BTreeMap<String, burn_store::TensorSnapshot>,
}

impl PytorchFile {
    pub fn open(path: &Path) -> Result<Self, LoadError> {
        let reader = burn_store::pytorch::PytorchReader::new(path).map_err(|e| {
            LoadError::CorruptWeights {
                path: path.display().to_string(),
                reason: format!("it is not a readable PyTorch checkpoint: {e}"),
            }
        })?;
        Ok(PytorchFile {
            path: path.to_path_buf(),
            tensors: reader.into_tensors().into_iter().collect(),
        })
    }
}

impl TensorFile for PytorchFile {
    fn path(&self) -> &Path {
        &self.path
    }

    fn shapes(&self) -> Vec<(String, Vec<usize>)> {
        self.tensors
            .iter()
            .map(|(n, s)| (n.clone(), s.shape.to_vec()))
            .collect()
    }

    fn read_f32(&self, name: &str) -> Result<Vec<f32>, LoadError> {
        let snapshot = &self.tensors[name];
        if !snapshot.dtype.is_float() {
            return Err(LoadError::UnsupportedDType {
                path: self.path.display().to_string(),
                name: name.to_string(),
                dtype: format!("{:?}", snapshot.dtype),
            });
        }
        let data = snapshot.to_data().map_err(|e| LoadError::CorruptWeights {
            path: self.path.display().to_string(),
            reason: format!("the tensor \"{name}\" cannot be read: {e}"),
        })?;
        data.convert::<f32>()
            .into_vec::<f32>()
            .map_err(|e| LoadError::CorruptWeights {
                path: self.path.display().to_string(),
                reason: format!("the tensor \"{name}\" cannot be read: {e:?}"),
            })
    }
}

/// Copies the tensors of `file` into `model`, checking every name and shape first.
///
/// `keep_classifier = false` leaves the freshly initialised classification head in place even
/// when the file has one (fine-tuning a classifier on a new set of labels).
pub fn load_weights<B: Backend>(
    model: &mut BertForSequenceClassification<B>,
    file: &dyn TensorFile,
    keep_classifier: bool,
    device: &B::Device,
) -> Result<LoadReport, LoadError> {
    let path = file.path().display().to_string();
    let mut by_name: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    let mut unexpected = Vec::new();
    for (stored, shape) in file.shapes() {
        if is_buffer(&stored) {
            continue;
        }
        by_name.insert(canonical_name(&stored), (stored, shape));
    }

    let slots = model.hf_slots();
    let wanted: BTreeSet<String> = slots.iter().map(|(n, _)| n.clone()).collect();
    let mut missing = Vec::new();
    let mut initialized = Vec::new();
    let mut to_assign = Vec::new();
    for (name, slot) in slots {
        let skip = !keep_classifier && name.starts_with("classifier.");
        match by_name.get(&name) {
            Some((stored, found)) if !skip => {
                let expected = slot.hf_shape();
                if *found != expected {
                    return Err(LoadError::ShapeMismatch {
                        path,
                        name: stored.clone(),
                        expected,
                        found: found.clone(),
                    });
                }
                to_assign.push((stored.clone(), found.clone(), slot));
            }
            _ if may_be_initialized(&name) => {
                slot.materialize();
                initialized.push(name);
            }
            _ => missing.push(name),
        }
    }
    if !missing.is_empty() {
        return Err(LoadError::MissingTensors {
            path,
            names: missing,
        });
    }
    for (stored, shape, slot) in to_assign {
        let values = file.read_f32(&stored)?;
        slot.assign(values, &shape, device);
    }
    for (name, (stored, _)) in &by_name {
        let used_elsewhere = !keep_classifier && name.starts_with("classifier.");
        if !wanted.contains(name) && !used_elsewhere {
            unexpected.push(stored.clone());
        }
    }
    let new_classifier = initialized.iter().any(|n| n.starts_with("classifier."));
    Ok(LoadReport {
        weights_file: file.path().to_path_buf(),
        initialized,
        unexpected,
        new_classifier,
    })
}

/// Writes every parameter under its Hugging Face name, in f32, as `transformers` expects
/// (`format: pt` in the header metadata).
pub fn write_safetensors<B: Backend>(
    model: &BertForSequenceClassification<B>,
    path: &Path,
) -> std::io::Result<()> {
    let mut model = model.clone();
    let tensors = model
        .hf_slots()
        .into_iter()
        .map(|(name, slot)| {
            let (shape, values) = slot.hf_values();
            (name, shape, values)
        })
        .collect();
    let metadata = std::collections::HashMap::from([("format".to_string(), "pt".to_string())]);
    write_f32_safetensors(path, tensors, metadata)
}

/// Writes f32 tensors (name, shape, row-major values) as a safetensors file.
pub fn write_f32_safetensors(
    path: &Path,
    tensors: Vec<(String, Vec<usize>, Vec<f32>)>,
    metadata: std::collections::HashMap<String, String>,
) -> std::io::Result<()> {
    let bytes: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
        .into_iter()
        .map(|(name, shape, values)| {
            (
                name,
                shape,
                values.iter().flat_map(|v| v.to_le_bytes()).collect(),
            )
        })
        .collect();
    let views = bytes
        .iter()
        .map(|(name, shape, bytes)| {
            let view =
                safetensors::tensor::TensorView::new(safetensors::Dtype::F32, shape.clone(), bytes)
                    .expect("shape matches byte count");
            (name.clone(), view)
        })
        .collect::<Vec<_>>();
    safetensors::serialize_to_file(views, Some(metadata), path).map_err(|e| match e {
        safetensors::SafeTensorError::IoError(io) => io,
        other => std::io::Error::other(other.to_string()),
    })
}
