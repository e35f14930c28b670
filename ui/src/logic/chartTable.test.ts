import { describe, expect, it } from "vitest";
import { chartTable } from "./chartTable";
import { classSizesChart, confusionHeatmap, lossChart } from "./charts";
import { initialProgress } from "./trainingProgress";

describe("the table behind a chart", () => {
  it("lists categories with a column per series", () => {
    const table = chartTable(classSizesChart([{ label: "01", train: 5, validation: 1 }, { label: "10", train: 9, validation: 2 }]));
    expect(table.caption).toBe("Rows per class (2 classes)");
    expect(table.headers).toEqual(["", "training", "validation"]);
    // Largest class first, as the chart draws them.
    expect(table.rows).toEqual([["10", "9", "2"], ["01", "5", "1"]]);
  });

  it("lists points by x, with a gap where a series has no value there", () => {
    const progress = { ...initialProgress(), totalSteps: 10, loss: [[1, 4.25], [2, 4.0]] as [number, number][], loggedLoss: [[2, 4.1]] as [number, number][] };
    const table = chartTable(lossChart(progress));
    expect(table.headers).toEqual(["step", "live", "recorded"]);
    expect(table.rows).toEqual([["1", "4.25", ""], ["2", "4", "4.1"]]);
  });

  it("writes a confusion matrix as true class by predicted class, zeros included", () => {
    const metrics = {
      loss: null, accuracy: 0.5, macro_f1: 0.5, macro_precision: 0.5, macro_recall: 0.5, top1_accuracy: 0.5, top2_accuracy: 1, examples: 4,
      per_class: ["a", "b"].map((label) => ({ label, precision: 0.5, recall: 0.5, f1: 0.5, support: 2 })),
      confusion: [[1, 1], [0, 2]],
    };
    const table = chartTable(confusionHeatmap(metrics));
    expect(table.headers).toEqual(["true \\ predicted", "a", "b"]);
    expect(table.rows).toEqual([["a", "1", "1"], ["b", "0", "2"]]);
  });
});
