// A worker thread does not inherit the parent's `--import tsx`: register TypeScript loading, then run the entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
