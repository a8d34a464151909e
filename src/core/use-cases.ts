import { storeApiCalls } from './api-calls/store-api-calls.ts';
import type { AppContext } from './context.ts';
import { forceApprove } from './payments/approve.ts';
import { cancelPayment } from './payments/cancel.ts';
import { capturePayment } from './payments/capture.ts';
import { initiatePayment } from './payments/initiate.ts';
import { refundPayment } from './payments/refund.ts';

/**
 * The write use cases a channel calls by name, so they can run where the write connection is: in this thread, or in
 * the use-case worker that owns SQLite's write connection (src/runtime/use-case-worker.ts). Arguments and results are
 * plain data (structured-cloneable); a refusal travels as a value and is thrown again on the caller's side.
 */
export const USE_CASES = {
  initiatePayment,
  capturePayment,
  refundPayment,
  cancelPayment,
  forceApprove,
  storeApiCalls,
} as const;

export type UseCases = typeof USE_CASES;
export type UseCaseName = keyof UseCases;
type Rest<F> = F extends (ctx: AppContext, ...args: infer A) => unknown ? A : never;
export type UseCaseArgs<N extends UseCaseName> = Rest<UseCases[N]>;
export type UseCaseResult<N extends UseCaseName> = Awaited<ReturnType<UseCases[N]>>;

/** The use case `name` with `args`: in the use-case worker when the context has one, else here. */
export function runUseCase<N extends UseCaseName>(ctx: AppContext, name: N, ...args: UseCaseArgs<N>): Promise<UseCaseResult<N>> {
  return ctx.useCaseRunner ? (ctx.useCaseRunner.run(name, args) as Promise<UseCaseResult<N>>) : runHere(ctx, name, args);
}

/** The use case `name` in this thread (the use-case worker calls this for its callers). */
export function runHere<N extends UseCaseName>(ctx: AppContext, name: N, args: UseCaseArgs<N>): Promise<UseCaseResult<N>> {
  const useCase = USE_CASES[name] as unknown as (ctx: AppContext, ...a: UseCaseArgs<N>) => Promise<UseCaseResult<N>>;
  return useCase(ctx, ...args);
}
