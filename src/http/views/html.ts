/** Escape text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function formatNok(amountOre: number): string {
  return `${(amountOre / 100).toLocaleString('nb-NO', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} kr`;
}

/**
 * JSON for an inline <script>: `</script>`, `<!--` and the line separators cannot end or break the script,
 * whatever a merchant put in the string.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The pages' look: Vipps orange, system fonts only (no network), one centred card. */
export const BASE_STYLE = `
  :root { --vipps: #ff5b24; --vipps-dark: #e0461a; --vipps-soft: #fff1eb; --ink: #1d1d1f; --muted: #6b6b73; --line: #ece7e3;
    --ok: #1f8a4c; --ok-soft: #e8f6ee; --bad: #b3261e; --bad-soft: #fdecea; --warn: #8a5a00; --warn-soft: #fff5dc; }
  * { box-sizing: border-box; }
  [hidden] { display: none !important; }
  html { -webkit-text-size-adjust: 100%; }
  body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink);
    background: #f7f3f0; min-height: 100vh; display: flex; flex-direction: column; }
  a { color: var(--vipps-dark); }
  .topbar { background: var(--vipps); color: #fff; padding: 18px 24px 72px; display: flex; align-items: center; justify-content: space-between; }
  .wordmark { font-weight: 900; font-size: 28px; letter-spacing: -1px; line-height: 1; }
  .tag { font-size: 12px; font-weight: 700; text-transform: uppercase; letter-spacing: .8px; background: rgba(255,255,255,.22);
    padding: 4px 10px; border-radius: 999px; }
  main { width: calc(100% - 32px); max-width: 440px; margin: -52px auto 24px; background: #fff; border-radius: 20px; padding: 32px;
    box-shadow: 0 12px 40px rgba(60,30,10,.12); }
  footer { margin: auto 0 0; padding: 16px; text-align: center; font-size: 13px; color: var(--muted); }
  footer a { color: var(--muted); }
  h1 { font-size: 22px; line-height: 1.25; margin: 0; } h2 { font-size: 20px; margin: 0 0 8px; }
  .brand { color: var(--vipps); font-weight: 800; letter-spacing: .5px; }
  .merchant { display: flex; gap: 14px; align-items: center; }
  .avatar { flex: none; width: 48px; height: 48px; border-radius: 14px; background: var(--vipps-soft); color: var(--vipps-dark);
    display: grid; place-items: center; font-weight: 800; font-size: 22px; }
  .eyebrow { margin: 0; font-size: 13px; color: var(--muted); text-transform: uppercase; letter-spacing: .6px; font-weight: 600; }
  .amount { font-size: 40px; font-weight: 800; letter-spacing: -1px; margin: 20px 0 2px; font-variant-numeric: tabular-nums; }
  .muted { color: var(--muted); } .small { font-size: 14px; }
  hr { border: 0; border-top: 1px solid var(--line); margin: 24px 0; }
  label { display: block; margin: 0 0 8px; font-weight: 600; }
  input { width: 100%; padding: 13px 14px; font: inherit; font-size: 18px; border: 1.5px solid #d8d2cd; border-radius: 12px; background: #fff; color: var(--ink); }
  input:focus { outline: none; border-color: var(--vipps); box-shadow: 0 0 0 4px rgba(255,91,36,.18); }
  .phone-field { display: flex; align-items: stretch; border: 1.5px solid #d8d2cd; border-radius: 12px; overflow: hidden; background: #fff; }
  .phone-field:focus-within { border-color: var(--vipps); box-shadow: 0 0 0 4px rgba(255,91,36,.18); }
  .phone-field span { display: grid; place-items: center; padding: 0 12px 0 14px; color: var(--muted); font-size: 18px; background: #faf7f5; border-right: 1px solid var(--line); }
  .phone-field input { border: 0; border-radius: 0; box-shadow: none; letter-spacing: 1px; }
  button, .button { display: block; width: 100%; margin-top: 12px; padding: 14px 16px; border: 0; border-radius: 999px; font: inherit; font-size: 16px;
    font-weight: 700; cursor: pointer; text-align: center; text-decoration: none; transition: background .15s, transform .05s; }
  button:active, .button:active { transform: scale(.99); }
  button:disabled { opacity: .6; cursor: progress; }
  .primary { background: var(--vipps); color: #fff; } .primary:hover { background: var(--vipps-dark); }
  .secondary { background: #f1ecea; color: var(--ink); } .secondary:hover { background: #e7e0dc; }
  .ghost { background: transparent; color: var(--muted); } .ghost:hover { color: var(--ink); }
  .error { color: var(--bad); min-height: 1.5em; margin: 8px 0 0; font-size: 14px; }
  .countdown { margin-top: 20px; font-size: 14px; color: var(--muted); }
  .countdown .row { display: flex; justify-content: space-between; margin-bottom: 6px; }
  .countdown strong { color: var(--ink); font-variant-numeric: tabular-nums; }
  .progress { height: 6px; border-radius: 999px; background: #f1ecea; overflow: hidden; }
  .progress > span { display: block; height: 100%; width: 100%; background: var(--vipps); border-radius: inherit; transition: width 1s linear; }
  .progress.low > span { background: var(--bad); }
  .waiting { text-align: center; padding: 8px 0 0; }
  .pulse { width: 84px; height: 84px; margin: 4px auto 16px; border-radius: 50%; background: var(--vipps-soft); display: grid; place-items: center; position: relative; }
  .pulse::before { content: ""; position: absolute; inset: 0; border-radius: 50%; border: 3px solid var(--vipps); opacity: .5; animation: pulse 1.6s ease-out infinite; }
  .pulse svg { width: 34px; height: 34px; }
  @keyframes pulse { from { transform: scale(.8); opacity: .7; } to { transform: scale(1.35); opacity: 0; } }
  @media (prefers-reduced-motion: reduce) { .pulse::before { animation: none; } }
  .notice { border-radius: 12px; padding: 12px 14px; background: var(--vipps-soft); font-size: 14px; }
  /* The app's consent, express checkout and "Companies that remember you". */
  .scope-icon { flex: none; width: 36px; height: 36px; border-radius: 50%; background: var(--vipps-soft); color: var(--vipps-dark); display: grid; place-items: center; }
  .scope-icon .icon svg { width: 20px; height: 20px; }
  .row-title.wrap { white-space: normal; }
  .section > .error:empty { display: none; }
  .card-option .cost { font-variant-numeric: tabular-nums; white-space: nowrap; }
  .loading-row { display: flex; align-items: center; gap: 12px; padding: 14px; background: #fff; border-radius: 14px; color: var(--muted); font-size: 14px; }
  .spinner.small { flex: none; width: 22px; height: 22px; border-width: 3px; }
  .facts.summary { margin: 0; font-variant-numeric: tabular-nums; }
  .facts .total { border-top: 1px solid var(--line); padding-top: 8px; color: var(--ink); font-size: 18px; font-weight: 800; }
  .pill-button { flex: none; width: auto; margin: 0; padding: 6px 14px; font-size: 14px; background: #f1ecea; color: var(--bad); }
  .pill-button:hover { background: var(--bad-soft); }
`;
