// Training runs: the recipe, starting, resuming, cancelling, and the unfinished runs.
import { Channel, invoke } from "@tauri-apps/api/core";
import type { DataChoice } from "../bindings/DataChoice";
import type { Recipe } from "../bindings/Recipe";
import type { RecipeCheck } from "../bindings/RecipeCheck";
import type { RunEstimate } from "../bindings/RunEstimate";
import type { TrainingEvent } from "../bindings/TrainingEvent";
import type { TrainingStarted } from "../bindings/TrainingStarted";
import type { UnfinishedEntry } from "../bindings/UnfinishedEntry";

/** A channel whose messages go to `onEvent`, one event each (the engine paces them). */
function eventChannel(onEvent: (event: TrainingEvent) => void): Channel<TrainingEvent> {
  const channel = new Channel<TrainingEvent>();
  channel.onmessage = onEvent;
  return channel;
}

export const trainingApi = {
  checkRecipe: (recipe: Recipe) => invoke<RecipeCheck>("check_recipe", { recipe }),
  estimateTraining: (choice: DataChoice) => invoke<RunEstimate>("estimate_training", { choice }),
  openRecipe: (path: string) => invoke<Recipe>("open_recipe", { path }),
  saveRecipe: (recipe: Recipe) => invoke<string | null>("save_recipe", { recipe }),
  startTraining: (choice: DataChoice, onEvent: (event: TrainingEvent) => void) =>
    invoke<TrainingStarted>("start_training", { choice, onEvents: eventChannel(onEvent) }),
  resumeTraining: (modelId: string, onEvent: (event: TrainingEvent) => void) =>
    invoke<TrainingStarted>("resume_training", { modelId, onEvents: eventChannel(onEvent) }),
  cancelTraining: (jobId: number) => invoke<boolean>("cancel_training", { jobId }),
  listUnfinished: () => invoke<UnfinishedEntry[]>("list_unfinished"),
  discardUnfinished: (modelId: string) => invoke<void>("discard_unfinished", { modelId }),
};
