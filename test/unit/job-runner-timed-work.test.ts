// Property: the job loop's timed work (expiry, bank work, settlements, …, tables without statistics) comes every poll
// also while nudges keep one run of the dispatcher going without a break, as a steady stream of payments does. Before,
// a poll that found a run going only waited for it, and the next poll was scheduled after that run ended: under load
// the timed work did not run at all (0 times in 20 s here).
// Method: a Kasse's runner with its dispatcher replaced by one whose every pass nudges the next (a run that never ends
// while the runner is started); the timed work's last step counted; polls every 50 ms (the test harness's interval).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestKasse, type TestKasse } from '../support/harness.ts';

let k: TestKasse;
before(async () => {
  k = await startTestKasse({ dialect: 'sqlite', startJobs: false });
});
after(() => k?.close());

test('timed work runs on every poll while nudges keep one dispatcher run going', async () => {
  const runner = k.kasse.jobs;
  let timedPasses = 0;
  const onPass = runner.tableStatistics.onPass.bind(runner.tableStatistics);
  runner.tableStatistics.onPass = () => {
    timedPasses++;
    return onPass();
  };
  let dispatcherPasses = 0;
  runner.dispatcher.runDue = async () => {
    dispatcherPasses++;
    // Awaits first, as the real pass awaits its claim: a nudge before that would start a run inside the run's start.
    await sleep(1);
    runner.nudge();
    return 0;
  };
  runner.start();
  runner.nudge();
  try {
    for (const deadline = performance.now() + 20_000; timedPasses < 5; await sleep(10)) {
      assert.ok(performance.now() < deadline, `timed work ran ${timedPasses} times in 20 s of polls`);
    }
  } finally {
    await runner.stop();
  }
  assert.ok(dispatcherPasses > timedPasses, `one run went on throughout: ${dispatcherPasses} dispatcher passes`);
});
