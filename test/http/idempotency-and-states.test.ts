// Goal: X-Request-Id retries have exactly one effect and replay the stored answer, and /status, /details and the action answers follow a payment through every state; method: real HTTP against a Kasse on 127.0.0.1, fake clock moved with advance().
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, type HttpResult } from '../support/merchant-client.ts';
import { assertVippsError } from './http-helpers.ts';

let kasse: TestKasse;
before(async () => {
  kasse = await startTestKasse();
});
after(() => kasse.close());

const newMerchant = (options: Parameters<typeof MerchantClient.create>[1] = {}) => MerchantClient.create(kasse.baseUrl, options);

interface LogEntry {
  operation: string;
  amount: number;
  requestId: string;
  operationSuccess: boolean;
  transactionText: string;
  transactionId: string;
  timeStamp: string;
}

async function log(merchant: MerchantClient, orderId: string): Promise<LogEntry[]> {
  const details = await merchant.details(orderId);
  assert.equal(details.status, 200, details.text);
  return details.body.transactionLogHistory as LogEntry[];
}

const operationsOf = (entries: LogEntry[]) => entries.map((e) => e.operation);

async function statusOf(merchant: MerchantClient, orderId: string): Promise<string> {
  const result = await merchant.status(orderId);
  assert.equal(result.status, 200, result.text);
  return result.body.transactionInfo.status as string;
}

function ok(result: HttpResult): HttpResult {
  assert.equal(result.status, 200, result.text);
  return result;
}

describe('idempotent retries (X-Request-Id)', () => {
  test('a capture retried with the same X-Request-Id and body returns the identical stored answer and captures once', async () => {
    const merchant = await newMerchant();
    await merchant.reserved('idem-cap', 10000);
    const first = ok(await merchant.capture('idem-cap', 3000, 'cap-key-1'));
    await kasse.advance(5_000);
    const retry = ok(await merchant.capture('idem-cap', 3000, 'cap-key-1'));
    assert.equal(retry.text, first.text, 'byte-identical answer, timestamp and transactionId included');
    const entries = await log(merchant, 'idem-cap');
    assert.deepEqual(operationsOf(entries), ['CAPTURE', 'RESERVE', 'INITIATE']);
    assert.equal(entries[0]?.requestId, 'cap-key-1');
    assert.equal(entries[0]?.transactionId, first.body.transactionInfo.transactionId);
  });

  test('the replay is the answer of the original call even after later operations changed the payment', async () => {
    const merchant = await newMerchant();
    await merchant.reserved('idem-later', 10000);
    const first = ok(await merchant.capture('idem-later', 3000, 'k1'));
    ok(await merchant.capture('idem-later', 2000, 'k2'));
    const retry = ok(await merchant.capture('idem-later', 3000, 'k1'));
    assert.deepEqual(retry.body, first.body);
    assert.equal(retry.body.transactionSummary.capturedAmount, 3000);
    const summary = (await merchant.details('idem-later')).body.transactionSummary;
    assert.equal(summary.capturedAmount, 5000);
    assert.deepEqual(operationsOf(await log(merchant, 'idem-later')), ['CAPTURE', 'CAPTURE', 'RESERVE', 'INITIATE']);
  });

  test('refund and cancel retried with the same key have one effect and the same answer', async () => {
    const merchant = await newMerchant();
    await merchant.reserved('idem-ref', 10000);
    ok(await merchant.capture('idem-ref', null, 'cap'));
    const refund = ok(await merchant.refund('idem-ref', 4000, 'ref-key'));
    assert.equal(ok(await merchant.refund('idem-ref', 4000, 'ref-key')).text, refund.text);
    assert.equal((await merchant.details('idem-ref')).body.transactionSummary.refundedAmount, 4000);

    await merchant.reserved('idem-cancel', 10000);
    const cancel = ok(await merchant.cancel('idem-cancel', false, 'cancel-key'));
    assert.equal(ok(await merchant.cancel('idem-cancel', false, 'cancel-key')).text, cancel.text);
    // Without the key the second cancel is a new request, and the payment is already voided.
    assertVippsError(await merchant.cancel('idem-cancel'), { status: 400, group: 'VippsError', code: '92', message: /already been processed/ });
    assert.deepEqual(operationsOf(await log(merchant, 'idem-cancel')), ['VOID', 'RESERVE', 'INITIATE']);
  });

  test('a business error is stored with its key: the retry gets the same error even when it would now succeed', async () => {
    const merchant = await newMerchant();
    const initiated = ok(await merchant.initiate('idem-err', 10000));
    const early = await merchant.capture('idem-err', 1000, 'early-key');
    assertVippsError(early, { status: 400, group: 'Payment', code: '62', message: /not reserved/ });
    ok(await merchant.approve('idem-err', initiated.body.url));
    const retry = await merchant.capture('idem-err', 1000, 'early-key');
    assertVippsError(retry, { status: 400, group: 'Payment', code: '62', message: early.body[0].errorMessage });
    ok(await merchant.capture('idem-err', 1000, 'fresh-key'));
  });

  test('without X-Request-Id every capture is a new operation', async () => {
    const merchant = await newMerchant();
    await merchant.reserved('idem-none', 10000);
    ok(await merchant.capture('idem-none', 1000));
    ok(await merchant.capture('idem-none', 1000));
    const entries = await log(merchant, 'idem-none');
    assert.deepEqual(operationsOf(entries), ['CAPTURE', 'CAPTURE', 'RESERVE', 'INITIATE']);
    assert.deepEqual(entries.slice(0, 2).map((e) => e.requestId), ['', '']);
  });

  test('force approve with the same X-Request-Id twice answers 200 both times and reserves once', async () => {
    const merchant = await newMerchant();
    const initiated = ok(await merchant.initiate('idem-approve', 10000));
    const first = ok(await merchant.approve('idem-approve', initiated.body.url, '91234567', 'approve-key'));
    const second = ok(await merchant.approve('idem-approve', initiated.body.url, '91234567', 'approve-key'));
    assert.equal(second.text, first.text);
    assert.deepEqual(operationsOf(await log(merchant, 'idem-approve')), ['RESERVE', 'INITIATE']);
    // The same key with another phone number is a different request.
    assertVippsError(await merchant.approve('idem-approve', initiated.body.url, '47654321', 'approve-key'), {
      status: 409,
      group: 'VippsError',
      code: '93',
      message: 'The request must be identical to the previous request(s) in an idempotent retry.',
    });
  });
});

describe('/status through the lifecycle', () => {
  test('/status says INITIATE, RESERVE, CAPTURE, REFUND as a payment is approved, captured and refunded', async () => {
    const merchant = await newMerchant();
    const initiated = ok(await merchant.initiate('st-life', 10000));
    assert.equal(await statusOf(merchant, 'st-life'), 'INITIATE');
    ok(await merchant.approve('st-life', initiated.body.url));
    assert.equal(await statusOf(merchant, 'st-life'), 'RESERVE');
    ok(await merchant.capture('st-life', 6000, 'c1'));
    assert.equal(await statusOf(merchant, 'st-life'), 'CAPTURE');
    ok(await merchant.refund('st-life', 1000, 'r1'));
    const status = await merchant.status('st-life');
    assert.deepEqual(Object.keys(status.body.transactionInfo).sort(), ['amount', 'status', 'timeStamp', 'transactionId']);
    assert.equal(status.body.orderId, 'st-life');
    assert.equal(status.body.transactionInfo.status, 'REFUND');
    assert.equal(status.body.transactionInfo.amount, 10000, 'the order amount');
    assert.match(status.body.transactionInfo.transactionId, /^\d{10,}$/);
    assert.equal(status.body.transactionInfo.timeStamp, new Date(kasse.clock.nowMs()).toISOString());
  });

  test('/status says VOID after the merchant cancels a reserved payment, CANCEL after it cancels an initiated one', async () => {
    const merchant = await newMerchant();
    await merchant.reserved('st-void', 10000);
    const voided = ok(await merchant.cancel('st-void'));
    assert.equal(voided.body.transactionInfo.status, 'Cancelled');
    assert.equal(voided.body.transactionInfo.amount, 10000);
    assert.deepEqual(voided.body.transactionSummary, { capturedAmount: 0, remainingAmountToCapture: 0, refundedAmount: 0, remainingAmountToRefund: 0 });
    assert.equal(await statusOf(merchant, 'st-void'), 'VOID');
    assert.deepEqual(operationsOf(await log(merchant, 'st-void')), ['VOID', 'RESERVE', 'INITIATE']);

    ok(await merchant.initiate('st-cancel', 10000));
    ok(await merchant.cancel('st-cancel'));
    assert.equal(await statusOf(merchant, 'st-cancel'), 'CANCEL');
    assert.deepEqual(operationsOf(await log(merchant, 'st-cancel')), ['CANCEL', 'INITIATE']);
  });

  test('/status says REJECTED when nobody acted within 5 minutes; the log shows CANCEL and capture answers 62', async () => {
    const merchant = await newMerchant();
    const initiated = ok(await merchant.initiate('st-rejected', 10000));
    await kasse.advance(5 * 60_000 - 1);
    assert.equal(await statusOf(merchant, 'st-rejected'), 'INITIATE');
    await kasse.advance(1);
    assert.equal(await statusOf(merchant, 'st-rejected'), 'REJECTED');
    const details = await merchant.details('st-rejected');
    assert.deepEqual(operationsOf(details.body.transactionLogHistory), ['CANCEL', 'INITIATE']);
    assert.equal(details.body.transactionSummary, undefined);
    assertVippsError(await merchant.capture('st-rejected', null, 'late'), { status: 400, group: 'Payment', code: '62', message: /not reserved/ });
    // The landing token has expired with it.
    assertVippsError(await merchant.approve('st-rejected', initiated.body.url), { status: 400, group: 'VippsError', code: '92', message: /already been processed/ });
  });

  test('a direct-capture sales unit: /status and /details say SALE, and a capture then answers 400 Payment 61', async () => {
    const merchant = await newMerchant({ captureType: 'direct' });
    await merchant.reserved('st-sale', 10000);
    assert.equal(await statusOf(merchant, 'st-sale'), 'SALE');
    const details = await merchant.details('st-sale');
    assert.deepEqual(operationsOf(details.body.transactionLogHistory), ['SALE', 'INITIATE']);
    assert.deepEqual(details.body.transactionSummary, {
      capturedAmount: 10000,
      remainingAmountToCapture: 0,
      refundedAmount: 0,
      remainingAmountToRefund: 10000,
      bankIdentificationNumber: 492560,
    });
    assertVippsError(await merchant.capture('st-sale', null, 'cap'), {
      status: 400,
      group: 'Payment',
      code: '61',
      message:
        'The total capture amount exceeds the reserved amount. You cannot capture a higher amount than the user has accepted. Check the payment details',
    });
    assertVippsError(await merchant.cancel('st-sale'), { status: 400, group: 'Payment', code: '51', message: /already been captured/ });
    // Only a refund is possible.
    ok(await merchant.refund('st-sale', 2500, 'ref'));
    assert.equal(await statusOf(merchant, 'st-sale'), 'REFUND');
  });
});

describe('release of remaining funds and /details', () => {
  test('cancel with shouldReleaseRemainingFunds after a partial capture releases the rest; a later capture answers 61', async () => {
    const merchant = await newMerchant();
    await merchant.reserved('release-1', 20000);
    ok(await merchant.capture('release-1', 10000, 'part'));
    const released = ok(await merchant.cancel('release-1', true));
    assert.equal(released.body.transactionInfo.status, 'Cancelled');
    assert.equal(released.body.transactionInfo.amount, 20000, 'the original order amount, as in the guide example');
    assert.deepEqual(released.body.transactionSummary, {
      capturedAmount: 10000,
      remainingAmountToCapture: 0,
      refundedAmount: 0,
      remainingAmountToRefund: 10000,
    });
    const entries = await log(merchant, 'release-1');
    assert.deepEqual(operationsOf(entries), ['VOID', 'CAPTURE', 'RESERVE', 'INITIATE']);
    assert.equal(entries[0]?.amount, 10000, 'the VOID entry carries the released amount');
    assert.equal(entries[0]?.operationSuccess, true);
    assertVippsError(await merchant.capture('release-1', 100, 'after-release'), {
      status: 400,
      group: 'Payment',
      code: '61',
      message: /^The total capture amount exceeds the reserved amount/,
    });
    // What was captured can still be refunded.
    ok(await merchant.refund('release-1', 10000, 'refund-all'));
  });

  test('/details has no transactionSummary before the user approved, and a bankIdentificationNumber after', async () => {
    const merchant = await newMerchant();
    const initiated = ok(await merchant.initiate('details-1', 15000));
    const before = ok(await merchant.details('details-1'));
    assert.equal(before.body.orderId, 'details-1');
    assert.equal('transactionSummary' in before.body, false);
    assert.deepEqual(before.body.transactionLogHistory, [
      {
        amount: 15000,
        transactionText: 'One pair of socks',
        transactionId: before.body.transactionLogHistory[0].transactionId,
        timeStamp: new Date(kasse.clock.nowMs()).toISOString(),
        operation: 'INITIATE',
        requestId: '',
        operationSuccess: true,
      },
    ]);
    await kasse.advance(1_000);
    ok(await merchant.approve('details-1', initiated.body.url));
    const afterApproval = ok(await merchant.details('details-1'));
    assert.deepEqual(afterApproval.body.transactionSummary, {
      capturedAmount: 0,
      remainingAmountToCapture: 15000,
      refundedAmount: 0,
      remainingAmountToRefund: 0,
      bankIdentificationNumber: 492560,
    });
    const [reserve, initiate] = afterApproval.body.transactionLogHistory as LogEntry[];
    assert.equal(reserve?.operation, 'RESERVE');
    assert.equal(initiate?.operation, 'INITIATE');
    assert.ok(reserve && initiate && reserve.timeStamp > initiate.timeStamp, 'newest first');
    // The bank identification number is a /details field only.
    const captured = ok(await merchant.capture('details-1', 5000, 'c'));
    assert.equal('bankIdentificationNumber' in captured.body.transactionSummary, false);
    const status = ok(await merchant.status('details-1'));
    assert.equal('transactionSummary' in status.body, false);
  });
});
