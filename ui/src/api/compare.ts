// Comparisons of library models, on their own validation data or on a labelled file, and the
// error inspector.
import { invoke } from "@tauri-apps/api/core";
import type { Comparison } from "../bindings/Comparison";
import type { EvaluationReport } from "../bindings/EvaluationReport";
import type { TestFile } from "../bindings/TestFile";

export const compareApi = {
  compareModels: (modelIds: string[]) => invoke<Comparison>("compare_models", { modelIds }),
  compareOnFile: (modelIds: string[], test: TestFile) => invoke<Comparison>("compare_on_file", { modelIds, test }),
  inspectErrors: (modelId: string, test: TestFile) => invoke<EvaluationReport>("inspect_errors", { modelId, test }),
};
