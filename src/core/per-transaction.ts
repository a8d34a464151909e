import type { Tx } from './context.ts';

/**
 * Values a transaction keeps by key (a payment id, an MSN) for later steps of the same use case: what one of its reads
 * brought along, so a later step need not read it again. Dropped with the transaction; a retry is a new Tx and reads
 * anew.
 */
export class PerTransaction<K, V> {
  readonly #byTx = new WeakMap<Tx, Map<K, V>>();

  set(tx: Tx, key: K, value: V): void {
    let values = this.#byTx.get(tx);
    if (values === undefined) this.#byTx.set(tx, (values = new Map()));
    values.set(key, value);
  }

  get(tx: Tx, key: K): V | undefined {
    return this.#byTx.get(tx)?.get(key);
  }

  /** The value, forgotten: a later step cannot use it twice. */
  take(tx: Tx, key: K): V | undefined {
    const values = this.#byTx.get(tx);
    const value = values?.get(key);
    values?.delete(key);
    return value;
  }
}
