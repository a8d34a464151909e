import { BASE_STYLE } from './html.ts';

/** The app's own look on top of the shared one: a phone on a desk, or the whole screen on a phone. */
const APP_STYLE = `
  body.app-body { background: radial-gradient(circle at 30% 20%, #fff4ee 0, #f1e7e1 45%, #e6dbd4 100%); align-items: center; justify-content: center; padding: 24px 0; }
  .phone { width: 390px; max-width: 100%; height: min(844px, calc(100vh - 48px)); min-height: 560px; background: #f7f3f0; border: 10px solid #1d1d1f;
    border-radius: 48px; box-shadow: 0 30px 80px rgba(40,20,10,.25); overflow: hidden; display: flex; flex-direction: column; position: relative; }
  @media (max-width: 480px) {
    body.app-body { padding: 0; background: #f7f3f0; }
    .phone { width: 100%; height: 100vh; height: 100dvh; min-height: 0; border: 0; border-radius: 0; box-shadow: none; }
  }
  .app-bar { flex: none; background: var(--vipps); color: #fff; display: flex; align-items: center; justify-content: space-between; padding: 14px 20px 12px; }
  .app-bar .wordmark { font-size: 26px; }
  .app-bar .right { display: flex; gap: 8px; align-items: center; }
  .bar-avatar { width: 32px; height: 32px; border-radius: 50%; background: rgba(255,255,255,.25); display: grid; place-items: center; font-size: 13px; font-weight: 800; }
  .phone[data-screen="bankid"] .app-bar { background: #39134c; }
  .phone[data-screen="sca"] .app-bar { background: #24304a; }
  #app.screen { flex: 1; overflow-y: auto; overscroll-behavior: contain; margin: 0; max-width: none; width: auto; padding: 0 0 24px; border-radius: 0; box-shadow: none; background: transparent; }
  .hero { background: var(--vipps); color: #fff; padding: 8px 20px 56px; }
  .hero-title { font-size: 26px; line-height: 1.2; margin: 0; letter-spacing: -.3px; }
  .hero-sub { margin: 6px 0 0; opacity: .9; }
  .hero-eyebrow { margin: 0 0 4px; font-size: 13px; font-weight: 700; text-transform: uppercase; letter-spacing: .7px; opacity: .85; }
  .bankid-hero { background: #39134c; }
  .bankid-logo { display: inline-block; margin: 4px 0 14px; padding: 4px 10px; border: 2px solid #fff; border-radius: 8px; font-weight: 900; letter-spacing: .5px; }
  .sca-hero { background: #24304a; }
  .sheet { background: #fff; margin: -36px 16px 0; border-radius: 20px; padding: 20px; box-shadow: 0 6px 24px rgba(60,30,10,.08); position: relative; }
  .sheet label.gap { margin-top: 16px; }
  .section { margin: 20px 16px 0; }
  .hero + .section { margin-top: -36px; }
  .section-title { margin: 0 0 8px; padding: 0; font-size: 13px; font-weight: 700; text-transform: uppercase; letter-spacing: .7px; color: var(--muted); }
  .hint { font-size: 13px; color: var(--muted); margin: 0 0 10px; } .hint.center { text-align: center; margin: 14px 20px; }
  .list { list-style: none; margin: 0; padding: 0; background: #fff; border-radius: 16px; overflow: hidden; box-shadow: 0 2px 10px rgba(60,30,10,.05); }
  .list > li + li, .list > div + div { border-top: 1px solid var(--line); }
  .hero + .section .list { box-shadow: 0 6px 24px rgba(60,30,10,.08); }
  .hero + .section .section-title { color: #fff; }
  .row { display: flex; align-items: center; gap: 12px; padding: 12px 14px; width: 100%; text-align: left; }
  .row-main { flex: 1; min-width: 0; display: flex; flex-direction: column; }
  .row-title { font-weight: 650; display: flex; gap: 6px; align-items: center; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .row-sub { font-size: 13px; color: var(--muted); overflow: hidden; text-overflow: ellipsis; }
  .row-sub.strong { color: var(--ink); }
  .pick, .request { margin: 0; border-radius: 0; background: #fff; font-weight: 400; color: var(--ink); }
  .pick:hover, .request:hover { background: #fdf8f5; }
  .pick .icon, .request .icon { color: #c9bfb9; }
  .request { display: flex; align-items: center; gap: 12px; padding: 14px; width: 100%; text-align: left; }
  .request-side { display: flex; flex-direction: column; align-items: flex-end; gap: 4px; white-space: nowrap; }
  .request-side strong { font-variant-numeric: tabular-nums; }
  .avatar.small { width: 36px; height: 36px; border-radius: 50%; font-size: 14px; }
  .avatar.large { width: 64px; height: 64px; border-radius: 20px; font-size: 28px; margin: 0 auto 10px; }
  .chip { font-size: 12px; font-weight: 700; color: var(--vipps-dark); background: var(--vipps-soft); border-radius: 999px; padding: 2px 8px; font-variant-numeric: tabular-nums; }
  .badge { display: inline-block; font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: .4px; border-radius: 6px; padding: 2px 6px; white-space: nowrap; }
  .badge.ok { color: var(--ok); background: var(--ok-soft); } .badge.bad { color: var(--bad); background: var(--bad-soft); }
  .badge.warn { color: var(--warn); background: var(--warn-soft); } .badge.muted { color: var(--muted); background: #f1ecea; }
  .badge.soft { color: var(--muted); background: #f4f0ed; text-transform: none; letter-spacing: 0; font-weight: 600; }
  .empty { padding: 16px; color: var(--muted); font-size: 14px; margin: 0; }
  .brand-mark { flex: none; width: 46px; height: 30px; border-radius: 6px; display: grid; place-items: center; }
  .brand-mark.visa { background: #1a1f71; color: #fff; font-weight: 900; font-style: italic; font-size: 13px; letter-spacing: .5px; }
  .brand-mark.mc { background: #231f20; position: relative; }
  .brand-mark.mc i { position: absolute; top: 7px; width: 16px; height: 16px; border-radius: 50%; }
  .brand-mark.mc i:first-child { left: 9px; background: #eb001b; } .brand-mark.mc i:last-child { left: 20px; background: #f79e1b; opacity: .9; }
  .card-problem .brand-mark { opacity: .45; } .card-problem .row-title { color: var(--muted); }
  .subbar { padding: 8px 12px 0; }
  .link-button { display: inline-flex; align-items: center; gap: 2px; width: auto; margin: 0; padding: 6px 8px; background: transparent; color: var(--ink); font-weight: 600; border-radius: 8px; }
  .link-button .icon svg { width: 20px; height: 20px; }
  .icon { display: inline-grid; place-items: center; } .icon svg { width: 22px; height: 22px; }
  .pay-head { text-align: center; padding: 8px 24px 0; }
  .eyebrow { margin: 0; font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .7px; font-weight: 700; }
  .pay-merchant { font-size: 22px; margin: 2px 0 0; }
  .pay-amount { font-size: 38px; font-weight: 800; letter-spacing: -1px; margin: 10px 0 0; font-variant-numeric: tabular-nums; }
  .pay-text { color: var(--muted); margin: 2px 0 0; }
  .countdown { margin: 0; background: #fff; border-radius: 14px; padding: 12px 14px; }
  .countdown-row { display: flex; justify-content: space-between; font-size: 14px; color: var(--muted); margin-bottom: 6px; }
  .countdown-row strong { color: var(--ink); font-variant-numeric: tabular-nums; }
  .notice { margin: 10px 0 0; }
  .picker { border: 0; margin: 0; padding: 0; min-width: 0; }
  .picker legend { margin-bottom: 8px; }
  .card-option { display: flex; align-items: center; gap: 0; margin: 0 0 8px; padding: 0 0 0 14px; background: #fff; border-radius: 14px; border: 2px solid transparent; cursor: pointer; font-weight: 400; }
  .card-option:has(input:checked) { border-color: var(--vipps); }
  .card-option input { width: 20px; height: 20px; margin: 0; accent-color: var(--vipps); flex: none; box-shadow: none; }
  .actions { margin: 16px 16px 0; }
  .actions .error:empty { min-height: 0; margin: 0; }
  .bankid-button { background: #39134c; color: #fff; } .bankid-button:hover { background: #2a0d39; }
  .phone[data-screen="bankid"] input:focus { border-color: #39134c; box-shadow: 0 0 0 4px rgba(57,19,76,.18); }
  .result { text-align: center; padding: 40px 24px 0; }
  .result h1 { font-size: 26px; margin: 0; }
  .result-icon { width: 76px; height: 76px; border-radius: 50%; display: grid; place-items: center; margin: 0 auto 16px; }
  .result-icon .icon svg { width: 40px; height: 40px; stroke-width: 2.6; }
  .result-icon.ok { background: var(--ok-soft); color: var(--ok); } .result-icon.bad { background: var(--bad-soft); color: var(--bad); }
  .result-icon.warn { background: var(--warn-soft); color: var(--warn); } .result-icon.muted { background: #efe9e5; color: var(--muted); }
  .result-icon.light { background: rgba(255,255,255,.14); color: #fff; margin: 8px 0 14px; width: 60px; height: 60px; }
  .result-message { font-size: 18px; margin: 10px 0 6px; }
  .facts { display: grid; grid-template-columns: auto 1fr; gap: 8px 16px; text-align: left; background: #fff; border-radius: 16px; padding: 16px 18px; margin: 20px 0 12px; }
  .facts.sheet { margin: -36px 16px 0; }
  .facts dt { color: var(--muted); font-size: 14px; } .facts dd { margin: 0; font-weight: 600; text-align: right; overflow-wrap: anywhere; }
  .center-fill { display: grid; place-items: center; height: 60%; }
  .spinner { width: 36px; height: 36px; border-radius: 50%; border: 4px solid #f1d9cf; border-top-color: var(--vipps); animation: spin .8s linear infinite; }
  @keyframes spin { to { transform: rotate(360deg); } }
`;

/** The simulated Vipps app (phone-sized single page over /_kasse/app/api; the code is /_kasse/app/app.js). */
export function appPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<meta name="theme-color" content="#ff5b24"><title>Vipps (Kasse simulator)</title><style>${BASE_STYLE}${APP_STYLE}</style></head>
<body class="app-body"><div class="phone" id="phone" data-screen="loading">
<header class="app-bar"><span class="wordmark" aria-label="Vipps">vipps</span><span class="right"><span class="tag">Simulator</span><span id="bar-user"></span></span></header>
<main id="app" class="screen"><div class="center-fill"><div class="spinner" role="status" aria-label="Loading"></div></div></main>
</div>
<noscript><p>The simulated Vipps app needs JavaScript.</p></noscript>
<script src="/_kasse/app/app.js"></script></body></html>`;
}
