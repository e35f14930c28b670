// ECharts options for every chart of the app, built from engine data. Pure functions, so
// what a chart shows is tested without drawing it.
import type { EChartsOption } from "echarts";
import type { ClassCount } from "../bindings/ClassCount";
import type { Comparison } from "../bindings/Comparison";
import type { Confusion } from "../bindings/Confusion";
import type { LabelCount } from "../bindings/LabelCount";
import type { LabelScore } from "../bindings/LabelScore";
import type { Metrics } from "../bindings/Metrics";
import type { ThresholdPoint } from "../bindings/ThresholdPoint";
import { i18n } from "../i18n";
import { formatCount, formatPercent, formatSignificant } from "./format";
import { escapeHtml, withName, type LabelNames } from "./labelNames";
import type { TrainingProgress } from "./trainingProgress";

const t = (key: string, options: Record<string, unknown> = {}) => i18n.t(key, options);

/** Axis numbers as the page's language writes them ("0,5" in French). */
const AXIS_NUMBER = { formatter: (v: number) => formatSignificant(v, 6) };

const palette = ["#4f46e5", "#0ea5e9", "#f59e0b", "#10b981", "#ef4444", "#a855f7"];

function base(title: string): EChartsOption {
  return {
    color: palette,
    backgroundColor: "transparent",
    animation: false,
    title: { text: title, left: 8, top: 4, textStyle: { fontSize: 13, fontWeight: 600 } },
    grid: { left: 56, right: 20, top: 44, bottom: 36 },
    tooltip: { trigger: "axis" },
  };
}

export function lossChart(p: TrainingProgress): EChartsOption {
  return {
    ...base(t("charts.trainingLoss")),
    legend: { right: 12, top: 4 },
    xAxis: { type: "value", axisLabel: AXIS_NUMBER, name: t("charts.step"), nameLocation: "middle", nameGap: 24, min: 0, max: p.totalSteps || undefined },
    yAxis: { type: "value", axisLabel: AXIS_NUMBER, scale: true },
    series: [
      { name: t("charts.live"), type: "line", showSymbol: p.loss.length < 30, data: p.loss, smooth: true },
      { name: t("charts.recorded"), type: "scatter", symbolSize: 7, data: p.loggedLoss },
    ],
  };
}

export function learningRateChart(p: TrainingProgress): EChartsOption {
  return {
    ...base(t("charts.learningRate")),
    xAxis: { type: "value", axisLabel: AXIS_NUMBER, name: t("charts.step"), nameLocation: "middle", nameGap: 24, min: 0, max: p.totalSteps || undefined },
    yAxis: { type: "value", axisLabel: { formatter: (v: number) => v.toExponential(0) } },
    series: [{ name: t("charts.learningRate"), type: "line", showSymbol: p.learningRate.length < 30, data: p.learningRate }],
  };
}

export function validationChart(p: TrainingProgress): EChartsOption {
  const at = (f: (e: TrainingProgress["evaluations"][number]) => number) =>
    p.evaluations.map((e) => [Number(e.epoch.toFixed(2)), f(e)]);
  return {
    ...base(t("charts.validationQuality")),
    legend: { right: 12, top: 4 },
    xAxis: { type: "value", axisLabel: AXIS_NUMBER, name: t("charts.epoch"), nameLocation: "middle", nameGap: 24, min: 0 },
    yAxis: { type: "value", min: 0, max: 1, axisLabel: { formatter: (v: number) => formatPercent(v, 0) } },
    // Multi-label: accuracy is "every label right", and top-2 says little; micro F1 instead.
    series: p.data?.multi_label
      ? [
          { name: t("metrics.subset_accuracy"), type: "line", data: at((e) => e.accuracy) },
          { name: t("metrics.micro_f1"), type: "line", data: at((e) => e.microF1 ?? 0) },
          { name: t("metrics.macro_f1"), type: "line", data: at((e) => e.macroF1) },
        ]
      : [
          { name: t("metrics.accuracy"), type: "line", data: at((e) => e.accuracy) },
          { name: t("metrics.macro_f1"), type: "line", data: at((e) => e.macroF1) },
          { name: t("metrics.top2_accuracy"), type: "line", data: at((e) => e.top2) },
        ],
  };
}

export function throughputChart(p: TrainingProgress): EChartsOption {
  return {
    ...base(t("charts.speed")),
    xAxis: { type: "value", axisLabel: AXIS_NUMBER, name: t("charts.step"), nameLocation: "middle", nameGap: 24, min: 0, max: p.totalSteps || undefined },
    yAxis: { type: "value", axisLabel: AXIS_NUMBER, min: 0 },
    series: [{ name: t("charts.rowsPerSecond"), type: "line", showSymbol: p.samplesPerSecond.length < 30, areaStyle: { opacity: 0.15 }, data: p.samplesPerSecond }],
  };
}
/** An axis tooltip over label codes that names each code (the names are the user's text, so
 * they are escaped: ECharts reads tooltips as HTML). */
function labelTooltip(names: LabelNames | undefined): EChartsOption["tooltip"] {
  return {
    trigger: "axis",
    formatter: (items: unknown) => {
      const rows = items as { axisValue: string; marker: string; seriesName: string; value: number | null }[];
      const head = escapeHtml(withName(rows[0]?.axisValue ?? "", names));
      const values = rows.map((r) => `${r.marker}${escapeHtml(r.seriesName)}: <b>${r.value == null ? "–" : Number.isInteger(r.value) ? formatCount(r.value) : formatSignificant(r.value, 4)}</b>`);
      return [head, ...values].join("<br/>");
    },
  };
}

/** Class sizes, largest first, training and validation stacked. */
export function classSizesChart(classes: ClassCount[], names?: LabelNames): EChartsOption {
  const sorted = [...classes].sort((a, b) => b.train + b.validation - (a.train + a.validation));
  return {
    ...base(t("charts.rowsPerClass", { count: classes.length })),
    tooltip: labelTooltip(names),
    legend: { right: 12, top: 4 },
    grid: { left: 48, right: 20, top: 44, bottom: 56 },
    xAxis: { type: "category", data: sorted.map((c) => c.label), axisLabel: { interval: sorted.length > 40 ? "auto" : 0, rotate: sorted.length > 12 ? 60 : 0 } },
    yAxis: { type: "value", axisLabel: AXIS_NUMBER },
    dataZoom: sorted.length > 60 ? [{ type: "inside" }, { type: "slider", height: 14, bottom: 4 }] : [],
    series: [
      { name: t("charts.training"), type: "bar", stack: "rows", data: sorted.map((c) => c.train) },
      { name: t("charts.validation"), type: "bar", stack: "rows", data: sorted.map((c) => c.validation) },
    ],
  };
}

/** The confusion matrix as a heatmap: rows are true classes, columns predicted ones. */
export function confusionHeatmap(metrics: Metrics, dark = false, names?: LabelNames): EChartsOption {
  const labels = metrics.per_class.map((c) => c.label);
  const cells: [number, number, number][] = [];
  let max = 0;
  metrics.confusion.forEach((row, t) =>
    row.forEach((count, p) => {
      if (count > 0) cells.push([p, t, count]);
      max = Math.max(max, count);
    }),
  );
  return {
    ...base(t("charts.confusion")),
    tooltip: {
      trigger: "item",
      formatter: (item: unknown) => {
        const [p, row, n] = (item as { value: [number, number, number] }).value;
        const named = (code: string) => escapeHtml(withName(code, names));
        return t("charts.confusionCell", { truth: named(labels[row]), predicted: named(labels[p]), count: n });
      },
    },
    grid: { left: 64, right: 72, top: 44, bottom: 56 },
    xAxis: { type: "category", data: labels, name: t("charts.predicted"), nameLocation: "middle", nameGap: 40, axisLabel: { rotate: labels.length > 12 ? 60 : 0 } },
    yAxis: { type: "category", data: labels, inverse: true, name: t("charts.true"), nameLocation: "middle", nameGap: 48 },
    visualMap: { min: 0, max: Math.max(1, max), calculable: true, orient: "vertical", right: 8, top: "middle", inRange: { color: dark ? ["#1e1b4b", "#a5b4fc"] : ["#eef2ff", "#4f46e5"] } },
    series: [{ type: "heatmap", data: cells, emphasis: { itemStyle: { borderColor: "#111", borderWidth: 1 } } }],
  };
}

/** Rows per predicted class of a classified file, most frequent first. */
export function predictedCountsChart(counts: LabelCount[], names?: LabelNames): EChartsOption {
  const sorted = [...counts].filter((c) => c.rows > 0).sort((a, b) => b.rows - a.rows);
  return {
    ...base(t("charts.rowsPerPredictedClass")),
    tooltip: labelTooltip(names),
    grid: { left: 48, right: 20, top: 44, bottom: 56 },
    xAxis: { type: "category", data: sorted.map((c) => c.label), axisLabel: { rotate: sorted.length > 12 ? 60 : 0 } },
    yAxis: { type: "value", axisLabel: AXIS_NUMBER },
    series: [{ type: "bar", name: t("charts.rows"), data: sorted.map((c) => c.rows) }],
  };
}

/** The try-it box: the top labels with their probability, most likely on top. */
export function topLabelsChart(scores: LabelScore[]): EChartsOption {
  const rows = [...scores].reverse();
  return {
    ...base(""),
    grid: { left: 110, right: 60, top: 8, bottom: 8 },
    tooltip: { show: false },
    xAxis: { type: "value", min: 0, max: 1, show: false },
    yAxis: { type: "category", data: rows.map((s) => s.label) },
    series: [
      {
        type: "bar",
        data: rows.map((s) => s.score),
        label: { show: true, position: "right", formatter: (p: unknown) => formatPercent((p as { value: number }).value, 1) },
      },
    ],
  };
}

/** Validation macro-F1 per epoch, one line per model. */
export function comparisonCurvesChart(c: Comparison, what: "macro_f1" | "loss"): EChartsOption {
  const loss = what === "loss";
  return {
    ...base(loss ? t("charts.lossPerEpoch") : t("charts.macroF1PerEpoch")),
    legend: { bottom: 0, type: "scroll" },
    grid: { left: 56, right: 20, top: 40, bottom: 64 },
    xAxis: { type: "value", axisLabel: AXIS_NUMBER, name: t("charts.epoch"), nameLocation: "middle", nameGap: 24, min: 0, max: (v: { max: number }) => Math.max(1, Math.ceil(v.max)) },
    yAxis: loss ? { type: "value", axisLabel: AXIS_NUMBER, scale: true } : { type: "value", axisLabel: AXIS_NUMBER, min: 0, max: 1 },
    series: c.models.map((m, i) => ({
      name: m.name,
      type: "line",
      data: loss
        ? c.curves[i].losses.map((p) => [p.epoch, p.loss])
        : c.curves[i].evaluations.map((p) => [p.epoch, p.macro_f1]),
    })),
  };
}

export type ClassSort = "label" | "difference";

/** Per-class F1 as grouped bars; sorted by label or by how much the models disagree. */
export function perClassF1Chart(c: Comparison, sort: ClassSort): EChartsOption {
  const spread = (f1: (number | null)[]) => {
    const known = f1.filter((v): v is number => v != null);
    return known.length ? Math.max(...known) - Math.min(...known) : 0;
  };
  const rows = [...c.per_class].sort((a, b) =>
    sort === "label" ? a.label.localeCompare(b.label, i18n.language, { numeric: true }) : spread(b.f1) - spread(a.f1),
  );
  return {
    ...base(t("charts.f1PerClass")),
    tooltip: labelTooltip(c.label_names),
    legend: { top: 4, right: 12, type: "scroll", width: "70%" },
    grid: { left: 48, right: 20, top: 44, bottom: 64 },
    xAxis: { type: "category", data: rows.map((r) => r.label), axisLabel: { rotate: rows.length > 12 ? 60 : 0 } },
    yAxis: { type: "value", axisLabel: AXIS_NUMBER, min: 0, max: 1 },
    dataZoom: rows.length > 40 ? [{ type: "inside" }, { type: "slider", height: 14, bottom: 4 }] : [],
    series: c.models.map((m, i) => ({ name: m.name, type: "bar", data: rows.map((r) => r.f1[i]) })),
  };
}

/** A confusion matrix with its own labels (comparison and error inspector). */
export function confusionOf(c: Confusion, title: string, dark = false, names?: LabelNames): EChartsOption {
  const option = confusionHeatmap(
    {
      loss: null,
      accuracy: 0,
      macro_f1: 0,
      macro_precision: 0,
      macro_recall: 0,
      top1_accuracy: 0,
      top2_accuracy: 0,
      per_class: c.labels.map((label) => ({ label, precision: 0, recall: 0, f1: 0, support: 0 })),
      confusion: c.matrix,
      examples: 0,
    },
    dark,
    names,
  );
  return { ...option, title: { ...(option.title as object), text: title } };
}

/** Micro and macro F1 of the validation rows by decision threshold, the one in use marked. */
export function thresholdCurveChart(curve: ThresholdPoint[], current: number): EChartsOption {
  const at = (f: (p: ThresholdPoint) => number) => curve.map((p) => [p.threshold, f(p)]);
  return {
    ...base(t("charts.byThreshold")),
    legend: { right: 12, top: 4 },
    xAxis: { type: "value", axisLabel: AXIS_NUMBER, name: t("charts.threshold"), nameLocation: "middle", nameGap: 24, min: 0, max: 1 },
    yAxis: { type: "value", min: 0, max: 1, axisLabel: { formatter: (v: number) => formatPercent(v, 0) } },
    series: [
      {
        name: t("metrics.micro_f1"),
        type: "line",
        data: at((p) => p.micro_f1),
        markLine: { symbol: "none", label: { formatter: t("charts.inUse") }, data: [{ xAxis: current }] },
      },
      { name: t("metrics.macro_f1"), type: "line", data: at((p) => p.macro_f1) },
      { name: t("metrics.subset_accuracy"), type: "line", data: at((p) => p.subset_accuracy) },
    ],
  };
}
