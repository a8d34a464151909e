import pino from 'pino';

/** Lines wait until this many bytes are buffered (or the flush interval passes) and leave in one write. */
const LOG_BUFFER_BYTES = 4096;
/** The longest a line waits in the buffer on a quiet server. */
export const LOG_FLUSH_INTERVAL_MS = 250;

/**
 * Standard output for the log, buffered. pino's default destination writes every line with a synchronous write() of
 * its own: a system call per request, 2.4 % of the main thread under `initiate` (perf; bench/README.md, session 15).
 * Here the lines of a busy moment leave together, asynchronously, and a quiet server's within LOG_FLUSH_INTERVAL_MS.
 * pino writes what is still buffered synchronously when the process exits (process.exit included); a process killed
 * outright loses at most the last interval's lines. The log is for operators: what a payment platform must not lose
 * is in the database, committed before any answer leaves.
 */
export function bufferedStdout(): pino.DestinationStream & { flushSync(): void } {
  return pino.destination({ dest: 1, sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS });
}
