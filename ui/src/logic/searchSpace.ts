// The values a search tries, as typed in the settings step: numbers separated by spaces, commas
// or semicolons ("2e-5 5e-5", "3, 4").
import type { RunEstimate } from "../bindings/RunEstimate";
import type { SearchSpace } from "../bindings/SearchSpace";

/** The numbers of `text`; null when a part is not a number. */
export function parseList(text: string): number[] | null {
  const parts = text.split(/[\s;,]+/).filter(Boolean);
  const numbers = parts.map(Number);
  return numbers.some((n) => !Number.isFinite(n)) ? null : numbers;
}

/** The space typed, or null while a list is empty or not numbers (or epochs not whole). */
export function searchSpaceOf(learningRates: string, epochs: string): SearchSpace | null {
  const rates = parseList(learningRates);
  const counts = parseList(epochs);
  if (!rates?.length || !counts?.length || counts.some((n) => !Number.isInteger(n))) return null;
  return { learning_rates: rates, epochs: counts, trials: null };
}

/** How many runs the space asks for (each combination once). */
export function trialCount(space: SearchSpace): number {
  return new Set(space.learning_rates).size * new Set(space.epochs).size;
}

/** The search's time from the run's measured estimate (`epochs` passes): each run's loading
 * and final save as measured, its training, evaluations and checkpoints scaled to its passes
 * (the learning rate does not change the time), as the engine's `trial_seconds` does. */
export function searchSeconds(run: RunEstimate, epochs: number, space: SearchSpace): number {
  const perEpoch = (run.training_seconds + run.evaluation_seconds + run.checkpoint_seconds) / Math.max(epochs, 1);
  const once = run.other_seconds - run.checkpoint_seconds;
  const rates = new Set(space.learning_rates).size;
  return [...new Set(space.epochs)].reduce((total, e) => total + rates * (once + perEpoch * e), 0);
}
