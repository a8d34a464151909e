import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Marks the work of an open transaction, so that the store's own database handle refuses to serve it. Inside a
 * transaction every statement must go through that transaction: on SQLite a query on the store's handle would wait for
 * the one write connection the transaction holds (forever), or read on the read connection without the transaction's own
 * writes; a nested `Store.transact` would wait for the batch it is part of. Each of these is a bug, and it fails
 * at once with this error instead of hanging or reading stale data.
 *
 * A check for the tests, as an assertion is: `npm test` turns it on for every test process
 * (KASSE_CHECK_TRANSACTION_SCOPE=on, scripts/run-tests.mjs), and every use case runs under the tests. A running Kasse
 * leaves it off: on Node 20 an AsyncLocalStorage, once used, hooks every promise of its thread, and that was 5 µs (8 %)
 * of the main thread's CPU per `/details` call and more on the use-case worker (bench/README.md, session 15).
 */
const transactionScope = new AsyncLocalStorage<true>();

let checking: boolean | undefined;
/** Read at first use, not at import: a test may turn the check on before its first transaction. */
const isChecking = () => (checking ??= process.env.KASSE_CHECK_TRANSACTION_SCOPE === 'on');

export class DatabaseHandleInsideTransaction extends Error {}

export function runAsTransactionWork<T>(work: () => Promise<T>): Promise<T> {
  return isChecking() ? transactionScope.run(true, work) : work();
}

export function refuseInsideTransaction(what: string): void {
  if (isChecking() && transactionScope.getStore() === true) {
    throw new DatabaseHandleInsideTransaction(`${what} inside a transaction: use the transaction's handle (tx.trx), not the store's`);
  }
}
