// The app's commands, typed with the definitions generated from the Rust types
// (src/bindings, written by `cargo test`). Nothing here re-declares an engine type.
import { Channel, invoke } from "@tauri-apps/api/core";
import type { AppInfo } from "./bindings/AppInfo";
import type { CsvDialect } from "./bindings/CsvDialect";
import type { CsvPreview } from "./bindings/CsvPreview";
import type { DataChoice } from "./bindings/DataChoice";
import type { DataSummary } from "./bindings/DataSummary";
import type { DownloadEvent } from "./bindings/DownloadEvent";
import type { FilePurpose } from "./bindings/FilePurpose";
import type { LibraryEntry } from "./bindings/LibraryEntry";
import type { ModelAvailability } from "./bindings/ModelAvailability";
import type { Recipe } from "./bindings/Recipe";
import type { RecipeProblem } from "./bindings/RecipeProblem";
import type { TrainingEvent } from "./bindings/TrainingEvent";
import type { TrainingReport } from "./bindings/TrainingReport";
import type { TrainingStarted } from "./bindings/TrainingStarted";
import type { TokenSource } from "./bindings/TokenSource";
import type { UnfinishedEntry } from "./bindings/UnfinishedEntry";

export const api = {
  appInfo: () => invoke<AppInfo>("app_info"),
  previewData: (path: string, dialect: CsvDialect | null) =>
    invoke<CsvPreview>("preview_data", { path, dialect }),
  summariseData: (choice: DataChoice) => invoke<DataSummary>("summarise_data", { choice }),
  recipeProblems: (recipe: Recipe) => invoke<RecipeProblem[]>("recipe_problems", { recipe }),
  modelStatus: (name: string) => invoke<ModelAvailability>("model_status", { name }),
  downloadModel: (name: string, onProgress: (event: DownloadEvent) => void) => {
    const channel = new Channel<DownloadEvent>();
    channel.onmessage = onProgress;
    return invoke<string>("download_model", { name, onProgress: channel });
  },
  startTraining: (choice: DataChoice, onEvents: (events: TrainingEvent[]) => void) => {
    const channel = new Channel<TrainingEvent[]>();
    channel.onmessage = onEvents;
    return invoke<TrainingStarted>("start_training", { choice, onEvents: channel });
  },
  resumeTraining: (modelId: string, onEvents: (events: TrainingEvent[]) => void) => {
    const channel = new Channel<TrainingEvent[]>();
    channel.onmessage = onEvents;
    return invoke<TrainingStarted>("resume_training", { modelId, onEvents: channel });
  },
  listUnfinished: () => invoke<UnfinishedEntry[]>("list_unfinished"),
  discardUnfinished: (modelId: string) => invoke<void>("discard_unfinished", { modelId }),
  hubTokenStatus: () => invoke<TokenSource>("hub_token_status"),
  saveHubToken: (token: string) => invoke<TokenSource>("save_hub_token", { token }),
  forgetHubToken: () => invoke<TokenSource>("forget_hub_token"),
  cancelTraining: (jobId: number) => invoke<boolean>("cancel_training", { jobId }),
  listModels: () => invoke<LibraryEntry[]>("list_models"),
  modelReport: (modelId: string) => invoke<TrainingReport>("model_report", { modelId }),
  exportModel: (modelId: string) => invoke<string | null>("export_model", { modelId }),
  choosePath: (purpose: FilePurpose) => invoke<string | null>("choose_path", { purpose }),
  openRecipe: (path: string) => invoke<Recipe>("open_recipe", { path }),
  saveRecipe: (recipe: Recipe) => invoke<string | null>("save_recipe", { recipe }),
  quit: () => invoke<void>("quit"),
};

// Desktop app II: classification, the library, comparisons.
import type { Comparison } from "./bindings/Comparison";
import type { EvaluationReport } from "./bindings/EvaluationReport";
import type { InferenceEvent } from "./bindings/InferenceEvent";
import type { LabelScore } from "./bindings/LabelScore";
import type { PredictionSummary } from "./bindings/PredictionSummary";
import type { TestFile } from "./bindings/TestFile";

export const libraryApi = {
  classifyFile: (jobId: number, modelId: string, input: string, textColumn: string | null, onEvent: (e: InferenceEvent) => void) => {
    const channel = new Channel<InferenceEvent>();
    channel.onmessage = onEvent;
    return invoke<PredictionSummary>("classify_file", { jobId, modelId, input, textColumn, topK: 3, onEvents: channel });
  },
  cancelClassification: (jobId: number) => invoke<boolean>("cancel_classification", { jobId }),
  saveClassifiedAs: (output: string, input: string) => invoke<string | null>("save_classified_as", { output, input }),
  tryText: (modelId: string, text: string) => invoke<LabelScore[]>("try_text", { modelId, text }),
  renameModel: (modelId: string, name: string) => invoke<LibraryEntry>("rename_model", { modelId, name }),
  deleteModel: (modelId: string) => invoke<void>("delete_model", { modelId }),
  revealModel: (modelId: string) => invoke<void>("reveal_model", { modelId }),
  importModel: () => invoke<LibraryEntry | null>("import_model"),
  compareModels: (modelIds: string[]) => invoke<Comparison>("compare_models", { modelIds }),
  compareOnFile: (modelIds: string[], test: TestFile) => invoke<Comparison>("compare_on_file", { modelIds, test }),
  inspectErrors: (modelId: string, test: TestFile) => invoke<EvaluationReport>("inspect_errors", { modelId, test }),
};
