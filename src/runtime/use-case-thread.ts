import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { clockFromShared } from '../clock.ts';
import { runHere } from '../core/use-cases.ts';
import { JobRunner } from '../jobs/runner.ts';
import { CHANNEL_LISTENERS, openAppContext } from '../app-context.ts';
import { MessageBatch } from './message-batch.ts';
import { failureOf, type FromWorker, type ToWorker, type UseCaseWorkerData } from './use-case-messages.ts';

/**
 * The use-case worker's thread (started by use-case-worker.ts): it owns the database's write connection and its group
 * commit, runs the write use cases the main thread sends by name, and runs the background jobs, which write too.
 */
const data = workerData as UseCaseWorkerData;
const port = parentPort!;
const outgoing = new MessageBatch<FromWorker>((messages) => port.postMessage(messages));
const send = (message: FromWorker) => outgoing.send(message);

const ctx = await openAppContext({
  databaseUrl: data.databaseUrl,
  clock: clockFromShared(data.clock),
  config: data.config,
  // Called after a commit, by then the runner exists.
  onOutboundEnqueued: () => runner.nudge(),
  operationListeners: CHANNEL_LISTENERS,
});
const runner = new JobRunner(ctx, {
  pollIntervalMs: data.jobPollIntervalMs,
  onError: (error) => send({ type: 'jobFailed', failure: failureOf(error) }),
  // The operator's metrics live in the main thread, where /metrics is served.
  observer: {
    outboundAttempt: (kind, outcome) => send({ type: 'outboundAttempt', kind, outcome }),
    passStarted: () => {
      const startedMs = performance.now();
      return () => send({ type: 'jobPass', seconds: (performance.now() - startedMs) / 1000 });
    },
  },
});
if (data.startJobs) runner.start();

/** Whatever `work` throws, even before it returns a promise, is the call's failure, never the thread's end. */
const answer = (id: number, work: () => Promise<unknown>) =>
  Promise.resolve()
    .then(work)
    .then(
      (value) => send({ type: 'answer', id, value }),
      (error: unknown) => send({ type: 'failed', id, failure: failureOf(error) }),
    );

function received(message: ToWorker): void {
  switch (message.type) {
    case 'call':
      return void answer(message.id, () => runHere(ctx, message.name, message.args as never));
    case 'drain':
      return void answer(message.id, () => runner.drain());
    case 'nudge':
      return runner.nudge();
    case 'close':
      // The main thread sends this after its last call was answered: the job pass in flight finishes, then the store.
      return void runner
        .stop()
        .then(() => ctx.store.close())
        .finally(() => {
          outgoing.flush();
          port.close();
        });
  }
}

port.on('message', (messages: ToWorker[]) => {
  for (const message of messages) received(message);
});
send({ type: 'ready' });
