import { describe, expect, it } from "vitest";
import { classSizesChart, confusionHeatmap, validationChart } from "./charts";
import { initialProgress } from "./trainingProgress";
import { dataSummary } from "../testFixtures";

describe("charts", () => {
  it("sorts classes by size and stacks training and validation rows", () => {
    const option = classSizesChart([
      { label: "01", train: 5, validation: 1 },
      { label: "02", train: 50, validation: 3 },
      { label: "03", train: 20, validation: 2 },
    ]) as { xAxis: { data: string[] }; series: { data: number[] }[] };
    expect(option.xAxis.data).toEqual(["02", "03", "01"]);
    expect(option.series[0].data).toEqual([50, 20, 5]);
    expect(option.series[1].data).toEqual([3, 2, 1]);
  });

  it("puts each confusion count at (predicted, true), empty cells left out", () => {
    const option = confusionHeatmap({
      loss: null,
      accuracy: 0.75,
      macro_f1: 0.7,
      macro_precision: 0.7,
      macro_recall: 0.7,
      top1_accuracy: 0.75,
      top2_accuracy: 1,
      per_class: [
        { label: "a", precision: 1, recall: 0.5, f1: 0.67, support: 2 },
        { label: "b", precision: 0.67, recall: 1, f1: 0.8, support: 2 },
      ],
      confusion: [
        [1, 1],
        [0, 2],
      ],
      examples: 4,
    }) as { series: { data: number[][] }[]; visualMap: { max: number } };
    expect(option.series[0].data).toEqual([
      [0, 0, 1],
      [1, 0, 1],
      [1, 1, 2],
    ]);
    expect(option.visualMap.max).toBe(2);
  });

  it("draws multi-label validation as every-label-right, micro and macro F1, without top-2", () => {
    const point = { step: 10, epoch: 1, accuracy: 0.4, macroF1: 0.5, top2: 0.9, microF1: 0.6, loss: 0.3 };
    const names = (multi_label: boolean) => {
      const option = validationChart({ ...initialProgress(), data: dataSummary({ multi_label }), evaluations: [point] }) as {
        series: { name: string; data: number[][] }[];
      };
      return option.series.map((s) => [s.name, s.data[0][1]]);
    };
    expect(names(true)).toEqual([["Every label right", 0.4], ["Micro F1", 0.6], ["Macro F1", 0.5]]);
    expect(names(false)).toEqual([["Accuracy", 0.4], ["Macro F1", 0.5], ["Top-2 accuracy", 0.9]]);
  });
});
