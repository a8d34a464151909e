import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Marks the work of an open transaction, so that the store's own database handle refuses to serve it. Inside a
 * transaction every statement must go through that transaction: on SQLite a query on the store's handle would wait for
 * the one write connection the transaction holds (forever), or read on the read connection without the transaction's
 * own writes; a nested `Store.transact` would wait for the batch it is part of. Each of these is a bug, and it fails
 * at once with this error instead of hanging or reading stale data.
 */
const transactionScope = new AsyncLocalStorage<true>();

export class DatabaseHandleInsideTransaction extends Error {}

export function runAsTransactionWork<T>(work: () => Promise<T>): Promise<T> {
  return transactionScope.run(true, work);
}

export function refuseInsideTransaction(what: string): void {
  if (transactionScope.getStore() === true) {
    throw new DatabaseHandleInsideTransaction(`${what} inside a transaction: use the transaction's handle (tx.trx), not the store's`);
  }
}
