// Values the component tests share: the reference recipe, app_info's answer, a library model
// and the engine's summary of a data file.
import type { AppInfo } from "./bindings/AppInfo";
import type { CsvPreview } from "./bindings/CsvPreview";
import type { DataSummary } from "./bindings/DataSummary";
import type { LibraryEntry } from "./bindings/LibraryEntry";
import type { Message } from "./bindings/Message";
import type { Recipe } from "./bindings/Recipe";

/** The engine's first look at a CSV file of activity descriptions. */
export const csvPreview: CsvPreview = {
  path: "/home/me/activites.csv",
  dialect: { delimiter: ",", encoding: "utf8" },
  headers: ["id", "libelle"],
  rows: [["1", "boulangerie"]],
  guessed_text_column: "libelle",
  guessed_label_column: null,
};

/** The engine's default recipe (the reference notebook's), as app_info sends it. */
export const defaultRecipe: Recipe = {
  model: "bert-base-multilingual-uncased",
  text_column: "text",
  label_column: "label",
  label_names_column: null,
  label_names_file: null,
  label_names_as_labels: false,
  label_separator: null,
  label_columns: [],
  decision_threshold: 0.5,
  epochs: 4,
  learning_rate: 5e-5,
  scheduler: "linear",
  train_batch_size: 16,
  eval_batch_size: 32,
  gradient_accumulation_steps: 2,
  group_by_length: true,
  class_weights: "none",
  weight_decay: 0.01,
  warmup_ratio: 0.1,
  max_seq_len: 256,
  eval_strategy: "epoch",
  eval_steps: 500,
  logging_strategy: "epoch",
  logging_steps: 500,
  save_strategy: "no",
  fp16: false,
  bf16: false,
  precision: "fast",
  load_best: false,
  metric_for_best_model: "loss",
  early_stopping_patience: 0,
  early_stopping_threshold: 0,
  seed: 42,
  validation_fraction: 0.05,
  max_grad_norm: 1,
  device: "auto",
};

/** What app_info answers: the default recipe, no suggested models. */
export const appInfo: AppInfo = {
  version: "0.1.0",
  build_date: "2026-12-01",
  backends: [words("CPU (burn-flex)"), words("GPU through wgpu (Vulkan, Metal, DirectX 12)")],
  library_folder: "/library",
  sample_data: "/app/sample/nace_fr.csv",
  sample_data_licence: words("Eurostat, NACE Rev. 2 explanatory notes in French, © European Union."),
  sample_label_names: { en: "/app/sample/nace_names_en.csv", fr: "/app/sample/nace_names_fr.csv" },
  default_recipe: defaultRecipe,
  suggested_models: [],
  system_languages: [],
};

export const libraryModel: LibraryEntry = {
  id: "nace-1",
  name: "NACE codes",
  folder: "/library/nace-1",
  created_unix: 1_764_000_000,
  base_model: "all-MiniLM-L6-v2",
  dataset: "nace_fr.csv",
  train_rows: 900,
  classes: 88,
  multi_label: false,
  accuracy: 0.5,
  macro_f1: 0.4,
  wall_seconds: 60,
  backend: "CPU",
  trained_here: true,
};

/** 1,200 rows read, 1,140 for training and 60 held out; classes and warnings as given. */
export function dataSummary(overrides: Partial<DataSummary> = {}): DataSummary {
  return {
    train_file: "/home/me/activites.csv",
    validation_file: null,
    delimiter: "comma",
    encoding: "UTF-8",
    rows_read: 1200,
    skipped_empty_text: 0,
    skipped_empty_label: 0,
    train_rows: 1140,
    validation_rows: 60,
    classes: [],
    truncated_texts: 0,
    warnings: [],
    validation_fingerprint: "0-60",
    multi_label: false,
    label_names: {},
    ...overrides,
  };
}

/** Engine words with no catalogue entry: shown as they are. */
export function words(text: string): Message {
  return { id: "", params: {}, text };
}
