//! Data: labelled rows from CSV files, the validation split and what it holds, batching and
//! fingerprints.

pub mod batching;
pub mod csv_input;
pub mod dataset;
pub mod fingerprint;
pub mod label_names;
pub mod multi_label;
pub mod prepare;
pub mod targets;

pub use batching::{length_grouped_order, shuffled_order, token_budget_batches};
pub use csv_input::{CsvDialect, CsvPreview, TextEncoding, preview_csv, sniff_dialect};
pub use dataset::{
    LabelledRows, Split, encode_labels, read_labelled_csv, sorted_label_names, stratified_split,
};
pub use fingerprint::RowsFingerprint;
pub use label_names::{LabelNames, read_model_label_names, read_names_file};
pub use multi_label::{
    LabelLayout, iterative_split, labels_in_record, model_label_columns, read_label_sets,
    split_label_cell,
};
pub use prepare::{ClassCount, DataSummary, PreparedData, SplitRequest, prepare_split};
pub use targets::Targets;
