import { Worker } from 'node:worker_threads';
import type { SharedClockState } from '../clock.ts';
import type { AppConfig, UseCaseRunner } from '../core/context.ts';
import type { UseCaseArgs, UseCaseName, UseCaseResult } from '../core/use-cases.ts';
import type { AttemptOutcome } from '../jobs/outbound-dispatcher.ts';
import { MessageBatch } from './message-batch.ts';
import { errorOf, type FromWorker, type ToWorker, type UseCaseWorkerData } from './use-case-messages.ts';

/** Where the worker's background jobs report (the main thread's logger and metrics). */
export interface WorkerJobReports {
  jobFailed(error: unknown): void;
  outboundAttempt?(kind: string, outcome: AttemptOutcome): void;
  jobPass?(seconds: number): void;
}

export interface UseCaseWorkerOptions {
  databaseUrl: string;
  config: AppConfig;
  clock: SharedClockState;
  jobPollIntervalMs: number;
  startJobs: boolean;
  reports: WorkerJobReports;
  /** The worker ended without being closed (it crashed): nothing writes any more, the process should restart. */
  onUnexpectedExit(error: Error): void;
}

/**
 * The main thread's side of the use-case worker (use-case-thread.ts): a worker thread that owns SQLite's write
 * connection, its group commit and the background jobs. The write use cases run there (commands in, plain results
 * out, refusals as values), so their statements, COMMITs and JavaScript use the second core while this thread parses,
 * validates, authenticates, reads and answers. An answer still waits for its batch's COMMIT: the worker answers a
 * call only once its group commit returned.
 */
export class UseCaseWorker implements UseCaseRunner {
  readonly #worker: Worker;
  readonly #outgoing: MessageBatch<ToWorker>;
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  #nextId = 1;
  #exited: Error | null = null;
  #closing = false;

  private constructor(worker: Worker) {
    this.#worker = worker;
    this.#outgoing = new MessageBatch((messages) => worker.postMessage(messages));
  }

  static async start(options: UseCaseWorkerOptions): Promise<UseCaseWorker> {
    const data: UseCaseWorkerData = {
      entry: new URL('./use-case-thread.ts', import.meta.url).href,
      databaseUrl: options.databaseUrl,
      config: options.config,
      clock: options.clock,
      jobPollIntervalMs: options.jobPollIntervalMs,
      startJobs: options.startJobs,
    };
    const worker = new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), { workerData: data });
    const client = new UseCaseWorker(worker);
    await new Promise<void>((resolve, reject) => {
      const failed = (error: unknown) => reject(error instanceof Error ? error : new Error(`the use-case worker exited (code ${String(error)})`));
      worker.once('error', failed);
      worker.once('exit', failed);
      worker.on('message', (messages: FromWorker[]) => {
        for (const message of messages) {
          if (message.type !== 'ready') {
            client.#received(message, options.reports);
            continue;
          }
          worker.off('error', failed);
          worker.off('exit', failed);
          resolve();
        }
      });
    });
    // An uncaught error ends the thread too: 'exit' follows 'error', with the error's message kept for it.
    let failure: Error | null = null;
    worker.on('error', (error) => (failure = error));
    worker.on('exit', (code) => {
      const exited = new Error(`the use-case worker exited (code ${code})${failure ? `: ${failure.message}` : ''}`, { cause: failure });
      client.#failAll(exited);
      if (!client.#closing) options.onUnexpectedExit(exited);
    });
    return client;
  }

  run<N extends UseCaseName>(name: N, args: UseCaseArgs<N>): Promise<UseCaseResult<N>> {
    return this.#call((id) => ({ type: 'call', id, name, args })) as Promise<UseCaseResult<N>>;
  }

  /** Run the background work that is due until nothing more is (time travel awaits it). */
  async drain(): Promise<void> {
    await this.#call((id) => ({ type: 'drain', id }));
  }

  /** Outbound calls were committed outside the worker: deliver them now rather than at the next poll. */
  nudge(): void {
    if (!this.#exited) this.#outgoing.send({ type: 'nudge' });
  }

  /** After the last call was answered: the worker finishes its job pass, closes its store and ends. */
  async close(): Promise<void> {
    if (this.#exited) return;
    this.#closing = true;
    const exited = new Promise((resolve) => this.#worker.once('exit', resolve));
    this.#outgoing.send({ type: 'close' });
    this.#outgoing.flush();
    await exited;
  }

  #call(message: (id: number) => ToWorker): Promise<unknown> {
    if (this.#exited) return Promise.reject(this.#exited);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#outgoing.send(message(id));
    });
  }

  #received(message: FromWorker, reports: WorkerJobReports): void {
    switch (message.type) {
      case 'answer':
      case 'failed': {
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.type === 'answer') pending?.resolve(message.value);
        else pending?.reject(errorOf(message.failure));
        return;
      }
      case 'jobFailed':
        return reports.jobFailed(errorOf(message.failure));
      case 'outboundAttempt':
        return reports.outboundAttempt?.(message.kind, message.outcome);
      case 'jobPass':
        return reports.jobPass?.(message.seconds);
    }
  }

  #failAll(error: Error): void {
    this.#exited = error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}
