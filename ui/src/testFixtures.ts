// Values the component tests share: a library model and the engine's summary of a data file.
import type { DataSummary } from "./bindings/DataSummary";
import type { LibraryEntry } from "./bindings/LibraryEntry";

export const libraryModel: LibraryEntry = {
  id: "nace-1",
  name: "NACE codes",
  folder: "/library/nace-1",
  created_unix: 1_764_000_000,
  base_model: "all-MiniLM-L6-v2",
  dataset: "nace_fr.csv",
  train_rows: 900,
  classes: 88,
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
    ...overrides,
  };
}
