// Goal: every error the merchant API can answer, triggered over real HTTP against a Kasse on 127.0.0.1, asserting status, errorGroup, errorCode, exact message and contextId.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DAY_MS } from '../../src/domain/clock.ts';
import { ERRORS } from '../../src/channels/ecomm-v2/error-catalogue.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest } from '../support/merchant-client.ts';
import { admin, assertVippsError } from './http-helpers.ts';
import { insertTestUser } from '../../src/core/users/test-users.ts';

let kasse: TestKasse;
before(async () => {
  kasse = await startTestKasse();
});
after(() => kasse.close());

const newMerchant = (options: Parameters<typeof MerchantClient.create>[1] = {}) => MerchantClient.create(kasse.baseUrl, options);

/** After the clock moved past the token lifetime, the same merchant with a fresh token. */
const withFreshToken = (merchant: MerchantClient) => new MerchantClient(kasse.baseUrl, merchant.credentials);

const catalogue = (key: keyof typeof ERRORS, message?: string) => {
  const { httpStatus, group, code } = ERRORS[key];
  return { status: httpStatus, group, code, message: message ?? ERRORS[key].message };
};

describe('Merchant errors', () => {
  test('initiating an orderId already used by this MSN answers 400 Merchant 34', async () => {
    const merchant = await newMerchant();
    assert.equal((await merchant.initiate('dup-1', 10000)).status, 200);
    const again = await merchant.initiate('dup-1', 10000);
    assertVippsError(again, {
      status: 400,
      group: 'Merchant',
      code: '34',
      message: 'Duplicate orderId. The orderId must be unique for each MSN. It has already been used for this MSN.',
    });
  });

  test('an orderId cancelled before cannot be reused either (Merchant 34)', async () => {
    const merchant = await newMerchant();
    assert.equal((await merchant.initiate('dup-cancelled', 10000)).status, 200);
    assert.equal((await merchant.cancel('dup-cancelled')).status, 200);
    assertVippsError(await merchant.initiate('dup-cancelled', 10000), catalogue('duplicate_order_id'));
  });

  test('an unknown orderId answers 404 Merchant 35 naming the orderId and the MSN', async () => {
    const merchant = await newMerchant();
    const expected = {
      status: 404,
      group: 'Merchant',
      code: '35',
      message: `The orderId 'no-such-order' does not exist for MSN ${merchant.msn}.`,
    };
    assertVippsError(await merchant.details('no-such-order'), expected);
    assertVippsError(await merchant.status('no-such-order'), expected);
    assertVippsError(await merchant.capture('no-such-order', 100, 'c1'), expected);
    assertVippsError(await merchant.refund('no-such-order', 100, 'r1'), expected);
    assertVippsError(await merchant.cancel('no-such-order'), expected);
    assertVippsError(await merchant.approve('no-such-order', 'x?v=2&token=abc'), expected);
  });

  test("another merchant's order is indistinguishable from a missing one (404 Merchant 35 with the caller's MSN)", async () => {
    const owner = await newMerchant();
    const other = await newMerchant();
    const initiated = await owner.initiate('owned-by-a', 10000);
    assert.equal(initiated.status, 200);
    assert.equal((await owner.approve('owned-by-a', initiated.body.url)).status, 200);
    const foreign = { status: 404, group: 'Merchant', code: '35', message: `The orderId 'owned-by-a' does not exist for MSN ${other.msn}.` };
    assertVippsError(await other.details('owned-by-a'), foreign);
    assertVippsError(await other.status('owned-by-a'), foreign);
    assertVippsError(await other.capture('owned-by-a', 100, 'steal'), foreign);
    assertVippsError(await other.cancel('owned-by-a'), foreign);
    assertVippsError(await other.refund('owned-by-a', 100, 'steal'), foreign);
    assertVippsError(await other.approve('owned-by-a', initiated.body.url), foreign);
    // Same answer as for an id nobody ever used, apart from the id in the message.
    const missing = await other.details('never-used');
    assertVippsError(missing, { ...foreign, message: `The orderId 'never-used' does not exist for MSN ${other.msn}.` });
    // And the owner's payment was not touched.
    const details = await owner.details('owned-by-a');
    assert.deepEqual(
      details.body.transactionLogHistory.map((e: { operation: string }) => e.operation),
      ['RESERVE', 'INITIATE'],
    );
  });

  test('a deactivated sales unit answers 403 Merchant 37 on every call', async () => {
    const merchant = await newMerchant();
    assert.equal((await merchant.initiate('deact-1', 10000)).status, 200);
    await admin(kasse, 'POST', `/_kasse/admin/sales-units/${merchant.msn}/deactivate`);
    const expected = {
      status: 403,
      group: 'Merchant',
      code: '37',
      message: 'The merchant and/or sales unit is unavailable, deleted, deactivated or blocked for payments.',
    };
    assertVippsError(await merchant.initiate('deact-2', 10000), expected);
    assertVippsError(await merchant.details('deact-1'), expected);
    assertVippsError(await merchant.cancel('deact-1'), expected);
    await admin(kasse, 'POST', `/_kasse/admin/sales-units/${merchant.msn}/reactivate`);
    assert.equal((await merchant.details('deact-1')).status, 200);
  });

  test('a blocked sales unit answers 403 Merchant 31', async () => {
    const merchant = await newMerchant();
    await admin(kasse, 'POST', `/_kasse/admin/sales-units/${merchant.msn}/block`);
    const expected = {
      status: 403,
      group: 'Merchant',
      code: '31',
      message: 'The merchant is blocked. The merchant can contact customer service for details.',
    };
    assertVippsError(await merchant.initiate('blocked-1', 10000), expected);
    assertVippsError(await merchant.details('blocked-1'), expected);
  });

  test('skipLandingPage on a sales unit not allowed to skip it answers 403 Merchant 38', async () => {
    const merchant = await newMerchant();
    const skip = { transaction: { skipLandingPage: true }, customerInfo: { mobileNumber: '91234567' } };
    // Sandbox merchants are allowed to skip the landing page…
    assert.equal((await merchant.initiate('skip-ok', 10000, skip)).status, 200);
    // …until the operator turns it off.
    await admin(kasse, 'PATCH', `/_kasse/admin/sales-units/${merchant.msn}`, { skipLandingPage: false });
    assertVippsError(await merchant.initiate('skip-refused', 10000, skip), {
      status: 403,
      group: 'Merchant',
      code: '38',
      message: 'The sales unit is not allowed to skip the landing page. See the FAQ.',
    });
  });

  test('the nin scope on a sales unit without it answers 403 Merchant 51', async () => {
    const merchant = await newMerchant();
    assertVippsError(await merchant.initiate('nin-1', 10000, { transaction: { scope: 'name nin' } }), {
      status: 403,
      group: 'Merchant',
      code: '51',
      message: 'The Nin scope is not allowed',
    });
    // Other scopes are fine.
    assert.equal((await merchant.initiate('nin-2', 10000, { transaction: { scope: 'name email' } })).status, 200);
  });

  // Merchant 97 is "not allowed to perform payments" (a login-only sales unit); this unit takes regular payments, so
  // the refusal names the value it cannot use (docs/STATE_MACHINE.md).
  test('an express payment on a sales unit without express answers 400 InvalidRequest merchantInfo.paymentType, not Merchant 97', async () => {
    const merchant = await newMerchant({ express: false });
    const express = {
      merchantInfo: { paymentType: 'eComm Express Payment', consentRemovalPrefix: 'https://example.com/consents' },
    };
    assertVippsError(await merchant.initiate('express-1', 10000, express), {
      status: 400,
      group: 'InvalidRequest',
      code: 'merchantInfo.paymentType',
      message: /^merchantInfo\.paymentType "eComm Express Payment" is not enabled for this sales unit\./,
    });
    assert.equal((await merchant.initiate('regular-1', 10000)).status, 200);
  });
});

describe('Payment errors', () => {
  test('cancel after a full capture answers 400 Payment 51', async () => {
    const merchant = await newMerchant();
    await merchant.reserved('p51', 10000);
    assert.equal((await merchant.capture('p51', null, 'cap')).status, 200);
    const expected = { status: 400, group: 'Payment', code: '51', message: 'Cannot cancel an orderId that has already been captured.' };
    assertVippsError(await merchant.cancel('p51'), expected);
    assertVippsError(await merchant.cancel('p51', true), expected);
  });

  test('cancel after a partial capture without shouldReleaseRemainingFunds answers 400 Payment 51', async () => {
    const merchant = await newMerchant();
    await merchant.reserved('p51-partial', 10000);
    assert.equal((await merchant.capture('p51-partial', 4000, 'cap')).status, 200);
    assertVippsError(await merchant.cancel('p51-partial', false), catalogue('cancel_after_capture'));
  });

  test('cancel more than 180 days after reservation answers 400 Payment 52', async () => {
    const merchant = await newMerchant();
    await merchant.reserved('p52', 10000);
    await merchant.reserved('p52-in-time', 10000);
    await kasse.advance(180 * DAY_MS);
    const fresh = withFreshToken(merchant);
    assert.equal((await fresh.cancel('p52-in-time')).status, 200, 'exactly 180 days is still inside the window');
    await kasse.advance(1);
    assertVippsError(await fresh.cancel('p52'), {
      status: 400,
      group: 'Payment',
      code: '52',
      message: 'Cancellation failed, reason unknown.',
    });
  });

  test('capture beyond the remaining reservation answers 400 Payment 61', async () => {
    const merchant = await newMerchant();
    await merchant.reserved('p61', 10000);
    const expected = {
      status: 400,
      group: 'Payment',
      code: '61',
      message:
        'The total capture amount exceeds the reserved amount. You cannot capture a higher amount than the user has accepted. Check the payment details',
    };
    assertVippsError(await merchant.capture('p61', 10001, 'too-much'), expected);
    assert.equal((await merchant.capture('p61', 6000, 'part')).status, 200);
    assertVippsError(await merchant.capture('p61', 4001, 'rest-plus-one'), expected);
    assert.equal((await merchant.capture('p61', 4000, 'rest')).status, 200);
    assertVippsError(await merchant.capture('p61', null, 'nothing-left'), expected);
  });

  test('capture before the user approved answers 400 Payment 62', async () => {
    const merchant = await newMerchant();
    assert.equal((await merchant.initiate('p62', 10000)).status, 200);
    assertVippsError(await merchant.capture('p62', 10000, 'early'), {
      status: 400,
      group: 'Payment',
      code: '62',
      message: 'The amount you tried to capture is not reserved. The user must accept the payment before capture can be done.',
    });
  });

  test('refund beyond the captured amount answers 400 Payment 71', async () => {
    const merchant = await newMerchant();
    await merchant.reserved('p71', 10000);
    assert.equal((await merchant.capture('p71', 5000, 'cap')).status, 200);
    const expected = { status: 400, group: 'Payment', code: '71', message: 'Cannot refund a higher amount than the captured amount.' };
    assertVippsError(await merchant.refund('p71', 5001, 'r1'), expected);
    assert.equal((await merchant.refund('p71', 3000, 'r2')).status, 200);
    assertVippsError(await merchant.refund('p71', 2001, 'r3'), expected);
  });

  test('refund of a reserved, uncaptured payment answers 400 Payment 72', async () => {
    const merchant = await newMerchant();
    await merchant.reserved('p72', 10000);
    assertVippsError(await merchant.refund('p72', 1000, 'r1'), {
      status: 400,
      group: 'Payment',
      code: '72',
      message: 'Cannot refund a reserved order. The orderId can be canceled instead.',
    });
  });

  test('refund of a cancelled payment answers 400 Payment 73', async () => {
    const merchant = await newMerchant();
    await merchant.reserved('p73', 10000);
    assert.equal((await merchant.cancel('p73')).status, 200);
    assertVippsError(await merchant.refund('p73', 1000, 'r1'), {
      status: 400,
      group: 'Payment',
      code: '73',
      message: 'Cannot refund a canceled order.',
    });
  });

  test('refund more than 365 days after reservation answers 400 Payment 95', async () => {
    const merchant = await newMerchant();
    await merchant.reserved('p95', 10000);
    assert.equal((await merchant.capture('p95', null, 'cap')).status, 200);
    await kasse.advance(365 * DAY_MS);
    const fresh = withFreshToken(merchant);
    assert.equal((await fresh.refund('p95', 1000, 'in-time')).status, 200, 'exactly 365 days is still inside the window');
    await kasse.advance(1);
    assertVippsError(await fresh.refund('p95', 1000, 'too-late'), {
      status: 400,
      group: 'Payment',
      code: '95',
      message: 'Payments can only be refunded up to 365 days after reservation. See the FAQ.',
    });
  });

  test('capture more than 180 days after reservation answers 400 Payment 98', async () => {
    const merchant = await newMerchant();
    await merchant.reserved('p98', 10000);
    await kasse.advance(180 * DAY_MS);
    const fresh = withFreshToken(merchant);
    assert.equal((await fresh.capture('p98', 1000, 'in-time')).status, 200, 'exactly 180 days is still inside the window');
    await kasse.advance(1);
    assertVippsError(await fresh.capture('p98', 1000, 'too-late'), {
      status: 400,
      group: 'Payment',
      code: '98',
      message: 'Payments can only be captured up to 180 days after reservation. See the FAQ.',
    });
  });

  test('force approve by a test user who is not BankID verified answers 400 Payment 1082', async () => {
    const merchant = await newMerchant();
    await insertTestUser(
      kasse.kasse.store.db,
      { msisdn: '41000082', firstName: 'No', lastName: 'BankID', bankIdVerified: false },
      kasse.clock.nowMs(),
    );
    const initiated = await merchant.initiate('p1082', 10000);
    assertVippsError(await merchant.approve('p1082', initiated.body.url, '41000082'), {
      status: 400,
      group: 'Payment',
      code: '1082',
      message: 'This person is not BankID verified',
    });
    assert.equal((await merchant.status('p1082')).body.transactionInfo.status, 'INITIATE');
  });
});

describe('User errors', () => {
  test('force approve with a phone number not starting with 4 or 9 answers 400 User 81', async () => {
    const merchant = await newMerchant();
    const initiated = await merchant.initiate('u81-approve', 10000);
    assertVippsError(await merchant.approve('u81-approve', initiated.body.url, '12345678'), {
      status: 400,
      group: 'User',
      code: '81',
      message:
        'The phone number is either incorrectly formatted (see the API specification), is not a Vipps user, or the user cannot pay businesses. Vipps cannot give more details.',
    });
  });

  test('initiate with a customerInfo.mobileNumber that cannot be corrected answers 400 User 81', async () => {
    const merchant = await newMerchant();
    for (const [i, mobileNumber] of ['1234', '+46 912 34 567', 'phone'].entries()) {
      assertVippsError(await merchant.initiate(`u81-init-${i}`, 10000, { customerInfo: { mobileNumber } }), catalogue('not_a_vipps_user'));
    }
    // What Vipps corrects is accepted: +47, 0047, spaces.
    assert.equal((await merchant.initiate('u81-fixable', 10000, { customerInfo: { mobileNumber: '+47 912 34 567' } })).status, 200);
  });
});

describe('VippsError errors', () => {
  test('capture of a cancelled payment answers 400 VippsError 91', async () => {
    const merchant = await newMerchant();
    await merchant.reserved('v91', 10000);
    assert.equal((await merchant.cancel('v91')).status, 200);
    assertVippsError(await merchant.capture('v91', 1000, 'after-void'), {
      status: 400,
      group: 'VippsError',
      code: '91',
      message: 'The transaction is not allowed.',
    });
  });

  test('cancelling an already cancelled payment and approving an already approved one answer 400 VippsError 92', async () => {
    const merchant = await newMerchant();
    assert.equal((await merchant.initiate('v92-cancel', 10000)).status, 200);
    assert.equal((await merchant.cancel('v92-cancel')).status, 200);
    const expected = { status: 400, group: 'VippsError', code: '92', message: 'The transaction has already been processed.' };
    assertVippsError(await merchant.cancel('v92-cancel'), expected);

    const initiated = await merchant.initiate('v92-approve', 10000);
    assert.equal((await merchant.approve('v92-approve', initiated.body.url)).status, 200);
    assertVippsError(await merchant.approve('v92-approve', initiated.body.url), expected);
  });

  test('the same X-Request-Id with a different body answers 409 VippsError 93', async () => {
    const merchant = await newMerchant();
    await merchant.reserved('v93', 10000);
    assert.equal((await merchant.capture('v93', 1000, 'key-1')).status, 200);
    const expected = {
      status: 409,
      group: 'VippsError',
      code: '93',
      message: 'The request must be identical to the previous request(s) in an idempotent retry.',
    };
    assertVippsError(await merchant.capture('v93', 2000, 'key-1'), expected);
    assertVippsError(await merchant.capture('v93', 1000, 'key-1', 'another text'), expected);
    assert.equal((await merchant.refund('v93', 500, 'key-r')).status, 200);
    assertVippsError(await merchant.refund('v93', 600, 'key-r'), expected);
    // The key is per endpoint: the capture key may be reused for a refund.
    assert.equal((await merchant.refund('v93', 100, 'key-1')).status, 200);
  });
});

/** `count` calls at once (the limiter counts each as it arrives); their HTTP statuses. */
async function statuses(count: number, call: () => Promise<{ status: number }>): Promise<number[]> {
  return (await Promise.all(Array.from({ length: count }, call))).map((r) => r.status);
}

describe('VippsError 98: rate limits (429)', () => {
  const tooMany = { status: 429, group: 'VippsError', code: '98', message: 'Too many concurrent requests. See the FAQ.' };

  test('initiate allows 2 calls per minute per orderId, then answers 429 VippsError 98 until the window passes', async () => {
    const merchant = await newMerchant({ rateLimits: true });
    assert.equal((await merchant.initiate('rl-init', 10000)).status, 200);
    assertVippsError(await merchant.initiate('rl-init', 10000), catalogue('duplicate_order_id'));
    assertVippsError(await merchant.initiate('rl-init', 10000), tooMany);
    // Per orderId: another order is not limited.
    assert.equal((await merchant.initiate('rl-init-other', 10000)).status, 200);
    await kasse.advance(59_999);
    assertVippsError(await merchant.initiate('rl-init', 10000), tooMany);
    await kasse.advance(1);
    assertVippsError(await merchant.initiate('rl-init', 10000), catalogue('duplicate_order_id'));
  });

  test('capture allows 5 calls per minute per orderId, then 429; the window resets after 60 s', async () => {
    const merchant = await newMerchant({ rateLimits: true });
    await merchant.reserved('rl-cap', 100000);
    for (let i = 0; i < 5; i++) assert.equal((await merchant.capture('rl-cap', 100, `c${i}`)).status, 200);
    assertVippsError(await merchant.capture('rl-cap', 100, 'c5'), tooMany);
    await kasse.advance(60_000);
    assert.equal((await merchant.capture('rl-cap', 100, 'c6')).status, 200);
  });

  test('refund allows 5 calls per minute per orderId, then 429', async () => {
    const merchant = await newMerchant({ rateLimits: true });
    await merchant.reserved('rl-ref', 100000);
    assert.equal((await merchant.capture('rl-ref', null, 'all')).status, 200);
    for (let i = 0; i < 5; i++) assert.equal((await merchant.refund('rl-ref', 100, `r${i}`)).status, 200);
    assertVippsError(await merchant.refund('rl-ref', 100, 'r5'), tooMany);
    await kasse.advance(60_000);
    assert.equal((await merchant.refund('rl-ref', 100, 'r6')).status, 200);
  });

  test('cancel allows 5 calls per minute per orderId (failed ones count), then 429', async () => {
    const merchant = await newMerchant({ rateLimits: true });
    assert.equal((await merchant.initiate('rl-cancel', 10000)).status, 200);
    assert.equal((await merchant.cancel('rl-cancel')).status, 200);
    for (let i = 0; i < 4; i++) assertVippsError(await merchant.cancel('rl-cancel'), catalogue('already_processed'));
    assertVippsError(await merchant.cancel('rl-cancel'), tooMany);
  });

  test('details and status allow 120 calls per minute each per orderId, then 429', async () => {
    const merchant = await newMerchant({ rateLimits: true });
    assert.equal((await merchant.initiate('rl-read', 10000)).status, 200);
    assert.deepEqual(await statuses(120, () => merchant.details('rl-read')), Array(120).fill(200));
    assertVippsError(await merchant.details('rl-read'), tooMany);
    assert.deepEqual(await statuses(120, () => merchant.status('rl-read')), Array(120).fill(200));
    assertVippsError(await merchant.status('rl-read'), tooMany);
    await kasse.advance(60_000);
    assert.equal((await merchant.details('rl-read')).status, 200);
    assert.equal((await merchant.status('rl-read')).status, 200);
  });

  test('a sales unit with rate limits off is never answered 429', async () => {
    const merchant = await newMerchant({ rateLimits: false });
    const initiated = await merchant.initiate('no-rl', 100000);
    assert.equal(initiated.status, 200);
    for (let i = 0; i < 3; i++) assertVippsError(await merchant.initiate('no-rl', 100000), catalogue('duplicate_order_id'));
    assert.equal((await merchant.approve('no-rl', initiated.body.url)).status, 200);
    for (let i = 0; i < 8; i++) assert.equal((await merchant.capture('no-rl', 100, `c${i}`)).status, 200);
    for (let i = 0; i < 8; i++) assert.equal((await merchant.refund('no-rl', 100, `r${i}`)).status, 200);
    assert.deepEqual(await statuses(121, () => merchant.details('no-rl')), Array(121).fill(200));
  });
});

describe('InvalidRequest errors (400, errorCode = the field)', () => {
  test('an amount below 100 øre on initiate answers 400 InvalidRequest transaction.amount', async () => {
    const merchant = await newMerchant();
    assertVippsError(await merchant.initiate('ir-amount', 99), {
      status: 400,
      group: 'InvalidRequest',
      code: 'transaction.amount',
      message: /^transaction\.amount /,
    });
    assertVippsError(await merchant.initiate('ir-amount-2', 100.5), {
      status: 400,
      group: 'InvalidRequest',
      code: 'transaction.amount',
      message: /^transaction\.amount /,
    });
  });

  test('a capture of 1–99 øre answers 400 InvalidRequest transaction.amount', async () => {
    const merchant = await newMerchant();
    await merchant.reserved('ir-cap', 10000);
    assertVippsError(await merchant.capture('ir-cap', 99, 'small'), {
      status: 400,
      group: 'InvalidRequest',
      code: 'transaction.amount',
      message: 'transaction.amount must be 0 (everything) or at least 100 øre',
    });
    assertVippsError(await merchant.refund('ir-cap', -5, 'negative'), {
      status: 400,
      group: 'InvalidRequest',
      code: 'transaction.amount',
      message: /^transaction\.amount /,
    });
  });

  test('an orderId outside [a-zA-Z0-9-]{1,50} answers 400 InvalidRequest transaction.orderId', async () => {
    const merchant = await newMerchant();
    for (const orderId of ['has space', 'under_score', 'x'.repeat(51), '']) {
      assertVippsError(await merchant.initiate(orderId, 10000), {
        status: 400,
        group: 'InvalidRequest',
        code: 'transaction.orderId',
        message: /^transaction\.orderId /,
      });
    }
  });

  test('a callbackPrefix that is not an absolute http(s) URL answers 400 InvalidRequest merchantInfo.callbackPrefix', async () => {
    const merchant = await newMerchant();
    for (const callbackPrefix of ['not a url', 'ftp://example.com/cb', '/relative/path']) {
      assertVippsError(await merchant.initiate('ir-cb', 10000, { merchantInfo: { callbackPrefix } }), {
        status: 400,
        group: 'InvalidRequest',
        code: 'merchantInfo.callbackPrefix',
        message: 'merchantInfo.callbackPrefix must be an absolute http(s) URL',
      });
    }
  });

  test('a missing or invalid fallBack answers 400 InvalidRequest merchantInfo.fallBack', async () => {
    const merchant = await newMerchant();
    assertVippsError(await merchant.initiate('ir-fb', 10000, { merchantInfo: { fallBack: 'not a url' } }), {
      status: 400,
      group: 'InvalidRequest',
      code: 'merchantInfo.fallBack',
      message: 'merchantInfo.fallBack must be an absolute URL (https or a custom scheme)',
    });
    // `fallback` (lower-case b) is not `fallBack`: the real API answers 500, Kasse names the missing field.
    const body = merchant.initiateBody('ir-fb-case', 10000) as { merchantInfo: Record<string, unknown> };
    body.merchantInfo.fallback = body.merchantInfo.fallBack;
    delete body.merchantInfo.fallBack;
    assertVippsError(await merchant.call('POST', '/ecomm/v2/payments', { body }), {
      status: 400,
      group: 'InvalidRequest',
      code: 'merchantInfo.fallBack',
      message: 'merchantInfo.fallBack is required',
    });
  });

  test('a missing required field is named by its dotted path', async () => {
    const merchant = await newMerchant();
    const body = merchant.initiateBody('ir-missing', 10000) as { transaction: Record<string, unknown> };
    delete body.transaction.transactionText;
    assertVippsError(await merchant.call('POST', '/ecomm/v2/payments', { body }), {
      status: 400,
      group: 'InvalidRequest',
      code: 'transaction.transactionText',
      message: 'transaction.transactionText is required',
    });
    const capture = await merchant.call('POST', '/ecomm/v2/payments/ir-missing/capture', {
      body: { transaction: { transactionText: 'x' } },
      headers: { 'X-Request-Id': 'k' },
    });
    assertVippsError(capture, { status: 400, group: 'InvalidRequest', code: 'merchantInfo', message: 'merchantInfo is required' });
  });

  test('force approve with a token of another payment answers 400 InvalidRequest token', async () => {
    const merchant = await newMerchant();
    const first = await merchant.initiate('ir-token-1', 10000);
    assert.equal((await merchant.initiate('ir-token-2', 10000)).status, 200);
    assertVippsError(await merchant.approve('ir-token-2', first.body.url), {
      status: 400,
      group: 'InvalidRequest',
      code: 'token',
      message: 'The token does not belong to this orderId; use the token from the initiate url',
    });
  });

  test('an X-Request-Id longer than 40 characters answers 400 InvalidRequest x-request-id', async () => {
    const merchant = await newMerchant();
    await merchant.reserved('ir-key', 10000);
    assertVippsError(await merchant.capture('ir-key', 1000, 'k'.repeat(41)), {
      status: 400,
      group: 'InvalidRequest',
      code: 'x-request-id',
      message: /^x-request-id /,
    });
    assert.equal((await merchant.capture('ir-key', 1000, 'k'.repeat(40))).status, 200);
  });
});

describe('Authentication (401) and MSN (403)', () => {
  const unauthorized = (message: string) => ({ status: 401, group: 'Authentication', code: '401', message });
  const INVALID_TOKEN = 'Access token is missing, invalid or issued for other keys.';

  test('a call without an access token answers 401 Authentication', async () => {
    const merchant = await newMerchant();
    const result = await httpRequest(`${kasse.baseUrl}/ecomm/v2/payments/x/details`, {
      headers: { 'Ocp-Apim-Subscription-Key': merchant.credentials.subscriptionKey },
    });
    assertVippsError(result, unauthorized(INVALID_TOKEN));
  });

  test('a call with a malformed or forged token answers 401 Authentication', async () => {
    const merchant = await newMerchant();
    const token = await merchant.token();
    const [header, payload] = token.split('.');
    for (const authorization of ['Bearer not-a-jwt', `Bearer ${header}.${payload}.forged-signature`, token, `Basic ${token}`]) {
      const result = await httpRequest(`${kasse.baseUrl}/ecomm/v2/payments/x/details`, {
        headers: { Authorization: authorization, 'Ocp-Apim-Subscription-Key': merchant.credentials.subscriptionKey },
      });
      assertVippsError(result, unauthorized(INVALID_TOKEN));
    }
  });

  test('a call without a subscription key answers 401 Authentication', async () => {
    const merchant = await newMerchant();
    const result = await httpRequest(`${kasse.baseUrl}/ecomm/v2/payments/x/details`, {
      headers: { Authorization: `Bearer ${await merchant.token()}` },
    });
    assertVippsError(
      result,
      unauthorized('Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.'),
    );
  });

  // Merchant A's token with merchant B's valid key is a mix-up of key sets: the message says so instead of blaming the key.
  test('a valid subscription key of another sales unit answers 401 Authentication naming the mix-up; a made-up key is invalid', async () => {
    const merchant = await newMerchant();
    const other = await newMerchant();
    const call = async (subscriptionKey: string) =>
      httpRequest(`${kasse.baseUrl}/ecomm/v2/payments/x/details`, {
        headers: { Authorization: `Bearer ${await merchant.token()}`, 'Ocp-Apim-Subscription-Key': subscriptionKey },
      });
    assertVippsError(
      await call(other.credentials.subscriptionKey),
      unauthorized(
        'The subscription key is valid, but it belongs to another sales unit than the client_id (or access token) it was sent with. Send the Ocp-Apim-Subscription-Key issued together with that client_id.',
      ),
    );
    assertVippsError(
      await call('da7d5b0e18a84aeda961c0c31b75c2a9'),
      unauthorized('Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.'),
    );
  });

  test('a token past its 3600 s lifetime answers 401 Authentication', async () => {
    const merchant = await newMerchant();
    assert.equal((await merchant.initiate('auth-exp', 10000)).status, 200);
    await kasse.advance(3599_000);
    assert.equal((await merchant.details('auth-exp')).status, 200);
    await kasse.advance(1_000);
    assertVippsError(await merchant.details('auth-exp'), unauthorized('Access token has expired. Fetch a new one from /accesstoken/get.'));
    assert.equal((await withFreshToken(merchant).details('auth-exp')).status, 200);
  });

  test('a revoked API key answers 401 Authentication, for its existing tokens and for new ones', async () => {
    const merchant = await newMerchant();
    assert.equal((await merchant.initiate('auth-revoked', 10000)).status, 200);
    const deleted = await admin(kasse, 'DELETE', `/_kasse/admin/sales-units/${merchant.msn}/keys/${merchant.credentials.clientId}`);
    assert.equal(deleted.status, 204);
    assertVippsError(await merchant.details('auth-revoked'), unauthorized(INVALID_TOKEN));
    const token = await httpRequest(`${kasse.baseUrl}/accesstoken/get`, {
      method: 'POST',
      headers: {
        client_id: merchant.credentials.clientId,
        client_secret: merchant.credentials.clientSecret,
        'Ocp-Apim-Subscription-Key': merchant.credentials.subscriptionKey,
      },
    });
    assert.equal(token.status, 401);
  });

  test('a body merchantSerialNumber that is not the keys’ MSN answers 403', async () => {
    const merchant = await newMerchant();
    const other = await newMerchant();
    const invalidMsn = (msn: string) => ({
      status: 403,
      group: 'Authentication',
      code: '403',
      message: `Invalid MSN: ${msn}. Check your API keys on portal.vipps.no and see the eCom FAQ for tips.`,
    });
    assertVippsError(await merchant.initiate('msn-1', 10000, { merchantInfo: { merchantSerialNumber: other.msn } }), invalidMsn(other.msn));
    assertVippsError(await merchant.initiate('msn-2', 10000, { merchantInfo: { merchantSerialNumber: 123456 } }), invalidMsn('123456'));
    await merchant.reserved('msn-3', 10000);
    const capture = await merchant.call('POST', '/ecomm/v2/payments/msn-3/capture', {
      body: { merchantInfo: { merchantSerialNumber: other.msn }, transaction: { amount: 1000, transactionText: 'x' } },
      headers: { 'X-Request-Id': 'msn-cap' },
    });
    assertVippsError(capture, invalidMsn(other.msn));
  });

  test('a Merchant-Serial-Number header that is not the keys’ MSN answers 403', async () => {
    const merchant = await newMerchant();
    const other = await newMerchant();
    assert.equal((await merchant.initiate('msn-header', 10000)).status, 200);
    const result = await merchant.call('GET', '/ecomm/v2/payments/msn-header/details', { headers: { 'Merchant-Serial-Number': other.msn } });
    assertVippsError(result, {
      status: 403,
      group: 'Authentication',
      code: '403',
      message: `Invalid MSN: ${other.msn}. Check your API keys on portal.vipps.no and see the eCom FAQ for tips.`,
    });
    const own = await merchant.call('GET', '/ecomm/v2/payments/msn-header/details', { headers: { 'Merchant-Serial-Number': merchant.msn } });
    assert.equal(own.status, 200);
  });
});
