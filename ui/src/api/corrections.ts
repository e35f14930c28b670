// A model's corrections of its data's labels (kept beside the model, never in the user's file).
import { invoke } from "@tauri-apps/api/core";
import type { CorrectedFile } from "../bindings/CorrectedFile";
import type { CorrectedRow } from "../bindings/CorrectedRow";
import type { CorrectedTraining } from "../bindings/CorrectedTraining";
import type { Corrections } from "../bindings/Corrections";

export const correctionsApi = {
  /** Each answers with the corrections of that one file (the same file however its path is spelled). */
  list: (modelId: string, file: string) => invoke<Corrections>("list_corrections", { modelId, file }),
  correct: (modelId: string, row: CorrectedRow) => invoke<Corrections>("correct_row", { modelId, row }),
  undo: (modelId: string, file: string, line: number) => invoke<Corrections>("undo_correction", { modelId, file, line }),
  exportCopy: (modelId: string, file: string, textColumn: string, labelColumn: string) =>
    invoke<CorrectedFile>("export_corrected_copy", { modelId, file, textColumn, labelColumn }),
  /** The model's recipe on a corrected copy of its training file: the run to start. */
  trainingChoice: (modelId: string) => invoke<CorrectedTraining>("corrected_training", { modelId }),
};
