// Classification: a CSV file with a library model, and the try-it box.
import { Channel, invoke } from "@tauri-apps/api/core";
import type { ClassifyEstimate } from "../bindings/ClassifyEstimate";
import type { Explanation } from "../bindings/Explanation";
import type { InferenceEvent } from "../bindings/InferenceEvent";
import type { LabelScore } from "../bindings/LabelScore";
import type { PredictionSummary } from "../bindings/PredictionSummary";

export const classifyApi = {
  classifyFile: (jobId: number, modelId: string, input: string, textColumn: string | null, onEvent: (e: InferenceEvent) => void) => {
    const channel = new Channel<InferenceEvent>();
    channel.onmessage = onEvent;
    return invoke<PredictionSummary>("classify_file", { jobId, modelId, input, textColumn, topK: 3, onEvents: channel });
  },
  estimateClassification: (modelId: string, input: string, textColumn: string | null) =>
    invoke<ClassifyEstimate>("estimate_classification", { modelId, input, textColumn }),
  cancelClassification: (jobId: number) => invoke<boolean>("cancel_classification", { jobId }),
  /** Moves the classified file where the user says; the model's corrections of it follow. */
  saveClassifiedAs: (output: string, input: string, modelId: string) => invoke<string | null>("save_classified_as", { output, input, modelId }),
  tryText: (modelId: string, text: string) => invoke<LabelScore[]>("try_text", { modelId, text }),
  /** Which words drove each class's score (none given: the model's own class); a newer call
   * stops the one under way, which then fails with the kind "cancelled". */
  explainText: (modelId: string, text: string, classes: string[]) => invoke<Explanation[]>("explain_text", { modelId, text, classes }),
};
