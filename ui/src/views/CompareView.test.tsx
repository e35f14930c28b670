// @vitest-environment jsdom
// The comparison says plainly when its models were not measured on the same rows, marks the
// best value of each metric, and offers the fair comparison (one test file for all).
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { BestModel } from "../bindings/BestModel";
import type { Comparison } from "../bindings/Comparison";

vi.mock("../components/Chart", () => ({ Chart: () => null }));

import { i18n } from "../i18n";
import { CompareView } from "./CompareView";
import { words } from "../testFixtures";

afterEach(cleanup);

const comparison = (sameData: boolean, best: BestModel | null = null): Comparison => ({
  models: [
    { id: "a", name: "Model A", base_model: "bert", measured_on: words("validation.csv (40 rows)") },
    { id: "b", name: "Model B", base_model: "bert", measured_on: words("validation.csv (40 rows)") },
  ],
  metrics: [
    { metric: "accuracy", higher_is_better: true, values: [0.5, 0.75], best: 1 },
    { metric: "loss", higher_is_better: false, values: [0.9, 1.2], best: 0 },
  ],
  per_class: [],
  recipe_differences: [],
  curves: [
    { evaluations: [], losses: [] },
    { evaluations: [], losses: [] },
  ],
  confusions: [null, null],
  same_data: sameData,
  data_note: sameData
    ? { id: "compare.same_data", params: { measured_on: { id: "compare.file_rows", params: { file: "validation.csv", count: 40 }, text: "validation.csv (40 rows)" } }, text: "All models…" }
    : words("These models were measured on different data (…), so their numbers are not directly comparable."),
  label_names: {},
  best_model: best,
});

describe("compare view", () => {
  it("warns when the models were measured on different rows", () => {
    render(<CompareView comparison={comparison(false)} busy={false} onEvaluateOnFile={() => {}} />);
    const note = screen.getByTestId("data-note");
    expect(note.textContent).toContain("not directly comparable");
    expect(note.className).toContain("warnings");
  });

  it("marks the best value of each metric and offers one test file for all", () => {
    const evaluate = vi.fn();
    render(<CompareView comparison={comparison(true)} busy={false} onEvaluateOnFile={evaluate} />);
    expect(screen.getByTestId("data-note").className).not.toContain("warnings");
    const table = screen.getByTestId("compare-table");
    expect(table.textContent).toContain("75.0% ★");
    expect(table.textContent).toContain("0.900 ★");
    expect(table.textContent).toContain("Loss (lower is better)");
    fireEvent.click(screen.getByTestId("compare-on-file"));
    expect(evaluate).toHaveBeenCalledOnce();
    expect(screen.getByTestId("data-note").textContent).toBe("All models were measured on the same rows: validation.csv (40 rows).");
  });

  it("names the best model by the metric its runs chose, and only then", () => {
    render(<CompareView comparison={comparison(true, { index: 1, metric: "macro_f1" })} busy={false} onEvaluateOnFile={() => {}} />);
    expect(screen.getByTestId("best-model").textContent).toBe("Best by Macro F1: Model B — the measure these runs chose their best model by.");
    const headers = screen.getAllByRole("columnheader").map((h) => h.textContent);
    expect(headers).toEqual(["Metric", "Model A", "Model B ★"]);
    cleanup();
    render(<CompareView comparison={comparison(true)} busy={false} onEvaluateOnFile={() => {}} />);
    expect(screen.queryByTestId("best-model")).toBeNull();
    expect(screen.getAllByRole("columnheader").map((h) => h.textContent)).toEqual(["Metric", "Model A", "Model B"]);
  });

  it("says the settings that differ in the form's words, in French too", async () => {
    const differing = {
      ...comparison(true),
      recipe_differences: [
        { field: "group_by_length", values: ["true", "false"] },
        { field: "learning_rate", values: ["5e-5", "0.0001"] },
        { field: "scheduler", values: ["\"linear\"", "—"] },
      ],
    };
    await i18n.changeLanguage("fr");
    try {
      render(<CompareView comparison={differing} busy={false} onEvaluateOnFile={() => {}} />);
      const rows = [...screen.getByTestId("recipe-diff").querySelectorAll("tbody tr")].map((r) => [...r.querySelectorAll("td")].slice(1).map((c) => c.textContent));
      expect(rows).toEqual([["activé", "désactivé"], ["5e-5", "1e-4"], ["montée, puis décroissance linéaire", "—"]]);
      expect(screen.getByTestId("data-note").textContent).toBe("Tous les modèles ont été mesurés sur les mêmes lignes\u00a0: validation.csv (40 lignes).");
    } finally {
      await i18n.changeLanguage("en");
    }
  });
});
