// A chart.js chart on a canvas: created on mount, updated in place when its data or options
// change, destroyed on unmount. chart.js draws on the canvas from our own bundle, so it keeps to
// the CSP (no inline scripts). Screen readers get the figures as a hidden table.
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartData,
  type ChartOptions,
  type ChartType,
} from 'chart.js';
import { useEffect, useRef } from 'react';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, DoughnutController, ArcElement, LineController, LineElement, PointElement, Tooltip, Legend);

/** Distinct, print-safe colours for datasets (products, verdicts…). */
export const CHART_COLOURS = ['#0b5cad', '#1f7a3a', '#a05a00', '#7b3fa0', '#0e8a8a', '#b42318', '#5f6b7a', '#c2185b', '#6d8f00', '#2f4b7c'];

export function chartColour(index: number): string {
  return CHART_COLOURS[index % CHART_COLOURS.length]!;
}

/** Who asked the system for less motion gets the chart drawn at once, without its animation. */
function motionAware<T extends ChartType>(options: ChartOptions<T> | undefined): ChartOptions<T> | undefined {
  if (!window.matchMedia?.('(prefers-reduced-motion: reduce)').matches) return options;
  return { ...options, animation: false } as ChartOptions<T>;
}

export function ChartCanvas<T extends ChartType>(props: {
  type: T;
  data: ChartData<T>;
  options?: ChartOptions<T>;
  /** What the chart shows, for assistive technology (the canvas is an image). */
  label: string;
  /** Header of the first column of the hidden data table (e.g. "Day"). */
  categoryHeader?: string;
  /** Formats a value in the hidden table. */
  format?(value: number): string;
  testId?: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<T> | null>(null);

  // Create once per chart type; destroy on unmount (or when the type changes).
  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, { type: props.type, data: props.data, options: motionAware(props.options) });
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
    // The data and options are applied by the effect below; a new chart only for a new type.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.type]);

  useEffect(() => {
    const current = chart.current;
    if (!current) return;
    current.data = props.data;
    if (props.options) current.options = motionAware(props.options)!;
    current.update();
  }, [props.data, props.options]);

  return (
    <div className="chart-canvas" data-testid={props.testId}>
      <canvas ref={canvas} role="img" aria-label={props.label} />
      <ChartDataTable label={props.label} data={props.data as ChartData} categoryHeader={props.categoryHeader} format={props.format} />
    </div>
  );
}

/** The chart's figures as a table only screen readers see. */
function ChartDataTable(props: { label: string; data: ChartData; categoryHeader: string | undefined; format: ((value: number) => string) | undefined }) {
  const labels = (props.data.labels ?? []).map(String);
  const sets = props.data.datasets;
  // A point on a linear x axis is {x, y}; the table shows its y against the label of its row.
  const valueOf = (v: unknown) => (v !== null && typeof v === 'object' && 'y' in v ? (v as { y: unknown }).y : v);
  const show = (raw: unknown) => {
    const v = valueOf(raw);
    return typeof v === 'number' ? (props.format ? props.format(v) : String(v)) : v == null ? '—' : String(v);
  };
  return (
    <table className="sr-only">
      <caption>{props.label}</caption>
      <thead>
        <tr>
          <th scope="col">{props.categoryHeader ?? ''}</th>
          {sets.map((s, i) => (
            <th key={i} scope="col">
              {s.label ?? ''}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {labels.map((l, row) => (
          <tr key={`${l}-${row}`}>
            <th scope="row">{l}</th>
            {sets.map((s, i) => (
              <td key={i}>{show((s.data as unknown[])[row])}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
