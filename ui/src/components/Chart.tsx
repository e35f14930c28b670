import ReactEChartsCore from "echarts-for-react/esm/core";
import type { EChartsOption } from "echarts";
import { echarts } from "./echarts";
import { useColorScheme } from "./useColorScheme";

/** One chart; `points` (how many data points it shows) is exposed for the end-to-end tests.
 * `onClickCell` receives the [x, y] indices of a clicked heatmap cell. */
export function Chart(props: {
  option: EChartsOption;
  height?: number;
  testId?: string;
  points?: number;
  onClickCell?: (x: number, y: number) => void;
}) {
  const scheme = useColorScheme();
  const { onClickCell } = props;
  return (
    <div className="chart" data-testid={props.testId} data-points={props.points}>
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
  );
}
