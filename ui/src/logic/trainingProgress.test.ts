import { describe, expect, it } from "vitest";
import type { TrainingEvent } from "../bindings/TrainingEvent";
import { applyEvents, fractionDone, initialProgress, isOver } from "./trainingProgress";
import { words } from "../testFixtures";

const metrics = (accuracy: number) => ({
  loss: 0.9,
  accuracy,
  macro_f1: accuracy / 2,
  macro_precision: 0.4,
  macro_recall: 0.4,
  top1_accuracy: accuracy,
  top2_accuracy: accuracy + 0.1,
  per_class: [],
  confusion: [],
  examples: 10,
});

const started: TrainingEvent = {
  event: "started",
  model: "tiny",
  backend: "CPU",
  backend_reason: words("no GPU"),
  data: {
    train_file: "a.csv",
    validation_file: null,
    delimiter: "comma",
    encoding: "UTF-8",
    rows_read: 100,
    skipped_empty_text: 0,
    skipped_empty_label: 0,
    train_rows: 90,
    validation_rows: 10,
    classes: [],
    truncated_texts: 0,
    warnings: [{ id: "", params: {}, text: "rare class" }],
    validation_fingerprint: null,
    label_names: {},
    multi_label: false,
  },
  plan: { micro_batches_per_epoch: 6, steps_per_epoch: 3, total_steps: 6, warmup_steps: 1 },
  parameters: 1000,
};

const step = (n: number, loss: number): TrainingEvent => ({
  event: "step",
  step: n,
  total_steps: 6,
  epoch: n / 3,
  loss,
  learning_rate: 1e-4,
  samples_per_second: 50,
  eta_seconds: 6 - n,
});

describe("training progress", () => {
  it("draws a point per progress event and an evaluation per measurement", () => {
    const s = applyEvents(initialProgress(), [
      started,
      step(1, 2.0),
      step(2, 1.5),
      { event: "evaluation", step: 3, epoch: 1, metrics: metrics(0.5) },
      step(4, 1.0),
    ]);
    expect(s.status).toBe("running");
    expect(s.backend).toBe("CPU");
    expect(s.loss).toEqual([[1, 2], [2, 1.5], [4, 1]]);
    expect(s.evaluations.map((e) => [e.epoch, e.accuracy, e.top2])).toEqual([[1, 0.5, 0.6]]);
    expect(fractionDone(s)).toBeCloseTo(4 / 6);
    expect(s.etaSeconds).toBe(2);
    expect(s.warnings).toEqual([{ id: "", params: {}, text: "rare class" }]);
  });

  it("batches give the same state as single events", () => {
    const events = [started, step(1, 2), step(2, 1)];
    const oneBatch = applyEvents(initialProgress(), events);
    const oneByOne = events.reduce((s, e) => applyEvents(s, [e]), initialProgress());
    expect(oneByOne).toEqual(oneBatch);
  });

  it("ends as finished, failed or cancelled", () => {
    const done = applyEvents(initialProgress(), [
      started,
      step(3, 1),
      { event: "finished", output_dir: "/m", metrics: metrics(0.8), best_epoch: null, seconds: 12 },
    ]);
    expect(done.status).toBe("finished");
    expect(fractionDone(done)).toBe(1);
    expect(done.finalMetrics?.accuracy).toBe(0.8);
    expect(isOver(done.status)).toBe(true);

    const error = { kind: "invalid_input", message: "The training loss became NaN.", hint: "Correct the value and try again." };
    const failed = applyEvents(initialProgress(), [started, { event: "failed", error }]);
    expect(failed.status).toBe("failed");
    expect(failed.error).toEqual(error);
    expect(applyEvents(initialProgress(), [{ event: "cancelled" }]).status).toBe("cancelled");
  });

  it("keeps where and why early stopping ended the run", () => {
    const stop = { step: 4, epoch: 1.33, metric: "macro_f1", evaluations: 2, threshold: 0.01 } as const;
    const s = applyEvents(initialProgress(), [started, step(4, 1), { event: "stopped_early", ...stop }]);
    expect(s.stoppedEarly).toEqual(stop);
    expect(applyEvents(initialProgress(), [started]).stoppedEarly).toBeNull();
  });

  it("shows download progress before training starts", () => {
    const s = applyEvents(initialProgress(), [
      { event: "download", stage: "progress", file: "model.safetensors", bytes_done: 50, bytes_total: 200 },
    ]);
    expect(s.status).toBe("downloading");
    expect(s.download).toEqual({ file: "model.safetensors", done: 50, total: 200 });
    expect(applyEvents(s, [started]).download).toBeNull();
  });
});

describe("a resumed run", () => {
  it("starts at the checkpoint's step and draws the epochs before it", () => {
    const s = applyEvents(initialProgress(), [
      started,
      { event: "resumed", epochs_done: 1, step: 3 },
      { event: "log", step: 3, epoch: 1, loss: 1.2, learning_rate: 1e-4, grad_norm: null },
      { event: "evaluation", step: 3, epoch: 1, metrics: metrics(0.5) },
      { event: "epoch_finished", epoch: 1, train_loss: 1.2, seconds: 4 },
    ]);
    expect(s.resumedAfterEpoch).toBe(1);
    expect(s.checkpointed).toBe(true);
    expect(s.step).toBe(3);
    expect(fractionDone(s)).toBe(0.5);
    expect(s.loggedLoss).toEqual([[3, 1.2]]);
    expect(s.evaluations.map((e) => e.accuracy)).toEqual([0.5]);
  });

  it("a stopped run says whether it can be resumed", () => {
    const before = applyEvents(initialProgress(), [started, { event: "cancelled" }]);
    expect(before.checkpointed).toBe(false);
    const after = applyEvents(initialProgress(), [
      started,
      { event: "checkpoint_saved", step: 3, path: "/runs/a/checkpoints/epoch-1" },
      { event: "cancelled" },
    ]);
    expect(after.checkpointed && after.status === "cancelled").toBe(true);
  });
});
