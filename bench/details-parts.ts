/**
 * Analysis aid (not a benchmark): where a `GET /details` goes, in-process. Times, per call, the whole request through
 * Fastify (inject), a route with no authentication and no database through the same server, and then each of the
 * details route's own pieces called directly: authentication, the read of the payment with its log, the presenter
 * and serialisation.
 *
 *   node --import tsx bench/details-parts.ts [calls=20000]
 *
 * The database is on tmpfs (/dev/shm): no disk waits, CPU only. Two rounds; the second is the warmed one.
 */
import { rmSync } from 'node:fs';
import { detailsBody } from '../src/channels/ecomm-v2/presenters.ts';
import { systemClock } from '../src/clock.ts';
import { authenticateApiCall } from '../src/core/auth/access-token.ts';
import { SANDBOX_ACTOR } from '../src/core/operators/audit.ts';
import { loadWithLog } from '../src/core/payments/details.ts';
import { createSandboxMerchant } from '../src/core/sandbox/sandbox-merchants.ts';
import { createUser } from '../src/core/users/sandbox-users.ts';
import { createKasse } from '../src/kasse.ts';

const calls = Number(process.argv[2] ?? 20_000);
const dbPath = `/dev/shm/kasse-details-parts-${process.pid}.sqlite`;
const kasse = await createKasse({ databaseUrl: `sqlite:${dbPath}`, clock: systemClock, timeTravel: null, logger: false, startJobs: false });
try {
  const { app, ctx } = kasse;
  const keys = await createSandboxMerchant(ctx, SANDBOX_ACTOR, { rateLimits: false });
  const msn = keys.merchantSerialNumber;
  const tokenAnswer = await app.inject({
    method: 'POST',
    url: '/accesstoken/get',
    headers: { client_id: keys.clientId, client_secret: keys.clientSecret, 'ocp-apim-subscription-key': keys.subscriptionKey },
  });
  const token = (tokenAnswer.json() as { access_token: string }).access_token;
  const headers = { authorization: `Bearer ${token}`, 'ocp-apim-subscription-key': keys.subscriptionKey, 'content-type': 'application/json' };
  const post = async (url: string, body: unknown) => {
    const answer = await app.inject({ method: 'POST', url, headers, payload: JSON.stringify(body) });
    if (answer.statusCode !== 200) throw new Error(`${url}: ${answer.statusCode} ${answer.body}`);
    return (answer.body === '' ? {} : answer.json()) as Record<string, unknown>;
  };
  // A captured payment: its log has three entries, as a typical /details has.
  await createUser(ctx, { msisdn: '47999999', cards: [{ bankId: 'dnb', availableOre: 100_000_000 }] });
  const initiated = await post('/ecomm/v2/payments', {
    customerInfo: {},
    merchantInfo: { merchantSerialNumber: msn, callbackPrefix: 'http://127.0.0.1:9/cb', fallBack: 'https://example.com/fallback' },
    transaction: { orderId: 'parts-1', amount: 1000, transactionText: 'One pair of socks' },
  });
  await post('/ecomm/v2/integration-test/payments/parts-1/approve', { customerPhoneNumber: '47999999', token: String(initiated.url).split('=', 3)[2] });
  await post('/ecomm/v2/payments/parts-1/capture', { merchantInfo: { merchantSerialNumber: msn }, transaction: { amount: 1000, transactionText: 'Sent' } });

  const history = await loadWithLog(ctx.store.db, msn, 'parts-1');
  const time = async (label: string, call: () => unknown) => {
    for (let i = 0; i < 2_000; i++) await call();
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await call();
    console.log(`${label.padEnd(48)} ${(Number(process.hrtime.bigint() - started) / calls / 1000).toFixed(2).padStart(8)} µs`);
  };
  for (const round of [1, 2]) {
    console.log(`round ${round}, ${calls} calls each`);
    await time('GET /details through Fastify (inject)', () => app.inject({ method: 'GET', url: '/ecomm/v2/payments/parts-1/details', headers }));
    await time('GET /_kasse/health through Fastify (inject)', () => app.inject({ method: 'GET', url: '/_kasse/health' }));
    await time('authentication (cached token and key)', () =>
      authenticateApiCall(ctx, token, keys.subscriptionKey, { subscriptionKeyRequired: true, merchantSerialNumber: undefined }),
    );
    await time('the payment with its log (one read)', () => loadWithLog(ctx.store.db, msn, 'parts-1'));
    await time('presenter (domain result to the v2 body)', () => detailsBody(history, systemClock.nowMs()));
    await time('presenter and JSON.stringify', () => JSON.stringify(detailsBody(history, systemClock.nowMs())));
  }
} finally {
  await kasse.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
}
