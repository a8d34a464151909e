import type { Generated, Insertable, Selectable } from 'kysely';
import type { OperationKind, PaymentState } from '../domain/payment-states.ts';
import type { PayoutFrequency, SettlementType } from '../domain/settlement.ts';

/**
 * Table types. Every table that holds a merchant's data carries `msn` and every query filters by it:
 * merchants are kept apart by construction, and a distributed PostgreSQL could shard by it.
 * Timestamps are epoch milliseconds from the injected Clock; booleans are 0/1 on both engines.
 */
export interface Database {
  kasse_meta: KasseMetaTable;
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
}

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
export type NewPayment = Insertable<PaymentTable> & Attached<Insertable<EcommV2RequestTable>> & Attached<Insertable<PaymentSessionTable>>;
export type OperationRow = Selectable<PaymentOperationTable>;
export type SalesUnitRow = Selectable<SalesUnitTable>;
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
