// Goal: SIGTERM shuts Kasse down gracefully. It stops accepting, the request in flight gets its answer, and the
// outbound call in flight (a leased callback) is sent and recorded before the store closes.
// Method: Kasse as `npm start` runs it (child process, fresh SQLite database) and a slow merchant: its shipping-details
// endpoint answers an express force approve after 1.5 s (the request in flight), its callback endpoint answers after
// 1.5 s (the lease in flight). SIGTERM arrives while the merchant is still thinking about the shipping details; then
// a new request must not be served, the force approve must answer 200, the process must exit, and the database must
// show the callback delivered with its attempt recorded.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openStore } from '../../src/store/db.ts';
import { CallbackReceiver } from '../support/callback-receiver.ts';
import { freshDatabase, type TestDatabase } from '../support/databases.ts';
import { MerchantClient } from '../support/merchant-client.ts';
import { ChildKasse } from '../reliability/support/child-kasse.ts';

const MERCHANT_DELAY_MS = 1_500;

let database: TestDatabase;
let kasse: ChildKasse;
let merchantServer: CallbackReceiver;
before(async () => {
  database = await freshDatabase('sqlite');
  kasse = await ChildKasse.start({ databaseUrl: database.url, env: { KASSE_SHUTDOWN_TIMEOUT_MS: '20000', LOG_LEVEL: 'info' } }); // info: the "shut down cleanly" line
  merchantServer = await new CallbackReceiver().start();
  merchantServer.behave = (request) =>
    request.url.endsWith('/shippingDetails')
      ? {
          delayMs: MERCHANT_DELAY_MS,
          body: {
            addressId: (request.body as { addressId: number }).addressId,
            orderId: 'x',
            shippingDetails: [{ isDefault: 'Y', priority: 1, shippingCost: 49, shippingMethod: 'Post', shippingMethodId: 'post' }],
          },
        }
      : { delayMs: MERCHANT_DELAY_MS };
});
after(async () => {
  await kasse?.stop();
  await merchantServer?.close();
  await database?.drop();
});

test('SIGTERM: stops accepting, answers the request in flight, sends and records the callback in flight', { timeout: 60_000 }, async () => {
  const merchant = await MerchantClient.create(kasse.baseUrl);
  const orderId = 'shutdown-1';
  const initiated = await merchant.initiate(orderId, 20_000, {
    merchantInfo: {
      paymentType: 'eComm Express Payment',
      callbackPrefix: `${merchantServer.url}/cb`,
      consentRemovalPrefix: `${merchantServer.url}/consents`,
      shippingDetailsPrefix: `${merchantServer.url}/ship`,
    },
  });
  assert.equal(initiated.status, 200, initiated.text);

  const approving = merchant.approve(orderId, initiated.body.url);
  await merchantServer.waitFor(1);
  assert.match(merchantServer.requests[0]!.url, /\/shippingDetails$/, 'the force approve is waiting on the merchant');
  const stopping = kasse.stop();

  // No new request is served once the shutdown has begun (refused, or 503 on a connection that was open).
  await new Promise((resolve) => setTimeout(resolve, 200));
  const late = await fetch(`${kasse.baseUrl}/_kasse/health/ready`).then((r) => r.status, (error: Error) => error.message);
  assert.notEqual(late, 200, 'a request after SIGTERM is not served');

  const approved = await approving;
  assert.equal(approved.status, 200, `the request in flight got its answer: ${approved.text}`);
  await stopping;
  assert.equal(kasse.running, false, 'the process exited');
  assert.match(kasse.output(), /shut down cleanly/, kasse.output());

  const callback = merchantServer.requests.find((r) => r.url === `/cb/v2/payments/${orderId}`);
  assert.ok(callback, 'the callback was sent during the shutdown');
  const store = await openStore(database.url);
  try {
    const row = await store.db.selectFrom('outbox').selectAll().where('order_id', '=', orderId).where('kind', '=', 'payment_callback').executeTakeFirstOrThrow();
    assert.equal(row.state, 'delivered', 'the lease in flight was recorded before the store closed');
    const attempts = await store.db.selectFrom('callback_attempt').selectAll().where('outbox_id', '=', row.id).execute();
    assert.equal(attempts.length, 1);
    assert.equal(attempts[0]?.http_status, 200);
  } finally {
    await store.close();
  }
});
