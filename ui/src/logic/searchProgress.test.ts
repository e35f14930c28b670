import { describe, expect, it } from "vitest";
import type { SearchEvent } from "../bindings/SearchEvent";
import type { TrialResult } from "../bindings/TrialResult";
import { applySearchEvent, initialSearch, trainingEventOf } from "./searchProgress";

const trials = [
  { name: "trial-1", learning_rate: 2e-5, epochs: 3, folder: "/lib/a-trial-1" },
  { name: "trial-2", learning_rate: 5e-5, epochs: 3, folder: "/lib/a-trial-2" },
];

const result = (i: number, accuracy: number): TrialResult => ({
  ...trials[i],
  metrics: { loss: 1 - accuracy, accuracy, macro_f1: accuracy / 2, macro_precision: 0, macro_recall: 0, top1_accuracy: accuracy, top2_accuracy: 1, per_class: [], confusion: [], examples: 10 },
  score: accuracy - 1,
  seconds: 60,
  error: null,
});

const apply = (events: SearchEvent[]) => events.reduce(applySearchEvent, initialSearch(trials));

describe("search progress", () => {
  it("follows the running trial and keeps each result as it comes", () => {
    const s = apply([
      { event: "planned", trials, metric: "loss" },
      { event: "trial_started", trial: 0, resumed: false },
      { event: "trial_finished", trial: 0, result: result(0, 0.6) },
      { event: "trial_started", trial: 1, resumed: false },
    ]);
    expect(s.current).toBe(1);
    expect(s.metric).toBe("loss");
    expect(s.results.map((r) => r?.metrics?.accuracy ?? null)).toEqual([0.6, null]);
    expect(s.status).toBe("running");
  });

  it("ends with every result and the best, or with the reason it stopped", () => {
    const results = [result(0, 0.6), result(1, 0.7)];
    const done = apply([{ event: "finished", results, best: 1, metric: "loss" }]);
    expect([done.status, done.best, done.current]).toEqual(["finished", 1, null]);
    const error = { kind: "invalid_input", message: "The folder is not empty.", hint: null };
    expect(apply([{ event: "failed", error }]).error).toEqual(error);
    expect(apply([{ event: "cancelled" }]).status).toBe("cancelled");
  });

  it("hands the running trial's own events, and the search's end, to the training view", () => {
    const log = { event: "log", step: 1, epoch: 0.5, loss: 1, learning_rate: 1e-5, grad_norm: null } as const;
    expect(trainingEventOf({ event: "training", trial: 0, training: log })).toEqual(log);
    expect(trainingEventOf({ event: "cancelled" })).toEqual({ event: "cancelled" });
    expect(trainingEventOf({ event: "trial_started", trial: 1, resumed: true })).toBeNull();
  });
});
