// Preloaded into every Kasse child the reliability tests start (node --import). The test process holds the write
// end of this child's stdin; when the test process goes away for any reason — even SIGKILL, which runs no exit
// handler — the pipe closes and the child kills itself, so no Kasse outlives the test that started it.
import { isMainThread } from 'node:worker_threads';

// Only the main thread: a worker thread (the use-case worker) inherits this preload, and its process.stdin is no pipe.
if (isMainThread && !process.stdin.isTTY) {
  const die = () => process.kill(process.pid, 'SIGKILL');
  process.stdin.on('end', die);
  process.stdin.on('close', die);
  process.stdin.on('error', die);
  process.stdin.resume();
}
