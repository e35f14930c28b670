// @vitest-environment jsdom
// A search's runs: each with its settings and state, the best marked at the end, and a click
// to see them side by side.
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { applySearchEvent, initialSearch } from "../logic/searchProgress";
import { SearchTrials } from "./SearchTrials";

afterEach(cleanup);

const trials = [
  { name: "trial-1", learning_rate: 2e-5, epochs: 3, folder: "/lib/a-trial-1" },
  { name: "trial-2", learning_rate: 5e-5, epochs: 4, folder: "/lib/a-trial-2" },
];
const metrics = (accuracy: number) => ({ loss: 0.5, accuracy, macro_f1: 0.4, macro_precision: 0.4, macro_recall: 0.4, top1_accuracy: accuracy, top2_accuracy: 0.9, per_class: [], confusion: [], examples: 10 });

describe("search trials", () => {
  it("shows the run in progress and the ones waiting", () => {
    const search = applySearchEvent(initialSearch(trials), { event: "trial_started", trial: 0, resumed: false });
    render(<SearchTrials search={search} onCompare={vi.fn()} />);
    expect(screen.getByRole("heading").textContent).toBe("Trying several settings: run 1 of 2");
    expect(screen.getByTestId("trial-1").textContent).toContain("training…");
    expect(screen.getByTestId("trial-2").textContent).toBe("25e-54–––waiting");
    expect(screen.queryByTestId("compare-trials")).toBeNull();
  });

  it("marks the best at the end and opens the comparison of every run", () => {
    const results = trials.map((t, i) => ({ ...t, metrics: metrics(0.5 + i / 10), score: -0.5, seconds: 30, error: null }));
    const search = applySearchEvent(initialSearch(trials), { event: "finished", results, best: 1, metric: "macro_f1" });
    const onCompare = vi.fn();
    render(<SearchTrials search={search} onCompare={onCompare} />);
    expect(screen.getByTestId("trial-2").textContent).toContain("2 ★");
    expect(screen.getByTestId("trial-2").textContent).toContain("60.0%");
    expect(screen.getByText("Best by Macro F1, on the validation rows.")).toBeTruthy();
    fireEvent.click(screen.getByTestId("compare-trials"));
    expect(onCompare).toHaveBeenCalledWith(["a-trial-1", "a-trial-2"]);
  });

  it("says what was kept when the search stops", () => {
    const search = [
      { event: "trial_finished", trial: 0, result: { ...trials[0], metrics: metrics(0.5), score: -0.5, seconds: 30, error: null } },
      { event: "cancelled" },
    ] as const;
    render(<SearchTrials search={search.reduce(applySearchEvent, initialSearch(trials))} onCompare={vi.fn()} />);
    expect(screen.getByTestId("search-stopped-note").textContent).toBe("1 run had finished: its model is in Models.");
  });

  it("says which run failed and why, and that the others went on", () => {
    const error = { kind: "invalid_input", message: "The training loss became NaN at step 3.", hint: null };
    const results = [
      { ...trials[0], metrics: null, score: null, seconds: 0, error },
      { ...trials[1], metrics: metrics(0.6), score: -0.5, seconds: 30, error: null },
    ];
    const search = applySearchEvent(initialSearch(trials), { event: "finished", results, best: 1, metric: "loss" });
    render(<SearchTrials search={search} onCompare={vi.fn()} />);
    expect(screen.getByTestId("trial-1").textContent).toContain("failed");
    expect(screen.getByTestId("trial-error-1").textContent).toBe("Run 1 failed: The training loss became NaN at step 3. The other runs went on.");
    expect(screen.getByTestId("trial-2").textContent).toContain("2 ★");
  });
});
