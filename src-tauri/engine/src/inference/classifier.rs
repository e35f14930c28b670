//! A trained classifier kept in memory ("warm"), on whichever backend runs it.

use std::path::{Path, PathBuf};
use ts_rs::TS;

use crate::kernels::FusedOps;
use crate::message::Message;
use crate::said;
use burn::tensor::backend::Backend;
use serde::Serialize;

use crate::backend::CpuBackend;
use crate::backend::DeviceChoice;
#[cfg(any(feature = "wgpu", feature = "cuda"))]
use crate::backend::on_gpu;
use crate::backend::{BackendKind, GpuLoad, choose_backend};
use crate::cancel::CancelToken;
use crate::data::{LabelNames, read_model_label_names};
use crate::error::{EngineError, Result};
use crate::explain::{ExplainOptions, Explanation, explain_loaded};
use crate::metrics::sigmoid;
use crate::model::{LoadOptions, LoadedModel, load_model_folder};
use crate::scoring::{PaddingCount, budget_row_tokens, logits_by_length};
use crate::source::{DownloadEvent, HubSettings, resolve_model};

/// Texts per forward pass when the caller does not choose, counted at `budget_row_tokens`
/// tokens each: shorter texts go more to a batch (a token budget), longer ones fewer.
pub const DEFAULT_BATCH_SIZE: usize = 32;

/// One label and its probability.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct LabelScore {
    pub label: String,
    pub score: f32,
}

/// What the user chose for running a model.
#[derive(Debug, Clone)]
pub struct ClassifierOptions {
    pub device: DeviceChoice,
    /// Longest text in tokens; longer texts are cut. Default: the `max_seq_len` the model was
    /// trained with (its `recipe.json`), else what its position table allows.
    pub max_len: Option<usize>,
    pub hub: HubSettings,
}

impl Default for ClassifierOptions {
    fn default() -> Self {
        ClassifierOptions {
            device: DeviceChoice::Auto,
            max_len: None,
            hub: HubSettings::from_env(),
        }
    }
}

/// Facts about a loaded classifier, for the user.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ClassifierInfo {
    pub model: String,
    #[ts(type = "string")]
    pub folder: PathBuf,
    pub labels: Vec<String>,
    /// The labels' names kept in the model folder (code → name); empty when it has none.
    pub label_names: LabelNames,
    pub max_len: usize,
    pub backend: String,
    pub backend_reason: Message,
    /// A multi-label model's decision threshold: each label scores on its own (sigmoid) and
    /// is predicted from this score. Absent for a single-label model (softmax over classes).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub decision_threshold: Option<f64>,
    /// What joins a multi-label model's predicted labels in one cell: the separator it was
    /// trained with, `|` otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub label_separator: Option<String>,
    /// A multi-label model trained on one 0/1 column per label (named as its labels): a file
    /// to evaluate it on holds the same columns.
    pub labels_in_columns: bool,
}

/// What a loaded model's head says: its labels, the longest input, how it scores.
struct HeadFacts {
    labels: Vec<String>,
    position_limit: usize,
    decision_threshold: Option<f64>,
}

/// A classifier on one backend.
struct WarmModel<B: Backend> {
    loaded: LoadedModel<B>,
    device: B::Device,
}

impl<B: FusedOps> WarmModel<B> {
    /// The model on `B`'s default device, wrapped by `on`, with its labels and the longest
    /// input its position table and tokenizer allow.
    fn load(folder: &Path, on: impl FnOnce(Self) -> OnBackend) -> Result<(OnBackend, HeadFacts)> {
        let device = B::Device::default();
        let loaded = load_model_folder::<B>(folder, &LoadOptions::default(), &device)?;
        if loaded.report.new_classifier {
            return Err(EngineError::invalid(said!(
                "invalid.base_model",
                "The model in \"{path}\" has no trained classification head (it is a base \
                 model): train it on labelled data first, then classify with the trained model.",
                path = folder.display().to_string()
            )));
        }
        let labels = loaded.config.labels();
        let position_limit = loaded.config.max_sequence_length().min(
            loaded
                .tokenizer
                .facts()
                .model_max_length
                .unwrap_or(usize::MAX),
        );
        let decision_threshold = loaded.config.decision_threshold();
        let facts = HeadFacts {
            labels,
            position_limit,
            decision_threshold,
        };
        Ok((on(WarmModel { loaded, device }), facts))
    }

    fn logits(
        &self,
        texts: &[&str],
        max_len: usize,
        budget: usize,
        padding: &PaddingCount,
        cancel: &CancelToken,
    ) -> Result<Vec<Option<Vec<f32>>>> {
        let mut out = vec![None; texts.len()];
        let filled: Vec<usize> = (0..texts.len())
            .filter(|i| !texts[*i].trim().is_empty())
            .collect();
        let to_encode: Vec<&str> = filled.iter().map(|i| texts[*i]).collect();
        let ids = self.loaded.tokenizer.encode_each(&to_encode, max_len)?;
        let logits = logits_by_length(
            &self.loaded.model,
            &self.loaded.tokenizer,
            &ids,
            budget,
            &self.device,
            padding,
            cancel,
        )?;
        for (j, row) in logits.into_iter().enumerate() {
            out[filled[j]] = Some(row);
        }
        Ok(out)
    }
}

/// Probabilities from logits, computed in f64 so that tiny probabilities keep their order.
pub fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let exps: Vec<f64> = logits.iter().map(|v| (*v as f64 - max).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.iter().map(|e| (e / sum) as f32).collect()
}

/// The `k` most probable labels, most probable first (ties: the lower class index first).
pub fn top_k(probabilities: &[f32], labels: &[String], k: usize) -> Vec<LabelScore> {
    let mut order: Vec<usize> = (0..probabilities.len()).collect();
    order.sort_by(|a, b| {
        probabilities[*b]
            .total_cmp(&probabilities[*a])
            .then(a.cmp(b))
    });
    order
        .into_iter()
        .take(k)
        .map(|c| LabelScore {
            label: labels[c].clone(),
            score: probabilities[c],
        })
        .collect()
}

enum OnBackend {
    Cpu(WarmModel<CpuBackend>),
    #[cfg(feature = "wgpu")]
    Wgpu(WarmModel<crate::backend::WgpuBackend>),
    #[cfg(feature = "cuda")]
    Cuda(WarmModel<crate::backend::CudaBackend>),
}

impl OnBackend {
    fn kind(&self) -> BackendKind {
        match self {
            OnBackend::Cpu(_) => BackendKind::Cpu,
            #[cfg(feature = "wgpu")]
            OnBackend::Wgpu(_) => BackendKind::Wgpu,
            #[cfg(feature = "cuda")]
            OnBackend::Cuda(_) => BackendKind::Cuda,
        }
    }
}

/// A trained model loaded once and kept in memory, ready to classify texts (the app's "try
/// it" box, and every file it classifies).
pub struct Classifier {
    on: OnBackend,
    info: ClassifierInfo,
    padding: PaddingCount,
}

impl std::fmt::Debug for Classifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classifier")
            .field("info", &self.info)
            .finish()
    }
}

impl Classifier {
    /// Loads a trained model folder (or a Hub id, downloaded when needed).
    pub fn load(
        model: &str,
        options: &ClassifierOptions,
        on_download: &mut dyn FnMut(DownloadEvent),
    ) -> Result<Self> {
        let folder = resolve_model(model, &options.hub, on_download)?;
        let backend = choose_backend(options.device)?;
        #[cfg_attr(not(any(feature = "wgpu", feature = "cuda")), allow(unused_variables))]
        let loading = GpuLoad {
            batch_size: DEFAULT_BATCH_SIZE,
            // Until the folder says its own limit: BERT's usual one.
            max_seq_len: options.max_len.unwrap_or(512),
        };
        let (on, head) = match backend.kind {
            BackendKind::Cpu => WarmModel::load(&folder, OnBackend::Cpu)?,
            #[cfg(feature = "wgpu")]
            BackendKind::Wgpu => on_gpu(backend.name, loading, || {
                WarmModel::load(&folder, OnBackend::Wgpu)
            })?,
            #[cfg(feature = "cuda")]
            BackendKind::Cuda => on_gpu(backend.name, loading, || {
                WarmModel::load(&folder, OnBackend::Cuda)
            })?,
        };
        let position_limit = head.position_limit;
        let max_len = match options.max_len {
            Some(n) if n < 2 => {
                return Err(crate::model::tokenizer::max_len_too_short());
            }
            Some(n) => n.min(position_limit),
            None => trained_max_len(&folder)
                .unwrap_or(position_limit)
                .min(position_limit),
        };
        let info = ClassifierInfo {
            model: model.to_string(),
            label_names: read_model_label_names(&folder),
            label_separator: head
                .decision_threshold
                .map(|_| trained_label_separator(&folder).unwrap_or_else(|| "|".into())),
            labels_in_columns: head.decision_threshold.is_some()
                && trained_on_label_columns(&folder),
            folder,
            labels: head.labels,
            max_len,
            backend: backend.name.to_string(),
            backend_reason: backend.reason.said(),
            decision_threshold: head.decision_threshold,
        };
        Ok(Classifier {
            on,
            info,
            padding: PaddingCount::default(),
        })
    }

    pub fn info(&self) -> &ClassifierInfo {
        &self.info
    }

    pub fn labels(&self) -> &[String] {
        &self.info.labels
    }

    /// Tokens read and padding computed so far (the share of wasted work).
    pub fn padding(&self) -> &PaddingCount {
        &self.padding
    }

    /// A multi-label model's decision threshold (`None`: a single-label model).
    pub fn decision_threshold(&self) -> Option<f64> {
        self.info.decision_threshold
    }

    /// Class probabilities (a multi-label model: each label's own score, the sigmoid of its
    /// logit) of each text, in input order; `None` for an empty text.
    pub fn probabilities(
        &self,
        texts: &[&str],
        batch_size: usize,
        cancel: &CancelToken,
    ) -> Result<Vec<Option<Vec<f32>>>> {
        let multi_label = self.decision_threshold().is_some();
        Ok(self
            .logits(texts, batch_size, cancel)?
            .into_iter()
            .map(|row| {
                row.map(|row| {
                    if multi_label {
                        row.iter().map(|x| sigmoid(*x)).collect()
                    } else {
                        softmax(&row)
                    }
                })
            })
            .collect())
    }

    /// The head's logits of each text, in input order; `None` for an empty text. Texts are
    /// batched by similar length, `batch_size × budget_row_tokens` padded tokens per batch at
    /// most, so little padding is computed.
    pub fn logits(
        &self,
        texts: &[&str],
        batch_size: usize,
        cancel: &CancelToken,
    ) -> Result<Vec<Option<Vec<f32>>>> {
        let max_len = self.info.max_len;
        let budget = batch_size.max(1) * budget_row_tokens(self.on.kind());
        #[cfg_attr(not(any(feature = "wgpu", feature = "cuda")), allow(unused_variables))]
        let load = GpuLoad {
            batch_size,
            max_seq_len: max_len,
        };
        match &self.on {
            OnBackend::Cpu(w) => {
                // The warm classifier answers on whichever thread asks.
                crate::kernels::prepare_cpu_compute();
                w.logits(texts, max_len, budget, &self.padding, cancel)
            }
            #[cfg(feature = "wgpu")]
            OnBackend::Wgpu(w) => on_gpu(&self.info.backend, load, || {
                w.logits(texts, max_len, budget, &self.padding, cancel)
            }),
            #[cfg(feature = "cuda")]
            OnBackend::Cuda(w) => on_gpu(&self.info.backend, load, || {
                w.logits(texts, max_len, budget, &self.padding, cancel)
            }),
        }
    }

    /// The `k` most probable labels of each text (empty for an empty text); for a multi-label
    /// model, every label it gives the text (score at or above its threshold), best first.
    pub fn classify_texts(&self, texts: &[&str], k: usize) -> Result<Vec<Vec<LabelScore>>> {
        let labels = self.labels();
        Ok(self
            .probabilities(texts, DEFAULT_BATCH_SIZE, &CancelToken::new())?
            .into_iter()
            .map(|p| match (p, self.decision_threshold()) {
                (None, _) => Vec::new(),
                (Some(p), None) => top_k(&p, labels, k),
                (Some(p), Some(threshold)) => top_k(&p, labels, labels.len())
                    .into_iter()
                    .filter(|s| f64::from(s.score) >= threshold)
                    .collect(),
            })
            .collect())
    }
}

impl Classifier {
    /// Which words drove the model's score for `class` (a label, or its name; default: the
    /// class the model gives the text). `cancel` stops it between passes over the steps.
    pub fn explain(
        &self,
        text: &str,
        class: Option<&str>,
        options: &ExplainOptions,
        cancel: &CancelToken,
    ) -> Result<Explanation> {
        let class = class.map(|c| self.label_index(c)).transpose()?;
        let max_len = self.info.max_len;
        match &self.on {
            OnBackend::Cpu(w) => {
                explain_loaded(&w.loaded, &w.device, text, class, max_len, options, cancel)
            }
            #[cfg(feature = "wgpu")]
            OnBackend::Wgpu(w) => {
                explain_loaded(&w.loaded, &w.device, text, class, max_len, options, cancel)
            }
            #[cfg(feature = "cuda")]
            OnBackend::Cuda(w) => {
                explain_loaded(&w.loaded, &w.device, text, class, max_len, options, cancel)
            }
        }
    }

    /// The index of a label given by its code or by its name.
    fn label_index(&self, class: &str) -> Result<usize> {
        let class = class.trim();
        let labels = self.labels();
        labels
            .iter()
            .position(|l| l == class)
            .or_else(|| {
                labels
                    .iter()
                    .position(|l| self.info.label_names.get(l).is_some_and(|n| n == class))
            })
            .ok_or_else(|| {
                EngineError::invalid(said!(
                    "invalid.explain_class",
                    "The model has no class \"{class}\". Its classes are: {labels}.",
                    class = class,
                    labels = labels.join(", ")
                ))
            })
    }
}

/// The top-`k` labels of each text with a model loaded once (see [`Classifier::load`]).
pub fn classify_texts(
    model: &Classifier,
    texts: &[&str],
    k: usize,
) -> Result<Vec<Vec<LabelScore>>> {
    model.classify_texts(texts, k)
}

/// A key of the `recipe.json` that BERT Studio writes next to a trained model.
fn trained_recipe_key(folder: &Path, key: &str) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(folder.join("recipe.json")).ok()?;
    let mut value: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(value.get_mut(key)?.take())
}

fn trained_max_len(folder: &Path) -> Option<usize> {
    trained_recipe_key(folder, "max_seq_len")?
        .as_u64()
        .map(|n| n as usize)
}

fn trained_label_separator(folder: &Path) -> Option<String> {
    trained_recipe_key(folder, "label_separator")?
        .as_str()
        .map(String::from)
}

fn trained_on_label_columns(folder: &Path) -> bool {
    trained_recipe_key(folder, "label_columns")
        .and_then(|v| v.as_array().map(|columns| !columns.is_empty()))
        .unwrap_or(false)
}
