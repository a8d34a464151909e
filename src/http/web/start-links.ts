/** What the start page (GET /) links: one line per surface, listed only where this server serves it. */
export interface StartLink {
  id: string;
  href: string;
  title: string;
  text: string;
  /** Served in production mode too (false: sandbox only). */
  inProduction: boolean;
}

export const START_LINKS: readonly StartLink[] = [
  { id: 'app', href: '/_kasse/app', title: 'The Vipps app', text: 'Sign in as a test user, confirm or reject payment requests.', inProduction: true },
  { id: 'sandbox', href: '/_kasse/sandbox', title: 'Sandbox', text: 'Test users, cards, banks and the amounts that force an outcome.', inProduction: false },
  { id: 'callbacks', href: '/_kasse/sandbox/callbacks', title: 'Callbacks', text: 'Every call Kasse makes to merchants, live, with replay.', inProduction: false },
  { id: 'portal', href: '/portal', title: 'Merchant portal', text: 'Your payments, callbacks, keys and settlements, with a log-in.', inProduction: true },
  { id: 'console', href: '/console', title: 'Operator console', text: 'Merchants, sales units, capture type, fees, status, keys and the audit log, with a log-in.', inProduction: true },
  { id: 'docs', href: '/_kasse/docs', title: 'API docs', text: 'The merchant API as this server serves it (OpenAPI).', inProduction: true },
];

export function startLinks(sandbox: boolean): StartLink[] {
  return START_LINKS.filter((link) => sandbox || link.inProduction);
}
