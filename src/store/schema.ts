import type { Generated, Insertable, Selectable } from 'kysely';
import type { OperationKind, PaymentState } from '../domain/payment-states.ts';
import type { PayoutFrequency, SettlementType } from '../domain/settlement.ts';
import type { ReportFrequency } from '../domain/report-periods.ts';

/**
 * Table types. Every table that holds a merchant's data carries `msn` and every query filters by it:
 * merchants are kept apart by construction, and a distributed PostgreSQL could shard by it.
 * Timestamps are epoch milliseconds from the injected Clock; booleans are 0/1 on both engines.
 */
export interface Database {
  kasse_meta: KasseMetaTable;
  write_guard: WriteGuardTable;
  merchant: MerchantTable;
  sales_unit: SalesUnitTable;
  api_key: ApiKeyTable;
  test_user: TestUserTable;
  payment: PaymentTable;
  ecomm_v2_request: EcommV2RequestTable;
  payment_session: PaymentSessionTable;
  payment_operation: PaymentOperationTable;
  ledger_entry: LedgerEntryTable;
  ledger_line: LedgerLineTable;
  idempotency_key: IdempotencyKeyTable;
  outbox: OutboxTable;
  callback_attempt: CallbackAttemptTable;
  bank: BankTable;
  card: CardTable;
  card_hold: CardHoldTable;
  card_credit: CardCreditTable;
  user_address: UserAddressTable;
  consent: ConsentTable;
  fault_rule: FaultRuleTable;
  settlement_booking: SettlementBookingTable;
  ledger_date_close: LedgerDateCloseTable;
  settlement: SettlementTable;
  report_entry: ReportEntryTable;
  settlement_bank_booking: SettlementBankBookingTable;
  report_subscription: ReportSubscriptionTable;
  transaction_report: TransactionReportTable;
  report_mail: ReportMailTable;
  report_mail_attempt: ReportMailAttemptTable;
  partner: PartnerTable;
  partner_sales_unit: PartnerSalesUnitTable;
  partner_key: PartnerKeyTable;
  api_call: ApiCallTable;
  web_account: WebAccountTable;
  web_session: WebSessionTable;
  audit_log: AuditLogTable;
  app_user_pin: AppUserPinTable;
  app_session: AppSessionTable;
}

/** A user's app PIN: scrypt hash, failed attempts since the last success, locked until (epoch ms). */
export interface AppUserPinTable {
  msisdn: string;
  pin_hash: string;
  failed_attempts: number;
  locked_until_ms: number | null;
  updated_at_ms: number;
}

/** A signed-in app session: the cookie's token as SHA-256, its user, its CSRF token, when it ends. */
export interface AppSessionTable {
  token_sha256: string;
  msisdn: string;
  csrf_token: string;
  created_at_ms: number;
  expires_at_ms: number;
}

export interface UserAddressTable {
  id: Generated<number>;
  msisdn: string;
  address_line1: string;
  address_line2: string | null;
  city: string;
  post_code: string;
  /** ISO code, 'NO'. */
  country: string;
  address_type: 'H' | 'W' | 'O';
  is_default: number;
}

export interface ConsentTable {
  id: Generated<number>;
  msisdn: string;
  msn: string;
  /** The userinfo subject the merchant sees for this user. */
  sub: string;
  /** Space-separated scopes the user agreed to share (express: name email phoneNumber address). */
  scope: string;
  consent_removal_prefix: string | null;
  created_at_ms: number;
  removed_at_ms: number | null;
}

export type FaultKind = 'drop_callbacks' | 'delay_callbacks' | 'slow_shipping';

export interface FaultRuleTable {
  id: Generated<number>;
  msn: string;
  kind: FaultKind;
  remaining: number;
  delay_ms: number;
  created_at_ms: number;
}

/** Never holds a row (CHECK false): a held write whose guard matched nothing inserts one, failing its transaction. */
export interface WriteGuardTable {
  guard: string;
}

export interface KasseMetaTable {
  key: string;
  value: string;
}

export interface MerchantTable {
  id: string;
  name: string;
  org_number: string | null;
  created_at_ms: number;
}

export type CaptureType = 'reserve' | 'direct';
export type SalesUnitStatus = 'active' | 'deactivated' | 'blocked';

export interface SalesUnitTable {
  msn: string;
  merchant_id: string;
  name: string;
  capture_type: CaptureType;
  express_allowed: number;
  skip_landing_page_allowed: number;
  nin_scope_allowed: number;
  rate_limits_enabled: number;
  /** 1 = the real platform's single attempt; more turns on retries with backoff (a Kasse extension). */
  callback_max_attempts: number;
  status: SalesUnitStatus;
  created_at_ms: number;
  updated_at_ms: number;
  /** Fee per capture: basis points of the amount (rounded half up to the øre) plus a fixed amount; refunds carry none. */
  fee_basis_points: Generated<number>;
  fee_fixed_ore: Generated<number>;
  settlement_type: Generated<SettlementType>;
  payout_frequency: Generated<PayoutFrequency>;
  /** `vippsnummer`: no web payments (initiate answers Merchant 97); its Report API handle is `NO:<vipps_number>`. */
  kind: Generated<SalesUnitKind>;
  /** The Vipps-nummer of a `vippsnummer` unit (its MSN when the operator gave none). */
  vipps_number: Generated<string | null>;
  /** 1: a test sales unit, deactivated by the idle rule when unused (src/core/merchants/idle-test-units.ts). */
  test_unit: Generated<number>;
  /** When the unit was created or last reactivated: the idle rule counts unused days from here or the last payment. */
  active_since_ms: number | null;
}

/**
 * Who changed merchants, sales units, keys or operators: the operator API's token, the CLI (with the OS user), a
 * console operator, a merchant's portal user (their own keys), the sandbox API, Kasse itself.
 */
export type AuditActorKind = 'api-token' | 'cli' | 'operator' | 'portal' | 'sandbox' | 'kasse';

/** Insert-only (engine triggers): every operator action, in the transaction of the change it records. */
export interface AuditLogTable {
  id: Generated<number>;
  /** The injected clock's time of the change. */
  at_ms: number;
  actor_kind: AuditActorKind;
  /** 'api-token', the OS user for the CLI, the operator's email, 'idle rule'. */
  actor: string;
  /** What was done, e.g. 'sales-unit.capture-type'. */
  action: string;
  /** What it was done to: an MSN, a merchant id, an operator's email. */
  subject: string;
  /** The fields the action changed, as they were and as they became (JSON; null where there was no before/after). */
  before_json: string | null;
  after_json: string | null;
}

export type SalesUnitKind = 'ecommerce' | 'vippsnummer';

/** A partner (an e-commerce platform) whose keys act for the sales units attached to it. */
export interface PartnerTable {
  id: string;
  name: string;
  created_at_ms: number;
}

export interface PartnerSalesUnitTable {
  partner_id: string;
  msn: string;
  created_at_ms: number;
}

export interface PartnerKeyTable {
  client_id: string;
  partner_id: string;
  client_secret_sha256: string;
  subscription_key_sha256: string;
  created_at_ms: number;
  revoked_at_ms: number | null;
}

/** One authenticated merchant API call (no bodies, tokens or keys), kept KASSE_API_CALL_RETENTION_DAYS. */
export interface ApiCallTable {
  id: Generated<number>;
  msn: string;
  /** The partner whose key made the call, if a partner's. */
  partner_id: string | null;
  at_ms: number;
  method: string;
  /** The route pattern, e.g. `/ecomm/v2/payments/:orderId/capture`. */
  route: string;
  /** The concrete path, without the query string. */
  path: string;
  status: number;
  error_group: string | null;
  error_code: string | null;
  latency_us: number;
  request_id: string | null;
  order_id: string | null;
  system_name: string | null;
  system_version: string | null;
  plugin_name: string | null;
  plugin_version: string | null;
  msn_header: string | null;
}

export type ApiCallRow = Selectable<ApiCallTable>;

export type { PayoutFrequency, SettlementType };

export interface ApiKeyTable {
  client_id: string;
  msn: string;
  client_secret_sha256: string;
  subscription_key_sha256: string;
  created_at_ms: number;
  revoked_at_ms: number | null;
}

export interface TestUserTable {
  msisdn: string;
  first_name: string;
  last_name: string;
  email: string;
  bankid_verified: number;
  /** BIN of the card a user provisioned before cards existed; cards now live in `card`. */
  card_bin: number;
  created_at_ms: number;
  /** Amounts above this need BankID step-up in the app; null = no limit. */
  step_up_limit_ore: number | null;
  app_version: string;
  can_pay_businesses: number;
  /** The stable id merchants see (userDetails.userId, the userinfo `sub`). */
  user_id: string | null;
  birth_date: string | null;
  nin: string | null;
}

export interface BankTable {
  id: string;
  name: string;
  /** How long the bank holds reserved funds before they return to the card. */
  hold_days: number;
  /** Captures after the hold lapsed go through even without funds (the account goes negative). */
  force_through: number;
  refund_arrival_bank_days: number;
  created_at_ms: number;
}

export type CardState = 'active' | 'replaced' | 'blocked';

export interface CardTable {
  id: string;
  msisdn: string;
  label: string;
  brand: string;
  bin: number;
  last4: string;
  /** Last valid month, YYYY-MM. */
  expiry_month: string;
  bank_id: string;
  /** Balance or remaining credit. */
  available_ore: number;
  max_amount_ore: number | null;
  state: CardState;
  is_default: number;
  created_at_ms: number;
}

export type HoldStatus = 'held' | 'lapsed' | 'settled' | 'released';

export interface CardHoldTable {
  id: Generated<number>;
  card_id: string;
  payment_id: number;
  msn: string;
  amount_ore: number;
  captured_ore: number;
  status: HoldStatus;
  lapses_at_ms: number;
  /** Set by a partial capture: when the bank settles it and releases what remains. */
  settles_at_ms: number | null;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface CardCreditTable {
  id: Generated<number>;
  card_id: string;
  payment_id: number;
  msn: string;
  amount_ore: number;
  due_at_ms: number;
  applied_at_ms: number | null;
  created_at_ms: number;
}

/** The core payment: money and state, and what the user's approval decided. */
export interface PaymentTable {
  id: Generated<number>;
  msn: string;
  order_id: string;
  state: PaymentState;
  amount_ore: number;
  reserved_ore: number;
  captured_ore: number;
  refunded_ore: number;
  released_ore: number;
  /** Bumped by every guarded UPDATE; equals the seq of the newest operation row. */
  version: number;
  transaction_text: string;
  capture_type: CaptureType;
  /** What the merchant asked the user to share (userinfo scopes). */
  scope: string | null;
  user_msisdn: string | null;
  card_bin: number | null;
  card_id: string | null;
  /** The issuer has not answered (test amount 2.01): the result stays unknown until then. */
  issuer_pending_until_ms: number | null;
  /** Express: the address and shipping method the user chose. */
  shipping_json: string | null;
  /** Express or scope: the user details shared with the merchant. */
  user_details_json: string | null;
  /** Userinfo subject, once the user approved a payment with `scope`. */
  sub: string | null;
  expires_at_ms: number;
  reserved_at_ms: number | null;
  created_at_ms: number;
  updated_at_ms: number;
}

/** The ecomm v2 request that created a payment: what that channel needs to call back and send the user back. */
export interface EcommV2RequestTable {
  payment_id: number;
  msn: string;
  payment_type: string;
  callback_prefix: string;
  fall_back: string;
  auth_token: string | null;
  is_app: number;
  skip_landing_page: number;
  customer_mobile: string | null;
  /** The rest of merchantInfo that later features need (express prefixes, static shipping), as JSON. */
  merchant_info_json: string;
}

/** The user's side of a payment request: the landing page's token, whom it was pushed to, what express offered. */
export interface PaymentSessionTable {
  payment_id: number;
  msn: string;
  landing_token: string;
  /** The user the payment request was pushed to (landing page phone number, skipLandingPage). */
  pushed_to_msisdn: string | null;
  /** Express: the shipping methods offered to the user (from static details or the merchant's endpoint). */
  shipping_options_json: string | null;
}

export interface PaymentOperationTable {
  id: Generated<number>;
  payment_id: number;
  msn: string;
  seq: number;
  kind: OperationKind;
  amount_ore: number;
  transaction_text: string;
  request_id: string;
  created_at_ms: number;
  /** For failed operations: the error reported to the merchant (callback errorInfo, force-approve answer). */
  error_key: string | null;
}

/** A new operation row: every column but the id, each given. */
export type NewOperation = Required<Omit<Insertable<PaymentOperationTable>, 'id'>>;
export const OPERATION_COLUMNS = ['payment_id', 'msn', 'seq', 'kind', 'amount_ore', 'transaction_text', 'request_id', 'created_at_ms', 'error_key'] as const;

export type LedgerEntryKind = 'payment_operation' | 'settlement' | 'standalone';

/** A journal entry: the lines of one posting. Only a payment operation's entry names the operation and payment. */
export interface LedgerEntryTable {
  id: Generated<number>;
  msn: string;
  kind: LedgerEntryKind;
  operation_id: number | null;
  payment_id: number | null;
  settlement_id: number | null;
  created_at_ms: number;
}

export interface LedgerLineTable {
  id: Generated<number>;
  entry_id: number;
  /** Copied from the entry, so per-payment balances (L3) read one table. */
  operation_id: number | null;
  payment_id: number | null;
  msn: string;
  account: string;
  amount_ore: number;
  created_at_ms: number;
}

export interface IdempotencyKeyTable {
  msn: string;
  order_id: string;
  operation: string;
  request_id: string;
  request_sha256: string;
  /** Null while the first request holds the key inside its transaction. */
  outcome_json: string | null;
  created_at_ms: number;
}

export type OutboxState = 'pending' | 'delivered' | 'dead';

export interface OutboxTable {
  id: Generated<number>;
  msn: string;
  payment_id: number | null;
  order_id: string | null;
  kind: string;
  method: string;
  url: string;
  headers_json: string;
  body_json: string | null;
  timeout_ms: number;
  state: OutboxState;
  attempts: number;
  max_attempts: number;
  next_attempt_at_ms: number;
  lease_owner: string | null;
  lease_until_ms: number | null;
  created_at_ms: number;
  updated_at_ms: number;
  /** A sandbox fault rule already delayed this row once. */
  delayed: Generated<number>;
}

export interface CallbackAttemptTable {
  id: Generated<number>;
  outbox_id: number;
  msn: string;
  attempt_no: number;
  started_at_ms: number;
  latency_ms: number;
  http_status: number | null;
  response_excerpt: string | null;
  error: string | null;
}

export type PaymentCoreRow = Selectable<PaymentTable>;
type Attached<T> = Omit<T, 'payment_id' | 'msn'>;
/** A payment with its ecomm v2 request and its user session, as the repositories read it (one join by id). */
export type PaymentRow = PaymentCoreRow & Attached<Selectable<EcommV2RequestTable>> & Attached<Selectable<PaymentSessionTable>>;
/** The columns of a new payment's three rows, as the inserts name them (store/repos/payments.ts, dialect.ts). */
export const PAYMENT_COLUMNS = [
  'msn', 'order_id', 'state', 'amount_ore', 'reserved_ore', 'captured_ore', 'refunded_ore', 'released_ore', 'version', 'transaction_text',
  'capture_type', 'scope', 'user_msisdn', 'card_bin', 'card_id', 'issuer_pending_until_ms', 'shipping_json', 'user_details_json', 'sub',
  'expires_at_ms', 'reserved_at_ms', 'created_at_ms', 'updated_at_ms',
] as const;
export const REQUEST_COLUMNS = ['payment_id', 'msn', 'payment_type', 'callback_prefix', 'fall_back', 'auth_token', 'is_app', 'skip_landing_page', 'customer_mobile', 'merchant_info_json'] as const;
export const SESSION_COLUMNS = ['payment_id', 'msn', 'landing_token', 'pushed_to_msisdn', 'shipping_options_json'] as const;
/** The request's and the session's own columns: their payment_id is the payment's id, their msn the payment's. */
export const REQUEST_VALUE_COLUMNS = REQUEST_COLUMNS.filter((column) => column !== 'payment_id' && column !== 'msn');
export const SESSION_VALUE_COLUMNS = SESSION_COLUMNS.filter((column) => column !== 'payment_id' && column !== 'msn');
/** A PaymentRow's keys, in the payment view's order: the core's, then the request's and the session's own columns. */
export const PAYMENT_ROW_KEYS = ['id', ...PAYMENT_COLUMNS, ...REQUEST_VALUE_COLUMNS, ...SESSION_VALUE_COLUMNS] as ReadonlyArray<keyof PaymentRow>;
// A record, not a list: a column added to the table and not here fails to compile.
const SALES_UNIT_COLUMN_SET: Record<keyof SalesUnitTable, true> = {
  msn: true,
  merchant_id: true,
  name: true,
  capture_type: true,
  express_allowed: true,
  skip_landing_page_allowed: true,
  nin_scope_allowed: true,
  rate_limits_enabled: true,
  callback_max_attempts: true,
  status: true,
  created_at_ms: true,
  updated_at_ms: true,
  fee_basis_points: true,
  fee_fixed_ore: true,
  settlement_type: true,
  payout_frequency: true,
  kind: true,
  vipps_number: true,
  test_unit: true,
  active_since_ms: true,
};
/** Every column of a sales unit (the locked read of a payment brings its unit along: store/payment-view.ts). */
export const SALES_UNIT_COLUMNS = Object.keys(SALES_UNIT_COLUMN_SET) as (keyof SalesUnitTable)[];

const CARD_COLUMN_SET: Record<keyof CardTable, true> = {
  id: true,
  msisdn: true,
  label: true,
  brand: true,
  bin: true,
  last4: true,
  expiry_month: true,
  bank_id: true,
  available_ore: true,
  max_amount_ore: true,
  state: true,
  is_default: true,
  created_at_ms: true,
};
/** Every column of a card (an approval reads the user with their default card: store/repos/banks.ts). */
export const CARD_COLUMNS = Object.keys(CARD_COLUMN_SET) as (keyof CardTable)[];

export type NewPayment = Insertable<PaymentTable> & Attached<Insertable<EcommV2RequestTable>> & Attached<Insertable<PaymentSessionTable>>;
export type OperationRow = Selectable<PaymentOperationTable>;
export type SalesUnitRow = Selectable<SalesUnitTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type CallbackAttemptRow = Selectable<CallbackAttemptTable>;
export type TestUserRow = Selectable<TestUserTable>;
export type BankRow = Selectable<BankTable>;
export type CardRow = Selectable<CardTable>;
export type FaultRuleRow = Selectable<FaultRuleTable>;
export type CardHoldRow = Selectable<CardHoldTable>;
export type UserAddressRow = Selectable<UserAddressTable>;
export type ConsentRow = Selectable<ConsentTable>;

/** A capture (or SALE) or refund booked on its sales unit's ledger for its Oslo ledger date (insert-only). */
export interface SettlementBookingTable {
  id: Generated<number>;
  msn: string;
  operation_id: number;
  payment_id: number;
  order_id: string;
  kind: 'capture' | 'refund';
  amount_ore: number;
  fee_ore: number;
  ledger_date: string;
  booked_at_ms: number;
}

/** A ledger date of a sales unit that closed: its report entries are written and never change. */
export interface LedgerDateCloseTable {
  msn: string;
  ledger_date: string;
  closed_at_ms: number;
}

/** One payout: the closed ledger dates from..to (inclusive) of one sales unit. */
export interface SettlementTable {
  id: Generated<number>;
  msn: string;
  ledger_date_from: string;
  ledger_date_to: string;
  settlement_type: SettlementType;
  captures_ore: number;
  refunds_ore: number;
  fees_ore: number;
  payout_ore: number;
  computed_at_ms: number;
  payout_at_ms: number;
  bank_booked_at_ms: number;
}

/** The merchant's bank booked the payout of a settlement (day 5); one row per settlement. */
export interface SettlementBankBookingTable {
  settlement_id: number;
  msn: string;
  booked_at_ms: number;
}

export type ReportTopic = 'funds' | 'fees';

/** One Report API entry, written when its ledger date closed. */
export interface ReportEntryTable {
  id: Generated<number>;
  msn: string;
  topic: ReportTopic;
  ledger_date: string;
  entry_type: string;
  amount_ore: number;
  balance_before_ore: number;
  balance_after_ore: number;
  /** The capture's or refund's operation (its pspReference is the ecomm transactionId); null for sums and payouts. */
  operation_id: number | null;
  psp_reference: string | null;
  reference: string;
  occurred_at_ms: number;
  settlement_id: number | null;
}

export type SettlementBookingRow = Selectable<SettlementBookingTable>;
export type SettlementRow = Selectable<SettlementTable>;
export type ReportEntryRow = Selectable<ReportEntryTable>;

/** Who logs in to a web front end: a merchant's portal user or an operator (the console). */
export type WebAccountKind = 'merchant' | 'operator';

/** A person with an e-mail and a password (scrypt) for the portal or the console; locked after repeated failures. */
export interface WebAccountTable {
  id: string;
  kind: WebAccountKind;
  email: string;
  /** `scrypt$N$r$p$salt$hash` (base64url), from core/web-accounts/passwords.ts. */
  password_hash: string;
  /** The merchant a portal user belongs to; null for operators. */
  merchant_id: string | null;
  role: string;
  /** Consecutive failed log-ins; reset by a successful one. */
  failed_logins: Generated<number>;
  locked_until_ms: number | null;
  created_at_ms: number;
  updated_at_ms: number;
}

/** A logged-in browser: the SHA-256 of its cookie token, its CSRF token, until when it is valid. */
export interface WebSessionTable {
  token_sha256: string;
  account_id: string;
  kind: WebAccountKind;
  csrf_token: string;
  created_at_ms: number;
  /** Moved forward by use (idle timeout), never past the absolute lifetime from created_at_ms. */
  expires_at_ms: number;
  /** Set by logging out. */
  ended_at_ms: number | null;
}

export type WebAccountRow = Selectable<WebAccountTable>;
export type WebSessionRow = Selectable<WebSessionTable>;

/** A sales unit's subscription to transaction reports of one frequency; reports start with the period it was made in. */
export interface ReportSubscriptionTable {
  msn: string;
  frequency: ReportFrequency;
  email: string | null;
  /** The first day of the first period reported. */
  starts_on: string;
  created_at_ms: number;
  updated_at_ms: number;
}

/** One generated transaction report (insert-only): the sales unit's payment operations of a closed period. */
export interface TransactionReportTable {
  id: Generated<number>;
  msn: string;
  frequency: ReportFrequency;
  period_from: string;
  period_to: string;
  generated_at_ms: number;
  operation_count: number;
  last_operation_id: number | null;
}

/** A report's e-mail: an outbox row of its own, claimed with a lease like callbacks. */
export interface ReportMailTable {
  id: Generated<number>;
  msn: string;
  report_id: number;
  to_address: string;
  state: OutboxState;
  attempts: number;
  max_attempts: number;
  next_attempt_at_ms: number;
  lease_owner: string | null;
  lease_until_ms: number | null;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface ReportMailAttemptTable {
  id: Generated<number>;
  mail_id: number;
  msn: string;
  attempt_no: number;
  started_at_ms: number;
  latency_ms: number;
  smtp_response: string | null;
  error: string | null;
}

export type ReportSubscriptionRow = Selectable<ReportSubscriptionTable>;
export type TransactionReportRow = Selectable<TransactionReportTable>;
export type ReportMailRow = Selectable<ReportMailTable>;
