import ReactECharts from "echarts-for-react";
import type { EChartsOption } from "echarts";
import { useColorScheme } from "./useColorScheme";

/** One chart; `points` (how many data points it shows) is exposed for the end-to-end tests. */
export function Chart(props: { option: EChartsOption; height?: number; testId?: string; points?: number }) {
  const scheme = useColorScheme();
  return (
    <div className="chart" data-testid={props.testId} data-points={props.points}>
      <ReactECharts
        option={props.option}
        theme={scheme === "dark" ? "dark" : undefined}
        notMerge
        lazyUpdate
        style={{ height: props.height ?? 260, width: "100%" }}
      />
    </div>
  );
}
