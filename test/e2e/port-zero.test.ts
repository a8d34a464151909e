// Goal: `PORT=0 npm start` (the kernel picks a free port, as CI jobs start servers) prints and uses the port it got:
// the banner's listening line and base URL, and the landing URL an initiate answers with, all name that port (they
// once said port 0, since the public URL was fixed before listening).
// Method: src/main.ts as a child process with PORT=0 and no PUBLIC_URL, on a fresh SQLite database; the banner's
// `export` line gives the demo merchant; an initiate's url must point at the port the child listens on, and its
// landing page must answer there.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { freshDatabase } from '../support/databases.ts';
import { REPO_ROOT } from '../reliability/support/child-kasse.ts';
import { printedCredentials } from '../support/printed-banner.ts';

const WATCHDOG = new URL('../reliability/support/parent-watchdog.mjs', import.meta.url).href;

test('PORT=0: the banner, the base URL and the landing URLs name the port the kernel picked', { timeout: 120_000 }, async () => {
  const database = await freshDatabase('sqlite');
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, KASSE_MODE: 'sandbox', LOG_LEVEL: 'warn' };
  delete env.PUBLIC_URL;
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', WATCHDOG, 'src/main.ts'], { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  try {
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within 90 s:\n${output}`)), 90_000);
      const read = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (/export B=/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.once('exit', (code) => reject(new Error(`exited (code ${code}) before its banner:\n${output}`)));
    });
    const listening = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
    assert.ok(listening, output);
    const port = Number(listening[1]);
    assert.ok(port > 0, `listening on port ${port}`);
    const printed = printedCredentials(output);
    assert.equal(printed.B, `http://localhost:${port}`);

    const direct = `http://127.0.0.1:${port}`;
    const token = await fetch(`${direct}/accesstoken/get`, {
      method: 'POST',
      headers: { client_id: printed.CID, client_secret: printed.SECRET, 'Ocp-Apim-Subscription-Key': printed.KEY },
    }).then(async (response) => ((await response.json()) as { access_token: string }).access_token);
    const initiated = await fetch(`${direct}/ecomm/v2/payments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'ocp-apim-subscription-key': printed.KEY, 'content-type': 'application/json' },
      body: JSON.stringify({
        customerInfo: {},
        merchantInfo: { merchantSerialNumber: printed.MSN, callbackPrefix: 'http://127.0.0.1:9/vipps', fallBack: 'https://example.com/done' },
        transaction: { orderId: 'port-zero-1', amount: 1000, transactionText: 'Port zero' },
      }),
    });
    assert.equal(initiated.status, 200);
    const { url } = (await initiated.json()) as { url: string };
    const landing = new URL(url);
    assert.equal(landing.port, String(port), url);
    const page = await fetch(`${direct}${landing.pathname}${landing.search}`);
    await page.arrayBuffer();
    assert.equal(page.status, 200, `the landing page answers at ${url}`);
  } finally {
    child.kill('SIGKILL');
    await database.drop();
  }
});
