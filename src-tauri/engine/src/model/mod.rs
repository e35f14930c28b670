//! The BERT classifier: configuration, burn modules, Hugging Face weights, model folders.

mod bert;
mod config;
mod folder;
mod weights;

pub use bert::{
    Activation, BertEmbeddings, BertForSequenceClassification, BertInput, BertLayer, BertModel,
    BertOutput, BertPooler, BertSelfAttention,
};
pub use config::{BertConfig, ModelConfig, SUPPORTED_ACTIVATIONS, SUPPORTED_MODEL_TYPES};
pub use folder::{
    LoadOptions, LoadedModel, load_model_folder, save_model_folder, write_model_files,
};
pub use weights::{
    LoadError, LoadReport, PytorchFile, SafetensorsFile, Slot, TensorFile, load_weights,
    write_f32_safetensors, write_safetensors,
};
