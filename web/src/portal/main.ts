import { drawDashboardChart } from './chart.ts';

/**
 * The portal's browser code: the dashboard's chart, and a confirmation before the actions that cannot be undone
 * (forms marked data-confirm: revoking or rotating a key). Every page works without it except the chart.
 */
const canvas = document.getElementById('volume-chart');
if (canvas instanceof HTMLCanvasElement) drawDashboardChart(canvas);

for (const form of document.querySelectorAll<HTMLFormElement>('form[data-confirm]')) {
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.dataset.confirm ?? 'Are you sure?')) event.preventDefault();
  });
}
