import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { formatNok } from '../../../src/shared/money-text.ts';
import type { DashboardChartDay } from '../../../src/shared/view-models.ts';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);

/** The page's colour tokens (web/public/styles/base.css), so the chart uses the checked palette. */
function token(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(`--${name}`).trim();
}

/**
 * The dashboard's chart: captured, refunded and failed amounts per day as bars, payouts as a line; tooltips give
 * the counts. Chart.js draws on the canvas and sizes it through element.style, which the CSP allows.
 */
export function drawDashboardChart(canvas: HTMLCanvasElement): Chart {
  const days = JSON.parse(canvas.dataset.days ?? '[]') as DashboardChartDay[];
  const kroner = (ore: number) => ore / 100;
  const counts: Record<string, (d: DashboardChartDay) => number> = {
    Captured: (d) => d.capturedCount,
    Refunded: (d) => d.refundedCount,
    Failed: (d) => d.failedCount,
  };
  const chart = new Chart(canvas, {
    data: {
      labels: days.map((d) => d.date.slice(5)),
      datasets: [
        { type: 'bar', label: 'Captured', data: days.map((d) => kroner(d.capturedOre)), backgroundColor: token('vipps'), borderRadius: 4 },
        { type: 'bar', label: 'Refunded', data: days.map((d) => kroner(d.refundedOre)), backgroundColor: token('plum'), borderRadius: 4 },
        { type: 'bar', label: 'Failed', data: days.map((d) => kroner(d.failedOre)), backgroundColor: token('bad'), borderRadius: 4 },
        { type: 'line', label: 'Paid out', data: days.map((d) => kroner(d.payoutOre)), borderColor: token('ok'), backgroundColor: token('ok'), tension: 0.25 },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'index', intersect: false },
      scales: { y: { beginAtZero: true, ticks: { callback: (value) => `${Number(value).toLocaleString('nb-NO')} kr` } } },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          callbacks: {
            label: (item) => {
              const day = days[item.dataIndex];
              const count = day ? counts[item.dataset.label ?? '']?.(day) : undefined;
              const amount = formatNok(Math.round(Number(item.raw) * 100));
              return count === undefined ? `${item.dataset.label}: ${amount}` : `${item.dataset.label}: ${amount} (${count})`;
            },
          },
        },
      },
    },
  });
  canvas.dataset.rendered = 'true';
  canvas.dispatchEvent(new CustomEvent('chart-rendered', { bubbles: true }));
  return chart;
}
