import type { SharedClockState } from '../clock.ts';
import type { AppConfig } from '../core/context.ts';
import type { UseCaseName } from '../core/use-cases.ts';
import { InvalidRequestError, Refused, type RefusalReason } from '../domain/refusals.ts';
import type { AttemptOutcome } from '../jobs/outbound-dispatcher.ts';

/** What the use-case worker starts with (its workerData). */
export interface UseCaseWorkerData {
  /** The module the bootstrap runs (worker-bootstrap.mjs). */
  entry: string;
  databaseUrl: string;
  config: AppConfig;
  clock: SharedClockState;
  jobPollIntervalMs: number;
  startJobs: boolean;
}

/** Main thread → worker. */
export type ToWorker =
  | { type: 'call'; id: number; name: UseCaseName; args: unknown[] }
  | { type: 'drain'; id: number }
  /** The main thread committed outbound calls of its own (a user's approval in the app): deliver them now. */
  | { type: 'nudge' }
  | { type: 'close' };

/** Worker → main thread. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'answer'; id: number; value: unknown }
  | { type: 'failed'; id: number; failure: Failure }
  | { type: 'jobFailed'; failure: Failure }
  | { type: 'outboundAttempt'; kind: string; outcome: AttemptOutcome }
  | { type: 'jobPass'; seconds: number };

/** Errors cross the thread boundary as values: the channel maps a refusal or bad input exactly as it would here. */
export type Failure =
  | { kind: 'refused'; reason: RefusalReason; detail: string | undefined; recorded: boolean }
  | { kind: 'invalid'; field: string; message: string }
  | { kind: 'error'; message: string; stack: string | undefined; code: unknown };

export function failureOf(error: unknown): Failure {
  if (error instanceof Refused) return { kind: 'refused', reason: error.reason, detail: error.detail, recorded: error.recorded };
  if (error instanceof InvalidRequestError) return { kind: 'invalid', field: error.field, message: error.message };
  const e = error as { message?: unknown; stack?: unknown; code?: unknown } | null;
  const code = typeof e?.code === 'string' || typeof e?.code === 'number' ? e.code : undefined;
  return { kind: 'error', message: String(e?.message ?? error), stack: typeof e?.stack === 'string' ? e.stack : undefined, code };
}

export function errorOf(failure: Failure): Error {
  if (failure.kind === 'refused') {
    return new Refused(failure.reason, { ...(failure.detail === undefined ? {} : { detail: failure.detail }), recorded: failure.recorded });
  }
  if (failure.kind === 'invalid') return new InvalidRequestError(failure.field, failure.message);
  const error = Object.assign(new Error(failure.message), failure.code === undefined ? {} : { code: failure.code });
  if (failure.stack !== undefined) error.stack = failure.stack;
  return error;
}
