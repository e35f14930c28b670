// The data step: how a CSV file is read, and what training would see in it.
import { invoke } from "@tauri-apps/api/core";
import type { CsvDialect } from "../bindings/CsvDialect";
import type { CsvPreview } from "../bindings/CsvPreview";
import type { DataChoice } from "../bindings/DataChoice";
import type { DataSummary } from "../bindings/DataSummary";

export const dataApi = {
  previewData: (path: string, dialect: CsvDialect | null) => invoke<CsvPreview>("preview_data", { path, dialect }),
  summariseData: (choice: DataChoice) => invoke<DataSummary>("summarise_data", { choice }),
};
