// Goal: the back office's records are insert-only at the engine level (L2), like the ledger and the operation log:
// bookings, closed ledger dates, settlements, bank bookings, Report API entries, transaction reports and report
// e-mail attempts refuse UPDATE and DELETE, whoever sends them. Method: a sales unit with a settled, bank-booked day
// and a transaction report whose e-mail failed once (SMTP pointed at a closed port), on SQLite and PostgreSQL; then an
// UPDATE and a DELETE on every one of those tables, each refused with the row untouched; reconcile stays clean.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { reconcile } from '../../src/core/reconcile/reconcile.ts';
import { testDialects } from '../support/databases.ts';
import { startTestKasse } from '../support/harness.ts';
import { httpRequest } from '../support/merchant-client.ts';
import { SettlementMerchant, moveTo } from '../scenario/settlement-support.ts';

const INSERT_ONLY = ['settlement_booking', 'ledger_date_close', 'settlement', 'settlement_bank_booking', 'report_entry', 'transaction_report', 'report_mail_attempt'] as const;

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

for (const dialect of testDialects()) {
  describe(`back-office records on ${dialect}`, () => {
    test('refuse UPDATE and DELETE on every insert-only table', async () => {
      const kasse = await startTestKasse({ dialect, startJobs: false, config: { smtpUrl: `smtp://127.0.0.1:${await closedPort()}` } });
      try {
        const shop = await SettlementMerchant.create(kasse, { feeBasisPoints: 100 });
        const subscribed = await httpRequest(`${kasse.baseUrl}/_kasse/reports/subscriptions`, {
          method: 'PUT',
          headers: await shop.client.authHeaders(),
          body: { frequency: 'daily', email: 'books@shop.example' },
        });
        assert.equal(subscribed.status, 200, subscribed.text);
        const sold = await shop.sell(10_000);
        await shop.refund(sold.orderId, 1_000);
        await moveTo(kasse, '2026-01-09T10:00'); // Monday settled, paid Wednesday, bank-booked Friday 09:00
        const { db } = kasse.kasse.store;
        for (const table of INSERT_ONLY) {
          const count = async () => Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(db)).rows[0]!.n);
          const before = await count();
          assert.ok(before > 0, `${table} has rows to tamper with`);
          await assert.rejects(sql`UPDATE ${sql.table(table)} SET msn = msn`.execute(db), /insert-only/, `${table} refuses UPDATE`);
          await assert.rejects(sql`DELETE FROM ${sql.table(table)}`.execute(db), /insert-only/, `${table} refuses DELETE`);
          assert.equal(await count(), before, `${table} is untouched`);
        }
        assert.deepEqual((await reconcile(kasse.kasse.store)).violations, []);
      } finally {
        await kasse.close();
      }
    });
  });
}
