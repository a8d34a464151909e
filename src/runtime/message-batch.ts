/**
 * Messages between the main thread and the use-case worker, sent in batches: what one side sends before the
 * microtasks of the current callback have run leaves as one postMessage. Each postMessage wakes the other thread and
 * is dispatched there as an event of its own. The worker's group commit answers all of a batch's commands at once
 * (after its COMMIT), and they leave as one message, before the next batch starts.
 *
 * Batching up to the end of the event loop's turn (setImmediate) instead was measured and not kept: on the main
 * thread it held each call until every request read in the same poll phase had been parsed and authenticated, while
 * the worker waited idle (8,200 against 10,400 initiates/s, bench/README.md, session 15).
 */
export class MessageBatch<T> {
  readonly #post: (messages: T[]) => void;
  #pending: T[] = [];
  #scheduled = false;

  constructor(post: (messages: T[]) => void) {
    this.#post = post;
  }

  send(message: T): void {
    this.#pending.push(message);
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => this.flush());
  }

  /** Posts what is pending now (a side about to close its port must not leave messages behind). */
  flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const messages = this.#pending;
    this.#pending = [];
    this.#post(messages);
  }
}
