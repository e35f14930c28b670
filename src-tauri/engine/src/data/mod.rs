//! Data: from CSV files and text to model inputs.

pub mod csv_input;
pub mod dataset;
pub mod tokenizer;

pub use csv_input::{CsvDialect, CsvPreview, TextEncoding, preview_csv, sniff_dialect};
pub use dataset::{
    LabelledRows, Split, encode_labels, read_labelled_csv, sorted_label_names, stratified_split,
};
pub use tokenizer::{TextTokenizer, TokenizedBatch, TokenizerFacts};
