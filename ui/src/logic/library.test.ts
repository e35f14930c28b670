import { describe, expect, it } from "vitest";
import type { Comparison } from "../bindings/Comparison";
import { comparisonCurvesChart, perClassF1Chart, predictedCountsChart, topLabelsChart } from "./charts";
import { words } from "../testFixtures";

const comparison: Comparison = {
  models: [
    { id: "a", name: "A", base_model: "bert", measured_on: words("x") },
    { id: "b", name: "B", base_model: "bert", measured_on: words("x") },
  ],
  metrics: [],
  per_class: [
    { label: "10", f1: [0.5, 0.5], support: [3, 3] },
    { label: "2", f1: [0.9, 0.1], support: [3, 3] },
    { label: "3", f1: [0.4, null], support: [3, null] },
  ],
  recipe_differences: [],
  curves: [
    { evaluations: [{ epoch: 1, accuracy: 0.5, macro_f1: 0.4, top2_accuracy: 0.7 }], losses: [{ epoch: 1, loss: 2 }] },
    { evaluations: [], losses: [] },
  ],
  confusions: [null, null],
  same_data: true,
  data_note: words(""),
  label_names: {},
  best_model: null,
};

describe("classification and comparison charts", () => {
  it("orders classes by disagreement or by label, a bar group per model", () => {
    const byDiff = perClassF1Chart(comparison, "difference") as { xAxis: { data: string[] }; series: { data: unknown[] }[] };
    expect(byDiff.xAxis.data).toEqual(["2", "10", "3"]);
    expect(byDiff.series.map((s) => s.data)).toEqual([[0.9, 0.5, 0.4], [0.1, 0.5, null]]);
    const byLabel = perClassF1Chart(comparison, "label") as { xAxis: { data: string[] } };
    expect(byLabel.xAxis.data).toEqual(["2", "3", "10"]);
  });

  it("draws one curve per model from the engine's points", () => {
    const f1 = comparisonCurvesChart(comparison, "macro_f1") as { series: { name: string; data: number[][] }[] };
    expect(f1.series.map((s) => [s.name, s.data])).toEqual([["A", [[1, 0.4]]], ["B", []]]);
  });

  it("shows predicted classes largest first and the try-it labels most likely on top", () => {
    const counts = predictedCountsChart([{ label: "01", rows: 2 }, { label: "02", rows: 0 }, { label: "03", rows: 5 }]) as { xAxis: { data: string[] } };
    expect(counts.xAxis.data).toEqual(["03", "01"]);
    const top = topLabelsChart([{ label: "a", score: 0.7 }, { label: "b", score: 0.2 }]) as { yAxis: { data: string[] } };
    expect(top.yAxis.data).toEqual(["b", "a"]);
  });
});
