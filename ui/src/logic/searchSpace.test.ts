import { describe, expect, it } from "vitest";
import { parseList, searchSeconds, searchSpaceOf, trialCount } from "./searchSpace";

describe("search values as typed", () => {
  it("reads numbers separated by spaces, commas or semicolons", () => {
    expect(parseList("2e-5 5e-5")).toEqual([2e-5, 5e-5]);
    expect(parseList(" 3, 4;5 ")).toEqual([3, 4, 5]);
    expect(parseList("3, four")).toBeNull();
  });

  it("needs both lists, and whole numbers of epochs", () => {
    expect(searchSpaceOf("2e-5, 5e-5", "3 4")).toEqual({ learning_rates: [2e-5, 5e-5], epochs: [3, 4], trials: null });
    expect(searchSpaceOf("", "3")).toBeNull();
    expect(searchSpaceOf("2e-5", "3.5")).toBeNull();
  });

  it("counts each combination once", () => {
    expect(trialCount({ learning_rates: [2e-5, 5e-5, 2e-5], epochs: [3, 4], trials: null })).toBe(4);
  });
});

describe("the search's time", () => {
  it("scales each run's training, evaluations and checkpoints to its passes, loading as measured", () => {
    const run = { seconds: 142, training_seconds: 100, evaluation_seconds: 20, other_seconds: 22, checkpoint_seconds: 12, backend: "CPU", measured_steps: 8, faster_models: [] };
    // 4 passes measured: 33 s a pass, 10 s once. Two rates × (2 passes: 76 s, 4 passes: 142 s),
    // as the engine's trial_seconds test counts them.
    expect(searchSeconds(run, 4, { learning_rates: [2e-5, 5e-5], epochs: [2, 4], trials: null })).toBeCloseTo(436);
  });
});
