// The table behind a chart: the same numbers as rows and columns, for screen readers and for
// anyone who wants the values. Built from the ECharts option itself, so a chart and its table
// cannot disagree.
import type { EChartsOption } from "echarts";
import { formatSignificant } from "./format";

export interface ChartTable {
  caption: string;
  headers: string[];
  rows: string[][];
}

type Axis = { type?: string; name?: string; data?: unknown[] };
type Series = { name?: string; type?: string; data?: unknown[] };

const one = <T,>(v: T | T[] | undefined): T | undefined => (Array.isArray(v) ? v[0] : v);

function number(value: unknown): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return value == null ? "" : String(value);
  return formatSignificant(value, 4);
}

export function chartTable(option: EChartsOption): ChartTable {
  const caption = String((one(option.title as { text?: string } | undefined) ?? {}).text ?? "");
  const x = (one(option.xAxis as Axis | Axis[]) ?? {}) as Axis;
  const y = (one(option.yAxis as Axis | Axis[]) ?? {}) as Axis;
  const series = ((Array.isArray(option.series) ? option.series : option.series ? [option.series] : []) as Series[]).filter(
    (s) => Array.isArray(s.data),
  );
  const names = series.map((s, i) => s.name ?? (series.length === 1 ? caption : `${i + 1}`));

  // A heatmap: one row per y category, one column per x category.
  const heatmap = series.find((s) => s.type === "heatmap");
  if (heatmap && x.data && y.data) {
    const cells = new Map<string, unknown>();
    for (const cell of heatmap.data as [number, number, number][]) cells.set(`${cell[1]},${cell[0]}`, cell[2]);
    return {
      caption,
      headers: [`${y.name ?? ""} \\ ${x.name ?? ""}`, ...x.data.map(String)],
      rows: y.data.map((label, row) => [String(label), ...x.data!.map((_, col) => number(cells.get(`${row},${col}`) ?? 0))]),
    };
  }

  // Categories on one axis: a row per category, a column per series.
  const categories = x.type === "category" ? x : y.type === "category" ? y : null;
  if (categories?.data) {
    return {
      caption,
      headers: [categories.name ?? "", ...names],
      rows: categories.data.map((label, i) => [String(label), ...series.map((s) => number(s.data![i]))]),
    };
  }

  // Points (x, y): a row per x value, a column per series.
  const byX = new Map<number, Map<number, unknown>>();
  series.forEach((s, column) =>
    (s.data as [number, unknown][]).forEach(([at, value]) => {
      if (!byX.has(at)) byX.set(at, new Map());
      byX.get(at)!.set(column, value);
    }),
  );
  return {
    caption,
    headers: [x.name ?? "", ...names],
    rows: [...byX.keys()].sort((a, b) => a - b).map((at) => [number(at), ...series.map((_, column) => number(byX.get(at)!.get(column)))]),
  };
}
