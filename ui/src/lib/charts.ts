// ECharts, only the parts the dashboard draws with (bar charts on a grid, tooltip, legend, mark
// lines, the canvas renderer), so the bundle stays small. Nothing is fetched and nothing is
// evaluated: the canvas renderer draws locally, within the window's strict CSP.
import { BarChart, type BarSeriesOption } from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  type GridComponentOption,
  type LegendComponentOption,
  type MarkLineComponentOption,
  type TooltipComponentOption,
} from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);

export { echarts };

export type ChartOption = echarts.ComposeOption<
  BarSeriesOption | GridComponentOption | LegendComponentOption | MarkLineComponentOption | TooltipComponentOption
>;

/** What a click on a chart reports (the data item carries where it leads). */
export type ChartClick = echarts.ECElementEvent;

/** A bar's value with the address its households are listed at (null: no list behind it). */
export interface Bar {
  value: number;
  link: string | null;
  itemStyle?: { color: string };
}

/** Where a clicked data item leads, if anywhere. */
export function linkOf(p: ChartClick): string | null {
  const d = p.data as Partial<Bar> | null | undefined;
  return d && typeof d === "object" && typeof d.link === "string" ? d.link : null;
}
