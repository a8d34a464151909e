import type { AppContext } from '../core/context.ts';
import { analyzeTablesWithoutStatistics } from '../store/dialect.ts';

/** A table is analyzed once it has taken this many writes without statistics (autovacuum's own threshold is 50). */
export const MIN_CHANGED_ROWS = 100;
/** How often, in real time, a node looks for tables without statistics: a catalog query, so not on every pass. */
const LOOK_EVERY_MS = 1_000;

/**
 * Gives PostgreSQL statistics for the tables that have none (store/dialect.ts `analyzeTablesWithoutStatistics`): a
 * new database takes load at once (a merchant's CI run) and autovacuum may be a minute away or off. Paced by the
 * runner's passes, which come every `pollIntervalMs` of real time: what is due to the injected clock (the sandbox's)
 * says nothing about the database's tables.
 */
export class TableStatistics {
  readonly #passesBetweenLooks: number;
  #passesUntilLook = 0;

  constructor(
    private readonly ctx: AppContext,
    pollIntervalMs: number,
  ) {
    this.#passesBetweenLooks = Math.max(1, Math.ceil(LOOK_EVERY_MS / pollIntervalMs));
  }

  /** Returns the tables analyzed (none when it was not this pass's turn). */
  async onPass(): Promise<string[]> {
    if (this.#passesUntilLook-- > 0) return [];
    this.#passesUntilLook = this.#passesBetweenLooks - 1;
    return analyzeTablesWithoutStatistics(this.ctx.store.db, this.ctx.store.kind, MIN_CHANGED_ROWS);
  }
}
