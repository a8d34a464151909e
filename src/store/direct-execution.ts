import type { CompiledQuery, Kysely, QueryResult, Transaction } from 'kysely';
import type { Database } from './schema.ts';

type Handle = Kysely<Database> | Transaction<Database>;

/** Runs a compiled statement on its connection without Kysely's executor; undefined leaves it to Kysely. */
export type DirectExecutor = (compiled: CompiledQuery) => Promise<QueryResult<unknown>> | undefined;

/**
 * Handles whose statements may skip Kysely's executor: on SQLite the store's own handle (its SELECTs join a group read,
 * store/group-read.ts) and a group-commit batch while it holds the write connection (store/group-commit.ts). Kysely
 * costs a connection lease and a chain of promises per statement, more than SQLite spends running most of Kasse's
 * (bench/README.md); here the same statement runs on the same connection Kysely would have picked. Any other handle
 * (PostgreSQL, a transaction outside a batch, a copy of the store's handle with a plugin) goes through Kysely.
 */
const directExecutors = new WeakMap<Handle, DirectExecutor>();

export function executeDirectly(handle: Handle, executor: DirectExecutor): void {
  directExecutors.set(handle, executor);
}

/** From now on `handle` goes through Kysely again (a batch's handle once the batch stops holding the connection). */
export function stopExecutingDirectly(handle: Handle): void {
  directExecutors.delete(handle);
}

/** A compiled statement on `handle`: directly where its connection allows it, else through Kysely. */
export function execute<R>(handle: Handle, compiled: CompiledQuery<R>): Promise<QueryResult<R>> {
  return (directExecutors.get(handle)?.(compiled) as Promise<QueryResult<R>> | undefined) ?? handle.executeQuery(compiled);
}
