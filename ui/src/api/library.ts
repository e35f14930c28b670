// The model library: list, report, rename, a multi-label model's threshold, delete, show,
// import and export.
import { invoke } from "@tauri-apps/api/core";
import type { LibraryEntry } from "../bindings/LibraryEntry";
import type { TrainingReport } from "../bindings/TrainingReport";

export const libraryApi = {
  listModels: () => invoke<LibraryEntry[]>("list_models"),
  modelReport: (modelId: string) => invoke<TrainingReport>("model_report", { modelId }),
  exportModel: (modelId: string) => invoke<string | null>("export_model", { modelId }),
  renameModel: (modelId: string, name: string) => invoke<LibraryEntry>("rename_model", { modelId, name }),
  setDecisionThreshold: (modelId: string, threshold: number) => invoke<void>("set_decision_threshold", { modelId, threshold }),
  deleteModel: (modelId: string) => invoke<void>("delete_model", { modelId }),
  revealModel: (modelId: string) => invoke<void>("reveal_model", { modelId }),
  importModel: () => invoke<LibraryEntry | null>("import_model"),
};
