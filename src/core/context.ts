import type { Clock } from '../domain/clock.ts';
import type { DeliveryResult, OutboundRequest } from './callbacks/delivery.ts';
import type { DialectKind } from '../store/dialect.ts';
import type { Store, Trx } from '../store/db.ts';
import type { NewOutbound } from '../store/repos/outbox.ts';
import type { OperationRow, PaymentRow } from '../store/schema.ts';

export interface AppConfig {
  /** Base URL users reach Kasse on; the landing-page `url` of initiate points here. */
  publicUrl: string;
  mode: 'sandbox' | 'production';
  accessTokenLifetimeSeconds: number;
  callbackTimeoutMs: number;
  /** The platform waits this long for a merchant's shipping-details answer. */
  shippingTimeoutMs: number;
  /** Recorded merchant API calls are kept this many days (KASSE_API_CALL_RETENTION_DAYS). */
  apiCallRetentionDays: number;
  /** Production mode: a test sales unit unused this many days is deactivated (KASSE_IDLE_TEST_DAYS; 0 = never). */
  idleTestUnitDays: number;
  /** Where transaction reports are e-mailed (`smtp://user:pass@host:port`); null: reports are only listed. */
  smtpUrl: string | null;
  /** The From of those e-mails. */
  reportMailFrom: string;
  /**
   * The Report API's name for the entry that schedules a payout: `scheduled-for-payout` (the 2023 OpenAPI spec and its
   * Postman collection) or `payout-scheduled` (what the current docs and client code call it).
   */
  reportPayoutEntryType: PayoutEntryType;
}

export type PayoutEntryType = 'scheduled-for-payout' | 'payout-scheduled';

/** What every use case receives. Built once in the composition root (src/main.ts) or by a test. */
export interface AppContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly config: AppConfig;
  /** HMAC key for access tokens, shared by all nodes through kasse_meta. */
  readonly tokenSigningKey: Uint8Array;
  /** Channels' reactions to recorded payment operations, run inside the transaction that recorded them. */
  readonly operationListeners: readonly OperationListener[];
  /** Called after a transaction that enqueued outbound calls commits, so delivery starts at once. */
  onOutboundEnqueued(): void;
  /** Synchronous calls to the merchant (shipping details); never inside a DB transaction. */
  deliverHttp(request: OutboundRequest): Promise<DeliveryResult>;
  /** Where the write use cases run when not in this thread (core/use-cases.ts `runUseCase`); null or absent: here. */
  readonly useCaseRunner?: UseCaseRunner | null;
}

/** Runs a write use case by its name in core/use-cases.ts (typed there: `runUseCase`) in the thread that owns the writes. */
export interface UseCaseRunner {
  run(name: string, args: readonly unknown[]): Promise<unknown>;
}

export const DEFAULT_CONFIG: AppConfig = {
  publicUrl: 'http://localhost:8080',
  mode: 'sandbox',
  accessTokenLifetimeSeconds: 3600,
  callbackTimeoutMs: 3000,
  shippingTimeoutMs: 10_000,
  apiCallRetentionDays: 14,
  idleTestUnitDays: 30,
  smtpUrl: null,
  reportMailFrom: 'Kasse <reports@kasse.invalid>',
  reportPayoutEntryType: 'scheduled-for-payout',
};

/** What a use case sees inside its transaction: the transaction itself and nothing that could reach around it. */
export interface Tx {
  readonly trx: Trx;
  readonly kind: DialectKind;
  /** Read once per use case: every row it writes carries the same time. */
  readonly nowMs: number;
  readonly config: AppConfig;
  /**
   * Guarded writes that nearly always hold may go without waiting for their answer (PostgreSQL: no round trip of
   * their own, store/write-guard.ts); if one did not hold after all, the transaction fails and the use case runs again
   * with this off, deciding on each answer. Off on SQLite (its statements answer at once) and in a joined transaction.
   */
  readonly optimistic: boolean;
  /** The operation row is the event: every listener runs inside the transaction that wrote it. */
  operationRecorded(payment: PaymentRow, operation: OperationRow): Promise<void>;
  /** Transactional outbox (O1): the row commits with the change; the dispatcher is nudged after the commit. */
  enqueue(row: NewOutbound): Promise<void>;
}

/**
 * Reacts to a recorded payment operation inside its transaction (a channel's callback, later webhooks and
 * settlement postings). Registered at the composition root, so the core never imports a channel.
 */
export type OperationListener = (tx: Tx, payment: PaymentRow, operation: OperationRow) => Promise<void>;
