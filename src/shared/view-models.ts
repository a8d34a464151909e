/**
 * The JSON the user's side (landing page, simulated app) and the callbacks page read, as types both the server and
 * the browser code (web/) compile against. Types only: importing this file adds nothing to a browser bundle.
 * The routes check at compile time that what the use cases return still fits these shapes.
 */

export interface PaymentRequestView {
  token: string;
  merchantName: string;
  orderId: string;
  amountOre: number;
  transactionText: string;
  mobileNumber: string | null;
  pushedTo: string | null;
  state: string;
  issuerPending: boolean;
  secondsLeft: number;
  finished: boolean;
  fallBack: string;
  createdAtMs: number;
  reservedAtMs: number | null;
  reservedOre: number;
  capturedOre: number;
  refundedOre: number;
  express: boolean;
  scopes: readonly string[];
}

export interface CardView {
  id: string;
  label: string;
  brand: string;
  last4: string;
  expiryMonth: string;
  bankId: string;
  state: string;
  isDefault: boolean;
}

export interface AddressView {
  id: number;
  addressLine1: string;
  addressLine2: string | null;
  postCode: string;
  city: string;
  addressType: string;
  isDefault: boolean;
}

export interface ConsentView {
  id: number;
  merchantName: string;
  scopes: readonly string[];
  since: number;
}

export interface AppUserView {
  msisdn: string;
  firstName: string;
  lastName: string;
  email: string | null;
  stepUpLimitOre: number | null;
  birthDate?: string | null;
  addresses: AddressView[];
  cards: CardView[];
  consents: ConsentView[];
}

/** GET /_kasse/app/api/users/:msisdn */
export interface AppHomeView {
  user: AppUserView;
  pending: PaymentRequestView[];
  history: PaymentRequestView[];
}

/** POST /_kasse/app/api/payments/:token/confirm */
export type ConfirmAnswer =
  | { result: 'approved'; kind: 'reserve' | 'sale'; redirect: string }
  | { result: 'refused'; message: string; redirect: string }
  | { result: 'challenge'; challenge: 'bankid' | 'sca' }
  | { result: 'pending'; message: string; redirect: string }
  | { result: 'error'; message: string };

export interface ShippingMethodView {
  shippingMethodId: string;
  shippingMethod: string;
  shippingCostOre: number;
  priority: number;
}

/** GET /_kasse/app/api/payments/:token/shipping */
export type ShippingAnswer =
  | { ok: true; addresses: AddressView[]; addressId: number | null; methods: ShippingMethodView[]; defaultMethodId: string | null }
  | { ok: false; redirect?: string | null };

export interface OutboundAttemptView {
  attemptNo: number;
  startedAt: string;
  latencyMs: number;
  httpStatus: number | null;
  responseExcerpt: string | null;
  error: string | null;
}

/** One row of the callbacks page (GET /_kasse/sandbox/callbacks.json). */
export interface OutboundCallView {
  id: number;
  merchantSerialNumber: string;
  orderId: string | null;
  kind: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  state: string;
  attemptCount: number;
  maxAttempts: number;
  createdAt: string;
  nextAttemptAt: string;
  delayed: boolean;
  attempts: OutboundAttemptView[];
}

/** One day of the portal dashboard's chart (the canvas's data-days, read by web/src/portal/chart.ts). */
export interface DashboardChartDay {
  date: string;
  capturedOre: number;
  refundedOre: number;
  failedOre: number;
  payoutOre: number;
  capturedCount: number;
  refundedCount: number;
  failedCount: number;
}

/** The app's signed-in session: whose, the CSRF token its state-changing calls carry, when it ends. */
export interface AppSessionView {
  msisdn: string;
  csrfToken: string;
  expiresAt: string;
}
