//! The BERT-family classifier: architectures, configuration, burn modules, Hugging Face
//! weights, the tokenizer, model folders.

mod architecture;
mod config;
mod encoder;
mod folder;
mod threshold;
pub mod tokenizer;
mod weight_map;
mod weights;
mod work;

pub use architecture::{Architecture, HeadActivation, HeadShape, WeightNames};
pub use config::{EncoderConfig, ModelConfig, SUPPORTED_ACTIVATIONS};
pub use encoder::{
    Activation, ClassificationHead, ClassifierOutput, Embeddings, EncoderLayer, ModelInput,
    SelfAttention, SequenceClassifier,
};
pub use folder::{
    LoadOptions, LoadedModel, load_model_folder, save_model_folder, write_model_files,
};
pub use threshold::set_decision_threshold;
pub use tokenizer::{TextTokenizer, TokenSpan, TokenizedBatch, TokenizerFacts};
pub use weight_map::Slot;
pub use weights::{
    LoadReport, PytorchFile, SafetensorsFile, TensorFile, load_weights, write_f32_safetensors,
    write_safetensors,
};
pub use work::EncoderWork;
// Loading's own error, defined with the engine's others.
pub use crate::error::LoadError;
