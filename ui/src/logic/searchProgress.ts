// Folds a search's events into what the page shows of it: the trials, the one running, the
// results so far and the best. The running trial's own training events are folded by
// trainingProgress; `trainingEventOf` says which event, if any, goes there.
import type { BestMetric } from "../bindings/BestMetric";
import type { ErrorReport } from "../bindings/ErrorReport";
import type { PlannedTrial } from "../bindings/PlannedTrial";
import type { SearchEvent } from "../bindings/SearchEvent";
import type { TrainingEvent } from "../bindings/TrainingEvent";
import type { TrialResult } from "../bindings/TrialResult";

export type SearchStatus = "running" | "finished" | "failed" | "cancelled";

export interface SearchProgress {
  status: SearchStatus;
  trials: PlannedTrial[];
  /** The trial running now (0-based). */
  current: number | null;
  /** Results by trial index, as trials finish. */
  results: (TrialResult | null)[];
  best: number | null;
  metric: BestMetric | null;
  error: ErrorReport | null;
}

export function initialSearch(trials: PlannedTrial[]): SearchProgress {
  return { status: "running", trials, current: null, results: trials.map(() => null), best: null, metric: null, error: null };
}

/** Each trial's library id (its folder's name), in the trials' order. */
export function trialModelIds(s: SearchProgress): string[] {
  return s.trials.map((t) => t.folder.split(/[\\/]/).pop() ?? t.folder);
}

export function applySearchEvent(s: SearchProgress, e: SearchEvent): SearchProgress {
  switch (e.event) {
    case "planned":
      return { ...s, trials: e.trials, metric: e.metric, results: e.trials.map((_, i) => s.results[i] ?? null) };
    case "trial_started":
      return { ...s, current: e.trial };
    case "training":
      return s;
    case "trial_finished": {
      const results = [...s.results];
      results[e.trial] = e.result;
      return { ...s, results };
    }
    case "finished":
      return { ...s, status: "finished", current: null, results: e.results, best: e.best, metric: e.metric };
    case "failed":
      return { ...s, status: "failed", error: e.error };
    case "cancelled":
      return { ...s, status: "cancelled" };
  }
}

/** The training event a search event carries for the running trial's view: its own events,
 * and the search's end when the trial was still running. */
export function trainingEventOf(e: SearchEvent): TrainingEvent | null {
  switch (e.event) {
    case "training":
      return e.training;
    case "failed":
      return { event: "failed", error: e.error };
    case "cancelled":
      return { event: "cancelled" };
    default:
      return null;
  }
}
