import { describe, expect, it } from "vitest";
import { classSizesChart, confusionHeatmap } from "./charts";
import { escapeHtml, withName } from "./labelNames";

describe("label names", () => {
  it("puts the name after the code, or leaves the code alone", () => {
    const names = { "46": "Commerce de gros", "47": "" };
    expect(withName("46", names)).toBe("46 — Commerce de gros");
    expect(withName("47", names)).toBe("47");
    expect(withName("62", names)).toBe("62");
    expect(withName("62", null)).toBe("62");
  });

  it("names each code in chart tooltips, escaped since ECharts reads them as HTML", () => {
    const names = { "01": "Culture <b>& élevage</b>" };
    const chart = classSizesChart([{ label: "01", train: 3, validation: 1 }], names);
    const tooltip = chart.tooltip as { formatter: (items: unknown) => string };
    const text = tooltip.formatter([{ axisValue: "01", marker: "", seriesName: "Training", value: 12345 }]);
    expect(text).toContain("01 — Culture &lt;b&gt;&amp; élevage&lt;/b&gt;");
    // Rows counted exactly, as the language writes them.
    expect(text).toContain("Training: <b>12,345</b>");
    expect(escapeHtml(`"x' <y>`)).toBe("&quot;x&#39; &lt;y&gt;");
  });

  it("names both classes of a confusion cell", () => {
    const metrics = {
      loss: null, accuracy: 0, macro_f1: 0, macro_precision: 0, macro_recall: 0, top1_accuracy: 0, top2_accuracy: 0, examples: 3,
      per_class: ["01", "10"].map((label) => ({ label, precision: 0, recall: 0, f1: 0, support: 0 })),
      confusion: [[1, 2], [0, 0]],
    };
    const chart = confusionHeatmap(metrics, false, { "10": "Industries alimentaires" });
    const tooltip = chart.tooltip as { formatter: (item: unknown) => string };
    expect(tooltip.formatter({ value: [1, 0, 2] })).toBe("true 01 → predicted 10 — Industries alimentaires: 2");
  });
});
