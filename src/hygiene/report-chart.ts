import { createCanvas } from '@napi-rs/canvas';
import type * as ChartJs from 'chart.js' with { 'resolution-mode': 'import' };
import type { ReportFigures } from '../domain/hygiene';

// chart.js ships a CommonJS build, but TypeScript reads its one set of types as ES-module types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Chart, registerables } = require('chart.js') as typeof ChartJs;

Chart.register(...registerables);

export const CHART_SIZE = { width: 800, height: 400 } as const;

/** The canvas is transparent; Slack's dark theme would swallow the axis labels. */
const whiteBackground: ChartJs.Plugin<'bar'> = {
  id: 'white-background',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/**
 * The report's chart: contacts by activity per report (stacked bars), how many are opted in
 * (line) and the broadcast copies sent in each period (red line, right axis), oldest report first. Drawn locally — chart.js on @napi-rs/canvas, whose binary ships in
 * its npm package — so reports need no network and no image service.
 */
export function renderReportChart(points: Array<{ at: Date; figures: ReportFigures }>, timezone: string): Buffer {
  const canvas = createCanvas(CHART_SIZE.width, CHART_SIZE.height);
  const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: timezone });
  const series = (pick: (f: ReportFigures) => number) => points.map((p) => pick(p.figures));
  const chart = new Chart(canvas.getContext('2d') as never, {
    type: 'bar',
    data: {
      labels: points.map((p) => day.format(p.at)),
      datasets: [
        { label: 'Active', data: series((f) => f.active), backgroundColor: '#2eb67d', stack: 'contacts', order: 1 },
        { label: 'Inactive', data: series((f) => f.inactive), backgroundColor: '#ecb22e', stack: 'contacts', order: 1 },
        { label: 'Archived', data: series((f) => f.archived), backgroundColor: '#9e9ea6', stack: 'contacts', order: 1 },
        { label: 'Opted in', data: series((f) => f.optedIn), type: 'line' as never, stack: 'opted-in', order: 0, borderColor: '#1264a3', backgroundColor: '#1264a3', borderWidth: 3 },
        // Broadcast copies sent in each period, on their own axis: a few hundred beside thousands of contacts.
        { label: 'Broadcast copies sent', data: series((f) => f.broadcastsSent ?? 0), type: 'line' as never, stack: 'broadcasts', yAxisID: 'y1', order: 0, borderColor: '#e01e5a', backgroundColor: '#e01e5a', borderWidth: 2 } as never,
      ],
    },
    options: {
      animation: false,
      responsive: false,
      devicePixelRatio: 1,
      plugins: { title: { display: true, text: 'Contacts per report' }, legend: { position: 'bottom' } },
      scales: {
        x: { stacked: true },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
        y1: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, ticks: { precision: 0 }, title: { display: true, text: 'broadcast copies' } },
      },
    },
    plugins: [whiteBackground],
  });
  try {
    return canvas.toBuffer('image/png');
  } finally {
    chart.destroy();
  }
}
