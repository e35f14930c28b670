//! The BERT classifier: configuration, burn modules, Hugging Face weights, its tokenizer, model
//! folders.

mod bert;
mod config;
mod folder;
pub mod tokenizer;
mod weights;

pub use bert::{
    Activation, BertEmbeddings, BertForSequenceClassification, BertInput, BertLayer, BertModel,
    BertOutput, BertPooler, BertSelfAttention,
};
pub use config::{BertConfig, ModelConfig, SUPPORTED_ACTIVATIONS, SUPPORTED_MODEL_TYPES};
pub use folder::{
    LoadOptions, LoadedModel, load_model_folder, save_model_folder, write_model_files,
};
pub use tokenizer::{TextTokenizer, TokenizedBatch, TokenizerFacts};
pub use weights::{
    LoadReport, PytorchFile, SafetensorsFile, Slot, TensorFile, load_weights,
    write_f32_safetensors, write_safetensors,
};
// Loading's own error, defined with the engine's others.
pub use crate::error::LoadError;
