// Goal: transaction reports per sales unit (issue 10 §3, issue 11 §2): a subscription (daily or monthly, optionally by
// e-mail) makes Kasse write, at 06:00 Oslo the day after a period closes, a report of every payment operation of the
// period, listed and downloadable as CSV and XLSX with the merchant's keys (another sales unit's report is 404 like an
// unknown one), and e-mailed through SMTP_URL with every attempt recorded. POST /_kasse/sandbox/clock runs it all
// before it answers. Method: a real SMTP receiver (smtp-server) and a live Kasse on SQLite and PostgreSQL, the clock
// moved through the sandbox endpoint, the files parsed back (csv-parse, exceljs).
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { SMTPServer } from 'smtp-server';
import { testDialects } from '../support/databases.ts';
import { startTestKasse, type TestKasse } from '../support/harness.ts';
import { MerchantClient, httpRequest } from '../support/merchant-client.ts';
import { SettlementMerchant, assertReconciled, moveTo } from '../scenario/settlement-support.ts';

interface ReceivedMail {
  to: string[];
  data: string;
}

/** A real SMTP server on 127.0.0.1 that keeps what it receives (no TLS, no authentication). */
async function startSmtpReceiver(): Promise<{ url: string; received: ReceivedMail[]; close(): Promise<void> }> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let data = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (data += chunk));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function download(shop: SettlementMerchant, path: string): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const response = await fetch(`${shop.kasse.baseUrl}${path}`, { headers: await shop.client.authHeaders() });
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()), headers: response.headers };
}

for (const dialect of testDialects()) {
  describe(`transaction reports on ${dialect}`, () => {
    let kasse: TestKasse;
    let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
    before(async () => {
      smtp = await startSmtpReceiver();
      kasse = await startTestKasse({ dialect, startJobs: false, config: { smtpUrl: smtp.url } }); // Monday 2026-01-05 11:00 Oslo
    });
    after(async () => {
      await kasse.close();
      await smtp.close();
    });

    test('a daily report by e-mail and a monthly one listed: every operation of the period, in CSV and XLSX', async () => {
      const shop = await SettlementMerchant.create(kasse);
      const put = async (body: unknown) =>
        httpRequest(`${kasse.baseUrl}/_kasse/reports/subscriptions`, { method: 'PUT', headers: await shop.client.authHeaders(), body });
      const daily = await put({ frequency: 'daily', email: 'accounts@shop.example' });
      assert.equal(daily.status, 200, daily.text);
      assert.deepEqual([daily.body.frequency, daily.body.email, daily.body.startsOn], ['daily', 'accounts@shop.example', '2026-01-05']);
      assert.equal((await put({ frequency: 'monthly' })).status, 200);
      const subscriptions = await shop.get('/_kasse/reports/subscriptions');
      assert.deepEqual(subscriptions.body.items.map((s: any) => [s.frequency, s.email, s.startsOn]), [['daily', 'accounts@shop.example', '2026-01-05'], ['monthly', null, '2026-01-01']]);

      const sale = await shop.sell(10_000, 7_550);
      const refund = await shop.refund(sale.orderId, 2_000);

      await moveTo(kasse, '2026-01-06T05:59');
      assert.deepEqual((await shop.get('/_kasse/reports')).body.items, [], 'the day’s report comes at 06:00 the day after');
      await moveTo(kasse, '2026-01-06T06:00');
      const [report] = (await shop.get('/_kasse/reports')).body.items;
      assert.deepEqual(
        [report.frequency, report.periodFrom, report.periodTo, report.operations, report.generatedAt],
        ['daily', '2026-01-05', '2026-01-05', 4, '2026-01-06T06:00:00.000+01:00'],
      );
      assert.deepEqual(report.email, { to: 'accounts@shop.example', state: 'delivered', attempts: 1 }, 'sent before the clock endpoint answered');

      const csv = await download(shop, `/_kasse/reports/${report.reportId}.csv`);
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get('content-disposition') ?? '', new RegExp(`filename="${shop.msn}-daily-2026-01-05\\.csv"`));
      const rows = parseCsv(csv.body.toString('utf8')) as string[][];
      assert.deepEqual(rows[0], ['Time', 'SaleUnitNumber', 'OrderID', 'TransactionId', 'Operation', 'Amount', 'Currency', 'Status']);
      assert.deepEqual(
        rows.slice(1).map((r) => [r[1], r[2], r[4], r[5], r[6], r[7]]),
        [
          [shop.msn, sale.orderId, 'INITIATE', '100.00', 'NOK', 'INITIATE'],
          [shop.msn, sale.orderId, 'RESERVE', '100.00', 'NOK', 'RESERVE'],
          [shop.msn, sale.orderId, 'CAPTURE', '75.50', 'NOK', 'CAPTURE'],
          [shop.msn, sale.orderId, 'REFUND', '20.00', 'NOK', 'REFUND'],
        ],
      );
      assert.deepEqual([rows[3]![3], rows[4]![3]], [sale.transactionId, refund]);
      for (const row of rows.slice(1)) assert.match(row[0]!, /^2026-01-05T11:00:00\.\d{3}\+01:00$/);

      const xlsx = await download(shop, `/_kasse/reports/${report.reportId}.xlsx`);
      assert.equal(xlsx.status, 200);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(xlsx.body as unknown as ArrayBuffer);
      const sheet = workbook.worksheets[0]!;
      assert.equal(sheet.rowCount, 5);
      assert.deepEqual([sheet.getRow(4).getCell(5).value, sheet.getRow(4).getCell(6).value, sheet.getRow(4).getCell(6).numFmt], ['CAPTURE', 75.5, '0.00']);

      assert.equal(smtp.received.length, 1);
      const [mail] = smtp.received;
      assert.deepEqual(mail!.to, ['accounts@shop.example']);
      assert.match(mail!.data, new RegExp(`^Subject: Transaction report .*\\(${shop.msn}\\), 2026-01-05`, 'm'));
      for (const name of [`${shop.msn}-daily-2026-01-05.csv`, `${shop.msn}-daily-2026-01-05.xlsx`]) assert.ok(mail!.data.includes(`filename=${name}`) || mail!.data.includes(`filename="${name}"`), name);
      const attempts = await kasse.kasse.store.db.selectFrom('report_mail_attempt').selectAll().where('msn', '=', shop.msn).execute();
      assert.equal(attempts.length, 1);
      assert.match(attempts[0]!.smtp_response ?? '', /^250 /);

      // The sandbox page shows it without keys, with its e-mail's delivery, and serves the same file.
      const page = await httpRequest(`${kasse.baseUrl}/_kasse/sandbox/reports/${shop.msn}`);
      assert.equal(page.status, 200);
      assert.match(page.text, /accounts@shop\.example: delivered \(1 attempt\)/);
      const sandboxCsv = await fetch(`${kasse.baseUrl}/_kasse/sandbox/reports/${shop.msn}/${report.reportId}.csv`);
      assert.deepEqual(Buffer.from(await sandboxCsv.arrayBuffer()), csv.body);

      // Another sales unit's report is not there for this merchant: 404, exactly like one that does not exist.
      const other = await MerchantClient.create(kasse.baseUrl);
      for (const extension of ['csv', 'xlsx']) {
        const foreign = await httpRequest(`${kasse.baseUrl}/_kasse/reports/${report.reportId}.${extension}`, { headers: await other.authHeaders() });
        const unknown = await httpRequest(`${kasse.baseUrl}/_kasse/reports/999999999.${extension}`, { headers: await other.authHeaders() });
        assert.equal(foreign.status, 404);
        assert.deepEqual(withoutContext(foreign.body), withoutContext(unknown.body));
      }
      assert.deepEqual((await httpRequest(`${kasse.baseUrl}/_kasse/reports`, { headers: await other.authHeaders() })).body.items, []);

      // The month: its report on the 1st at 06:00, without e-mail (no address); one daily report per day meanwhile.
      await moveTo(kasse, '2026-02-01T06:00');
      const reports = (await shop.get('/_kasse/reports')).body.items;
      const monthly = reports.find((r: any) => r.frequency === 'monthly');
      assert.deepEqual([monthly.periodFrom, monthly.periodTo, monthly.operations, monthly.email], ['2026-01-01', '2026-01-31', 4, null]);
      assert.equal(reports.filter((r: any) => r.frequency === 'daily').length, 27, '5 to 31 January');
      assert.equal(smtp.received.length, 27);

      // Unsubscribed: no more daily reports; those written stay.
      const removed = await httpRequest(`${kasse.baseUrl}/_kasse/reports/subscriptions?frequency=daily`, { method: 'DELETE', headers: await shop.client.authHeaders() });
      assert.equal(removed.status, 204);
      await moveTo(kasse, '2026-02-03T06:00');
      assert.equal((await shop.get('/_kasse/reports')).body.items.filter((r: any) => r.frequency === 'daily').length, 27);
      await assertReconciled(kasse);
    });

    test('bad subscriptions are 400 naming the field; no keys 401', async () => {
      const shop = await SettlementMerchant.create(kasse);
      const headers = await shop.client.authHeaders();
      const weekly = await httpRequest(`${kasse.baseUrl}/_kasse/reports/subscriptions`, { method: 'PUT', headers, body: { frequency: 'weekly' } });
      assert.equal(weekly.status, 400);
      assert.match(weekly.text, /frequency/);
      const badEmail = await httpRequest(`${kasse.baseUrl}/_kasse/reports/subscriptions`, { method: 'PUT', headers, body: { frequency: 'daily', email: 'not an address' } });
      assert.equal(badEmail.status, 400);
      assert.match(badEmail.text, /email/);
      assert.equal((await httpRequest(`${kasse.baseUrl}/_kasse/reports`)).status, 401);
    });
  });
}

describe('transaction report e-mail when the SMTP server does not answer', () => {
  let kasse: TestKasse;
  before(async () => {
    // A port nothing listens on: the receiver is started and closed again.
    const gone = await startSmtpReceiver();
    await gone.close();
    kasse = await startTestKasse({ startJobs: false, config: { smtpUrl: gone.url } });
  });
  after(() => kasse.close());

  test('the report is listed all the same; the failed attempt is recorded and the mail retried later', async () => {
    const shop = await SettlementMerchant.create(kasse);
    const put = await httpRequest(`${kasse.baseUrl}/_kasse/reports/subscriptions`, { method: 'PUT', headers: await shop.client.authHeaders(), body: { frequency: 'daily', email: 'a@shop.example' } });
    assert.equal(put.status, 200, put.text);
    await moveTo(kasse, '2026-01-06T06:00');
    const [report] = (await shop.get('/_kasse/reports')).body.items;
    assert.deepEqual([report.periodFrom, report.operations, report.email], ['2026-01-05', 0, { to: 'a@shop.example', state: 'pending', attempts: 1 }]);
    const [attempt] = await kasse.kasse.store.db.selectFrom('report_mail_attempt').selectAll().execute();
    assert.equal(attempt!.smtp_response, null);
    assert.match(attempt!.error ?? '', /ECONNREFUSED|connect/i);
  });
});

/** The error body without what names the request (its context and the id it asked for). */
function withoutContext(body: Array<Record<string, unknown>>) {
  return body.map(({ contextId: _contextId, errorMessage: _message, ...rest }) => rest);
}
