// @vitest-environment jsdom
// The training view says what stopped a run in the engine's words, with the engine's advice for
// that kind of error (not advice of the page's own).
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("../components/Chart", () => ({ Chart: () => null }));

import { applyEvents, initialProgress, isOver } from "../logic/trainingProgress";
import { TrainingView } from "./TrainingView";

afterEach(cleanup);

const noop = () => {};

function viewOf(events: Parameters<typeof applyEvents>[1]) {
  const progress = applyEvents(initialProgress(), events);
  render(
    <TrainingView
      progress={progress}
      running={!isOver(progress.status)}
      elapsedSeconds={12}
      cancelling={false}
      onCancel={noop}
      onShowResult={noop}
      onBackToSettings={noop}
    />,
  );
}

describe("training view", () => {
  it("shows the engine's message and hint when a run fails", () => {
    viewOf([
      {
        event: "failed",
        error: {
          kind: "out_of_memory",
          message: "The GPU (wgpu) ran out of memory with batches of 32 texts of up to 256 tokens.",
          hint: "Lower the batch size or the maximum length, or train on the CPU.",
        },
      },
    ]);
    const panel = screen.getByTestId("error");
    expect(panel.textContent).toContain("ran out of memory with batches of 32 texts");
    expect(panel.textContent).toContain("Lower the batch size or the maximum length, or train on the CPU.");
    expect(panel.textContent).not.toContain("learning rate");
    expect(screen.getByText("← Settings")).toBeTruthy();
  });

  it("offers no cancel button once the run is over", () => {
    viewOf([{ event: "cancelled" }]);
    expect(screen.queryByTestId("cancel-training")).toBeNull();
    expect(screen.getByTestId("training-view").dataset.status).toBe("cancelled");
  });

  it("says when and why early stopping ended the run", () => {
    viewOf([
      { event: "stopped_early", step: 12, epoch: 3, metric: "macro_f1", evaluations: 2, threshold: 0 },
      { event: "finished", output_dir: "/m", metrics: null, best_epoch: 1, seconds: 30 },
    ]);
    expect(screen.getByTestId("stopped-early-note").textContent).toBe(
      "Stopped early at epoch 3 (step 12): no better score (Macro F1) for 2 checks in a row.",
    );
  });

  it("names the threshold an improvement had to pass", () => {
    viewOf([{ event: "stopped_early", step: 5, epoch: 1.25, metric: "loss", evaluations: 1, threshold: 0.01 }]);
    expect(screen.getByTestId("stopped-early-note").textContent).toBe(
      "Stopped early at epoch 1.25 (step 5): no score better by more than 0.01 (Loss) for 1 check.",
    );
  });
});
