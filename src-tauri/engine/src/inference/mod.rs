//! Using a trained model: classify texts and CSV files, evaluate on labelled files.

mod classifier;
mod estimate;
mod evaluate;
mod evaluate_multi_label;
mod predict;
mod raw;
mod stream;

pub use classifier::{
    Classifier, ClassifierInfo, ClassifierOptions, DEFAULT_BATCH_SIZE, LabelScore, classify_texts,
    softmax, top_k,
};
pub use estimate::{ClassifyEstimate, estimate_classification};
pub use evaluate::{
    EvaluateRequest, EvaluationReport, MisclassifiedRow, UnseenLabel, evaluate_csv,
    evaluate_csv_with,
};
pub use predict::{
    LabelCount, PredictRequest, PredictionSummary, multi_label_columns, predict_csv,
    predict_csv_with, prediction_columns,
};
pub use raw::{RawOutputs, forward_texts};
pub use stream::InferenceEvent;
