//! Weights in and out of Hugging Face files.
//!
//! Loading and saving both walk the model's `hf_slots` (`weight_map.rs`), so they cannot drift
//! apart. Files are read through [`TensorFile`]: `model.safetensors` (memory-mapped) or
//! `pytorch_model.bin` (burn-store's pickle reader, which interprets the pickle stream as data
//! and never executes code from it).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use burn::tensor::backend::Backend;
use serde::Serialize;

use super::encoder::SequenceClassifier;
use super::weight_map::{canonical_names, is_buffer};
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
    model: &mut SequenceClassifier<B>,
    file: &dyn TensorFile,
    keep_classifier: bool,
    device: &B::Device,
) -> Result<LoadReport, LoadError> {
    let path = file.path().display().to_string();
    let names = model.architecture.weight_names();
    // The head's output layer is sized by the labels: replaced when they change. Its hidden
    // layer (BERT's pooler, RoBERTa's `classifier.dense`, …) is kept when the file has one and
    // drawn fresh when it has not, as `transformers` does for a base model.
    let head_out = format!("{}.", names.head_out);
    let in_head = |name: &str| name.starts_with(&head_out) || name.starts_with(names.head_dense);
    let replaced = |name: &str| !keep_classifier && name.starts_with(&head_out);
    let shapes: BTreeMap<String, Vec<usize>> = file
        .shapes()
        .into_iter()
        .filter(|(stored, _)| !is_buffer(stored))
        .collect();
    let mut by_name: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    for (canonical, stored) in canonical_names(model.architecture, shapes.keys().cloned()) {
        let shape = shapes[&stored].clone();
        by_name.insert(canonical, (stored, shape));
    }
    let mut unexpected = Vec::new();

    let slots = model.hf_slots();
    let wanted: BTreeSet<String> = slots.iter().map(|(n, _)| n.clone()).collect();
    let mut missing = Vec::new();
    let mut initialized = Vec::new();
    let mut to_assign = Vec::new();
    for (name, slot) in slots {
        match by_name.get(&name) {
            Some((stored, found)) if !replaced(&name) => {
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
            _ if in_head(&name) => {
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
        if !wanted.contains(name) && !replaced(name) {
            unexpected.push(stored.clone());
        }
    }
    let new_classifier = initialized.iter().any(|n| n.starts_with(&head_out));
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
    model: &SequenceClassifier<B>,
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
