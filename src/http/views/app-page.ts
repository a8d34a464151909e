import { BASE_STYLE } from './html.ts';

/** The simulated Vipps app (phone-sized single page over /_kasse/app/api). */
export function appPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Vipps (Kasse simulator)</title><style>${BASE_STYLE}</style></head><body><main id="app"><p class="brand">vipps</p><p class="muted">Loading…</p></main>
<script src="/_kasse/app/app.js"></script></body></html>`;
}
