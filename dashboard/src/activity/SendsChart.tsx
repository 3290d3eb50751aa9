import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface HourRow {
  hour: string;
  delivery_method: string;
  sends: number;
  delivered: number;
  failures: number;
}

/** One colour per series (readable on the light and the dark panel); the line style tells the delivery methods apart. */
const SERIES = [
  { key: 'sends', label: 'sends', colour: '#3b82f6' },
  { key: 'delivered', label: 'delivered', colour: '#16a34a' },
  { key: 'failures', label: 'failures', colour: '#dc2626' },
] as const;
const DASH: Record<string, number[]> = { text: [], voice: [6, 4] };

/** Every hour of the window (hours without sends count zero), per method and series: uPlot's aligned columns. */
export function alignHours(from: string, to: string, rows: HourRow[]): { xs: number[]; methods: string[]; columns: Map<string, number[]> } {
  const start = Date.parse(from);
  const end = Date.parse(to);
  const xs: number[] = [];
  for (let t = start; t < end; t += 3_600_000) xs.push(t / 1000);
  const methods = [...new Set(rows.map((r) => r.delivery_method))].sort();
  const columns = new Map<string, number[]>();
  for (const m of methods) for (const s of SERIES) columns.set(`${m}:${s.key}`, xs.map(() => 0));
  for (const r of rows) {
    const i = Math.round((Date.parse(r.hour) - start) / 3_600_000);
    if (i < 0 || i >= xs.length) continue;
    for (const s of SERIES) columns.get(`${r.delivery_method}:${s.key}`)![i] = r[s.key];
  }
  return { xs, methods, columns };
}

/**
 * Sends, deliveries and failures per hour and delivery method (uPlot, canvas). The canvas is hidden
 * from assistive technology: the same numbers are in the table the page shows beside it.
 */
export function SendsChart({ from, to, rows }: { from: string; to: string; rows: HourRow[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const { xs, methods, columns } = alignHours(from, to, rows);
    const muted = getComputedStyle(document.documentElement).getPropertyValue('--muted').trim() || '#888';
    const grid = getComputedStyle(document.documentElement).getPropertyValue('--border').trim() || '#ccc';
    const axis = { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const series: uPlot.Series[] = [{ label: 'hour (UTC)' }];
    const data: number[][] = [xs];
    for (const m of methods) {
      for (const s of SERIES) {
        series.push({ label: `${m} ${s.label}`, stroke: s.colour, width: 2, dash: DASH[m] ?? [2, 3], points: { show: false } });
        data.push(columns.get(`${m}:${s.key}`)!);
      }
    }
    const width = () => Math.max(260, el.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: 220,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [axis, { ...axis, size: 40 }],
        series,
        legend: { show: true, live: false },
        cursor: { show: true, drag: { x: false, y: false } },
      },
      data as uPlot.AlignedData,
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: 220 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [from, to, rows]);
  return <div ref={box} className="chart" data-testid="sends-chart" aria-hidden="true" />;
}
