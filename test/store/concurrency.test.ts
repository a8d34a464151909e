// Goal: money operations racing on one payment keep P1, P2, P3, P5 and the ledger (L1, L3). Method: real HTTP, N requests fired at once with Promise.all, per dialect; then the row, the log and the ledger are checked.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { replayMatchesRow } from '../../src/core/payments/details.ts';
import { USER_ACTION_TIMEOUT_MS } from '../../src/domain/payment.ts';
import { testDialects } from '../support/databases.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, vippsError, type HttpResult } from '../support/merchant-client.ts';
import { assertVippsError, countBy, ledgerBalances, operationKinds, paymentRow, range } from './support.ts';

for (const dialect of testDialects()) {
  describe(dialect, () => {
    let k: TestKasse;
    before(async () => {
      k = await startTestKasse({ dialect });
    });
    after(() => k.close());

    /** Row, log and ledger of one payment agree (P1, P4, L3). */
    async function assertConsistent(msn: string, orderId: string) {
      const row = await paymentRow(k.kasse.store.db, msn, orderId);
      assert.ok(row.captured_ore + row.released_ore <= row.reserved_ore, 'C + released ≤ R');
      assert.ok(row.refunded_ore <= row.captured_ore, 'F ≤ C');
      assert.ok(await replayMatchesRow(k.kasse.store.db, msn, orderId), `replay of ${orderId} equals its row`);
      const balances = await ledgerBalances(k.kasse.store.db, row.id);
      assert.equal(balances.reservations ?? 0, row.reserved_ore - row.captured_ore - row.released_ore, 'reservations balance');
      assert.equal(balances.merchant_payable ?? 0, row.captured_ore - row.refunded_ore, 'merchant_payable balance');
      assert.equal(Object.values(balances).reduce((a, b) => a + b, 0), 0, 'the payment ledger sums to 0');
      return row;
    }

    test('50 parallel partial captures of 1000 on a 20000 reservation: exactly 20 succeed, 30 answer Payment 61, nothing over-captured', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      await m.reserved('par-cap', 20000);
      const results = await Promise.all(range(50).map((i) => m.capture('par-cap', 1000, `cap-${i}`)));
      const ok = results.filter((r) => r.status === 200);
      const failed = results.filter((r) => r.status !== 200);
      assert.equal(ok.length, 20, JSON.stringify(countBy(results, (r) => String(r.status))));
      for (const r of failed) assertVippsError(r, 400, 'Payment', '61');
      // Each success saw its own serialized state: the captured amounts it reports are 1000, 2000, …, 20000.
      const reported = ok.map((r) => r.body.transactionSummary.capturedAmount as number).sort((a, b) => a - b);
      assert.deepEqual(reported, range(20).map((i) => (i + 1) * 1000));
      const row = await assertConsistent(m.msn, 'par-cap');
      assert.equal(row.captured_ore, 20000);
      assert.equal(row.state, 'captured');
      const kinds = await operationKinds(k.kasse.store.db, row.id);
      assert.equal(kinds.filter((kind) => kind === 'capture').length, 20);
    });

    test('50 parallel captures with the same X-Request-Id and body make one effect and 50 identical 200 answers', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      await m.reserved('same-key', 20000);
      const results = await Promise.all(range(50).map(() => m.capture('same-key', 5000, 'one-key')));
      for (const r of results) assert.equal(r.status, 200, r.text);
      assert.equal(new Set(results.map((r) => r.text)).size, 1, 'every answer is the stored one');
      assert.equal(results[0]?.body.transactionSummary.capturedAmount, 5000);
      const details = await m.details('same-key');
      const captures = details.body.transactionLogHistory.filter((e: { operation: string }) => e.operation === 'CAPTURE');
      assert.equal(captures.length, 1);
      const row = await assertConsistent(m.msn, 'same-key');
      assert.equal(row.captured_ore, 5000);
    });

    test('40 parallel refunds of 500 on 10000 captured: exactly 20 succeed, 20 answer Payment 71, refunded never exceeds captured', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      await m.reserved('par-ref', 20000);
      assert.equal((await m.capture('par-ref', 10000, 'cap')).status, 200);
      const results = await Promise.all(range(40).map((i) => m.refund('par-ref', 500, `ref-${i}`)));
      const ok = results.filter((r) => r.status === 200);
      assert.equal(ok.length, 20, JSON.stringify(countBy(results, (r) => String(r.status))));
      for (const r of results.filter((x) => x.status !== 200)) assertVippsError(r, 400, 'Payment', '71');
      const row = await assertConsistent(m.msn, 'par-ref');
      assert.equal(row.refunded_ore, 10000);
      assert.equal(row.captured_ore, 10000);
    });

    test('capture racing cancel on a reservation: exactly one wins and the loser gets its precise error', async (t) => {
      const m = await MerchantClient.create(k.baseUrl);
      const rounds = 12;
      await Promise.all(range(rounds).map((i) => m.reserved(`race-cc-${i}`, 10000)));
      const winners: string[] = [];
      await Promise.all(
        range(rounds).map(async (i) => {
          const orderId = `race-cc-${i}`;
          // Half the rounds capture part of the reservation, half all of it.
          const amount = i % 2 === 0 ? 4000 : null;
          // Alternate which request leaves first, so that on SQLite (one connection, arrival order) both can win.
          const sendCapture = () => m.capture(orderId, amount, `c-${i}`);
          const sendCancel = () => m.cancel(orderId, false, `x-${i}`);
          const [capture, cancel] =
            i % 4 < 2 ? await Promise.all([sendCapture(), sendCancel()]) : await Promise.all([sendCancel(), sendCapture()]).then(([x, c]) => [c, x] as const);
          const row = await assertConsistent(m.msn, orderId);
          const kinds = await operationKinds(k.kasse.store.db, row.id);
          if (capture.status === 200) {
            // Capture first: cancel without shouldReleaseRemainingFunds after a capture is Payment 51.
            assertVippsError(cancel, 400, 'Payment', '51');
            assert.deepEqual(kinds, ['initiate', 'reserve', 'capture']);
            assert.equal(row.captured_ore, amount ?? 10000);
            assert.equal(row.state, amount === null ? 'captured' : 'reserved');
            winners.push('capture');
          } else {
            // Void first: capturing a voided payment is VippsError 91.
            assert.equal(cancel.status, 200, cancel.text);
            assertVippsError(capture, 400, 'VippsError', '91');
            assert.deepEqual(kinds, ['initiate', 'reserve', 'void']);
            assert.equal(row.state, 'voided');
            assert.equal(row.released_ore, 10000);
            winners.push('cancel');
          }
        }),
      );
      assert.equal(winners.length, rounds);
      t.diagnostic(`capture vs cancel winners: ${JSON.stringify(countBy(winners, (w) => w))}`);
    });

    test('approvals racing the 5-minute expiry across the boundary: each payment ends reserved or rejected, never both', async (t) => {
      const m = await MerchantClient.create(k.baseUrl);
      const n = 16;
      const urls = await Promise.all(
        range(n).map(async (i) => {
          const initiated = await m.initiate(`race-exp-${i}`, 3000);
          assert.equal(initiated.status, 200, initiated.text);
          return initiated.body.url as string;
        }),
      );
      k.clock.advance(USER_ACTION_TIMEOUT_MS - 1);
      // Cross the boundary while the approvals are being processed: at the (n/2)-th reading of the clock by a
      // transaction as it starts (core/transaction.ts reads it once per use case), the clock moves 1 ms past the
      // expiry and the expiry job starts, racing the approvals still in flight.
      const readClock = k.clock.nowMs.bind(k.clock);
      let pipelineReadings = 0;
      let expiry: Promise<void> | undefined;
      k.clock.nowMs = () => {
        if (expiry === undefined && new Error().stack?.includes('core/transaction.ts') && ++pipelineReadings === n / 2) {
          k.clock.advance(1);
          expiry = k.kasse.jobs.drain();
        }
        return readClock();
      };
      let answers: HttpResult[];
      try {
        answers = await Promise.all(range(n).map((i) => m.approve(`race-exp-${i}`, urls[i] ?? '')));
      } finally {
        k.clock.nowMs = readClock;
      }
      assert.ok(expiry, 'the clock crossed the boundary during the approvals');
      await expiry;
      await k.kasse.jobs.drain();
      const outcomes: string[] = [];
      for (const i of range(n)) {
        const orderId = `race-exp-${i}`;
        const answer = answers[i] as HttpResult;
        const row = await assertConsistent(m.msn, orderId);
        const kinds = await operationKinds(k.kasse.store.db, row.id);
        const callbacks = await k.kasse.store.db.selectFrom('outbox').select('body_json').where('msn', '=', m.msn).where('order_id', '=', orderId).execute();
        assert.equal(callbacks.length, 1, `${orderId}: exactly one callback`);
        if (answer.status === 200) {
          assert.equal(row.state, 'reserved');
          assert.deepEqual(kinds, ['initiate', 'reserve']);
          assert.match(callbacks[0]?.body_json ?? '', /"RESERVED"/);
        } else {
          // Too late (91) or already expired (92): either way the payment is REJECTED exactly once.
          const error = vippsError(answer.body);
          assert.ok(['91', '92'].includes(error.errorCode) && error.errorGroup === 'VippsError', answer.text);
          assert.equal(row.state, 'rejected');
          assert.deepEqual(kinds, ['initiate', 'timeout']);
          assert.match(callbacks[0]?.body_json ?? '', /"REJECTED"/);
        }
        outcomes.push(row.state);
      }
      t.diagnostic(`approval vs expiry: ${JSON.stringify(countBy(outcomes, (o) => o))}`);
    });

    test('approval and expiry at exactly the 5-minute boundary: expiry wins, one REJECTED, the approval is refused', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      const initiated = await m.initiate('at-boundary', 3000);
      assert.equal(initiated.status, 200, initiated.text);
      k.clock.advance(USER_ACTION_TIMEOUT_MS);
      const [approval] = await Promise.all([m.approve('at-boundary', initiated.body.url), k.kasse.jobs.drain()]);
      const error = vippsError(approval.body);
      assert.ok(['91', '92'].includes(error.errorCode), approval.text);
      const row = await assertConsistent(m.msn, 'at-boundary');
      assert.equal(row.state, 'rejected');
      assert.deepEqual(await operationKinds(k.kasse.store.db, row.id), ['initiate', 'timeout']);
    });

    test('concurrent initiates of one orderId: one 200, the others Merchant 34, one payment row', async () => {
      const m = await MerchantClient.create(k.baseUrl);
      await m.token();
      for (const round of range(5)) {
        const orderId = `dup-init-${round}`;
        const results = await Promise.all(range(2 + round).map(() => m.initiate(orderId, 1000)));
        assert.equal(results.filter((r) => r.status === 200).length, 1, JSON.stringify(results.map((r) => r.status)));
        for (const r of results.filter((x) => x.status !== 200)) assertVippsError(r, 400, 'Merchant', '34');
        const rows = await k.kasse.store.db.selectFrom('payment').select('id').where('msn', '=', m.msn).where('order_id', '=', orderId).execute();
        assert.equal(rows.length, 1);
        assert.deepEqual(await operationKinds(k.kasse.store.db, rows[0]?.id ?? -1), ['initiate']);
      }
    });
  });
}
