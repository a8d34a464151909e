/** Escape text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function formatNok(amountOre: number): string {
  return `${(amountOre / 100).toLocaleString('nb-NO', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} kr`;
}

export const BASE_STYLE = `
  :root { --vipps: #ff5b24; --ink: #1d1d1f; --muted: #6b6b73; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f7f3f0; }
  main { max-width: 420px; margin: 8vh auto; background: #fff; border-radius: 16px; padding: 32px; box-shadow: 0 8px 30px rgba(0,0,0,.08); }
  h1 { font-size: 20px; margin: 0 0 4px; } .brand { color: var(--vipps); font-weight: 800; letter-spacing: .5px; }
  .amount { font-size: 32px; font-weight: 700; margin: 16px 0 4px; } .muted { color: var(--muted); }
  label { display: block; margin: 20px 0 6px; font-weight: 600; }
  input { width: 100%; padding: 12px; font-size: 18px; border: 1px solid #ccc; border-radius: 8px; }
  button { width: 100%; margin-top: 12px; padding: 14px; border: 0; border-radius: 8px; font-size: 16px; font-weight: 700; cursor: pointer; }
  .primary { background: var(--vipps); color: #fff; } .secondary { background: #eee; color: var(--ink); }
  .error { color: #b00020; min-height: 1.5em; }
`;
