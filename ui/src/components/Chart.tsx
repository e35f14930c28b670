import ReactEChartsCore from "echarts-for-react/esm/core";
import type { EChartsOption } from "echarts";
import { useTranslation } from "react-i18next";
import { chartTable } from "../logic/chartTable";
import { echarts } from "./echarts";
import { useColorScheme } from "./useColorScheme";

/** One chart, with the table behind it (for screen readers, and for anyone who wants the
 * numbers); `points` (how many data points it shows) is exposed for the end-to-end tests.
 * `onClickCell` receives the [x, y] indices of a clicked heatmap cell. */
export function Chart(props: {
  option: EChartsOption;
  height?: number;
  testId?: string;
  points?: number;
  onClickCell?: (x: number, y: number) => void;
}) {
  const scheme = useColorScheme();
  const { t } = useTranslation();
  const { onClickCell } = props;
  const table = chartTable(props.option);
  return (
    <figure className="chart" data-testid={props.testId} data-points={props.points} aria-label={table.caption || undefined}>
      <div aria-hidden="true">
        <ReactEChartsCore
          echarts={echarts}
          option={props.option}
          theme={scheme === "dark" ? "dark" : undefined}
          notMerge
          lazyUpdate
          style={{ height: props.height ?? 260, width: "100%" }}
          onEvents={
            onClickCell
              ? {
                  click: (params: { value?: unknown }) => {
                    const v = params.value;
                    if (Array.isArray(v) && v.length >= 2) onClickCell(Number(v[0]), Number(v[1]));
                  },
                }
              : undefined
          }
        />
      </div>
      {table.rows.length > 0 && (
        <details className="chart-table">
          <summary>{t("charts.asTable")}</summary>
          <div className="table-wrap" tabIndex={0}>
            <table className="data-table numeric">
              {table.caption && <caption>{table.caption}</caption>}
              <thead>
                <tr>{table.headers.map((h, i) => <th key={i} scope="col">{h}</th>)}</tr>
              </thead>
              <tbody>
                {table.rows.map((row, r) => (
                  <tr key={r}>
                    {row.map((cell, c) => (c === 0 ? <th key={c} scope="row">{cell}</th> : <td key={c}>{cell}</td>))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </figure>
  );
}
