/**
 * The payment state machine. States are internal (lower case); the wire vocabularies
 * (log operations, /status, callbacks) are derived from them and from the operation log.
 *
 *   initiated ──approve──▶ reserved ──capture(all)/release──▶ captured ──refund*──▶ captured
 *      │  │  └─approve(direct)──────────────────────────────▶ captured (SALE)
 *      │  ├─merchant cancel▶ cancelled   reserved ──void──▶ voided
 *      │  ├─user cancel───▶ cancelled
 *      │  ├─timeout───────▶ rejected
 *      │  └─issuer refused▶ failed
 *
 * `reserved` means a reservation is open: reserved − captured − released > 0.
 * `captured` means the reservation is resolved and something was captured; refunds are allowed.
 */
export const PAYMENT_STATES = ['initiated', 'reserved', 'captured', 'voided', 'cancelled', 'rejected', 'failed'] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

/**
 * One row per change in the operation log. `kind` is what happened; the wire `operation` shown in
 * /details is derived from it (several kinds share a wire name, e.g. user cancel and timeout are both CANCEL).
 */
export const OPERATION_KINDS = [
  'initiate',
  'reserve',
  'reserve_failed',
  'sale',
  'sale_failed',
  'capture',
  'capture_failed',
  'refund',
  'merchant_cancel',
  'user_cancel',
  'timeout',
  'void',
  'release',
] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

export type LogOperation = 'INITIATE' | 'RESERVE' | 'SALE' | 'CAPTURE' | 'REFUND' | 'CANCEL' | 'VOID';

export const LOG_OPERATION: Record<OperationKind, LogOperation> = {
  initiate: 'INITIATE',
  reserve: 'RESERVE',
  reserve_failed: 'RESERVE',
  sale: 'SALE',
  sale_failed: 'SALE',
  capture: 'CAPTURE',
  capture_failed: 'CAPTURE',
  refund: 'REFUND',
  merchant_cancel: 'CANCEL',
  user_cancel: 'CANCEL',
  timeout: 'CANCEL',
  void: 'VOID',
  release: 'VOID',
};

export function operationSucceeded(kind: OperationKind): boolean {
  return kind !== 'reserve_failed' && kind !== 'sale_failed' && kind !== 'capture_failed';
}

/** Which state each kind of operation may start from, and where it leads. */
export const TRANSITIONS: Record<OperationKind, { from: readonly PaymentState[]; to: PaymentState | 'same' | 'by_amount' }> = {
  initiate: { from: [], to: 'initiated' },
  reserve: { from: ['initiated'], to: 'reserved' },
  reserve_failed: { from: ['initiated'], to: 'failed' },
  sale: { from: ['initiated'], to: 'captured' },
  sale_failed: { from: ['initiated'], to: 'failed' },
  // A capture leaves the reservation open until nothing remains to capture.
  capture: { from: ['reserved'], to: 'by_amount' },
  // The bank refused a capture after its hold had lapsed: recorded, nothing moves.
  capture_failed: { from: ['reserved'], to: 'same' },
  refund: { from: ['reserved', 'captured'], to: 'same' },
  merchant_cancel: { from: ['initiated'], to: 'cancelled' },
  user_cancel: { from: ['initiated'], to: 'cancelled' },
  timeout: { from: ['initiated'], to: 'rejected' },
  void: { from: ['reserved'], to: 'voided' },
  release: { from: ['reserved'], to: 'captured' },
};

export const TERMINAL_STATES: readonly PaymentState[] = ['voided', 'cancelled', 'rejected', 'failed'];

/** /status vocabulary (deprecated endpoint, still served). */
export type StatusOperation =
  | 'INITIATE'
  | 'RESERVE'
  | 'SALE'
  | 'CAPTURE'
  | 'REFUND'
  | 'CANCEL'
  | 'VOID'
  | 'FAILED'
  | 'REJECTED';

export const STATUS_OF_KIND: Record<OperationKind, StatusOperation> = {
  initiate: 'INITIATE',
  reserve: 'RESERVE',
  reserve_failed: 'FAILED',
  sale: 'SALE',
  sale_failed: 'FAILED',
  capture: 'CAPTURE',
  capture_failed: 'RESERVE',
  refund: 'REFUND',
  merchant_cancel: 'CANCEL',
  user_cancel: 'CANCEL',
  timeout: 'REJECTED',
  void: 'VOID',
  release: 'VOID',
};
