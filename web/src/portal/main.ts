import { drawDashboardChart } from './chart.ts';
import { keepFresh } from './live-region.ts';

/**
 * The portal's browser code: the dashboard's chart, the regions that follow the server (the integration checklist),
 * and a confirmation before the actions that cannot be undone (forms marked data-confirm: revoking or rotating a
 * key, ending a report subscription). Every page works without it except the chart.
 */
const canvas = document.getElementById('volume-chart');
if (canvas instanceof HTMLCanvasElement) drawDashboardChart(canvas);

for (const region of document.querySelectorAll<HTMLElement>('[data-live-refresh]')) keepFresh(region);

for (const form of document.querySelectorAll<HTMLFormElement>('form[data-confirm]')) {
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.dataset.confirm ?? 'Are you sure?')) event.preventDefault();
  });
}
