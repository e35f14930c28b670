//! Data: from text to model inputs.

pub mod tokenizer;

pub use tokenizer::{TextTokenizer, TokenizedBatch, TokenizerFacts};
