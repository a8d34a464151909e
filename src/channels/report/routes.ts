import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../core/context.ts';
import { isReportDateClosed, ownerOrgNumber, ownLedger, reportPage } from '../../core/settlements/reports.ts';
import { authenticate } from '../ecomm-v2/authentication.ts';
import { BadReportRequest, reportErrorHandler, sendProblem } from './errors.ts';
import { decodeCursor, encodeCursor, ledgerOf, recipientHandleOf, transactionOf } from './presenters.ts';
import type { ReportEntryRow, SalesUnitRow } from '../../store/schema.ts';
import { LedgerDatePattern, LedgersResponse, PagingQuery, ReportPageResponse, Topic } from './schemas.ts';

const TAGS = ['Report API'];
const security = [{ bearerAuth: [], subscriptionKey: [] }];
const DEFAULT_PAGE_SIZE = 1000;

function afterIdOf(cursor: string | undefined): number {
  const afterId = decodeCursor(cursor);
  if (afterId === null) throw new BadReportRequest('cursor is not one this API returned');
  return afterId;
}

function isRealDate(date: string): boolean {
  return !Number.isNaN(Date.parse(`${date}T00:00:00Z`)) && new Date(`${date}T00:00:00Z`).toISOString().startsWith(date);
}

/**
 * The Report API (spec/report/report-api-swagger.yaml): the keys' sales unit sees its own ledger only, whose id is
 * its MSN; any other ledger id answers 404 exactly as an unknown one does. A partner's keys see the ledger of the
 * sales unit their Merchant-Serial-Number header names (one of the partner's).
 */
export function reportRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  const presenterFor = (unit: SalesUnitRow) => {
    const handle = recipientHandleOf(unit);
    return (entry: ReportEntryRow) => transactionOf(entry, handle, ctx.config.reportPayoutEntryType);
  };
  return async (app) => {
    app.addHook('onRequest', authenticate(ctx));
    app.setErrorHandler(reportErrorHandler);

    app.get(
      '/settlement/v1/ledgers',
      {
        schema: {
          tags: TAGS,
          summary: 'The ledgers the keys may see: the sales unit’s own',
          security,
          querystring: Type.Object({ settlesForRecipientHandles: Type.Optional(Type.String({ maxLength: 100 })), cursor: Type.Optional(Type.String({ maxLength: 200 })) }),
          response: { 200: LedgersResponse },
        },
      },
      async (request) => {
        const unit = request.client.salesUnit;
        const wanted = request.query.settlesForRecipientHandles;
        const items = wanted === undefined || wanted === recipientHandleOf(unit) ? [ledgerOf(unit, await ownerOrgNumber(ctx, unit.msn))] : [];
        return { cursor: '', items };
      },
    );

    const ReportParams = Type.Object({ ledgerId: Type.String({ maxLength: 64 }), topic: Topic });

    app.get(
      '/report/v2/ledgers/:ledgerId/:topic/dates/:ledgerDate',
      {
        schema: {
          tags: TAGS,
          summary: 'The complete report of one ledger date (tryLater while the date is open)',
          security,
          params: Type.Object({ ...ReportParams.properties, ledgerDate: Type.String({ pattern: LedgerDatePattern }) }),
          querystring: PagingQuery,
          response: { 200: ReportPageResponse },
        },
      },
      async (request, reply) => {
        const { msn } = request.client.salesUnit;
        const { ledgerId, topic, ledgerDate } = request.params;
        if (!ownLedger(msn, ledgerId)) return sendProblem(reply, request, 404, 'Not Found', 'No such ledgerId');
        if (!isRealDate(ledgerDate)) throw new BadReportRequest(`ledgerDate ${ledgerDate} is not a date`);
        const afterId = afterIdOf(request.query.cursor);
        if (!(await isReportDateClosed(ctx, msn, ledgerDate))) return { tryLater: true, hasMore: false, items: [] };
        const page = await reportPage(ctx, { msn, topic, afterId, pageSize: Number(request.query.pageSize ?? DEFAULT_PAGE_SIZE), ledgerDate });
        const last = page.entries.at(-1);
        return {
          ...(page.hasMore && last ? { cursor: encodeCursor(Number(last.id)) } : {}),
          hasMore: page.hasMore,
          tryLater: false,
          items: page.entries.map(presenterFor(request.client.salesUnit)),
        };
      },
    );

    app.get(
      '/report/v2/ledgers/:ledgerId/:topic/feed',
      {
        schema: {
          tags: TAGS,
          summary: 'Every entry of the ledger in order, endlessly (tryLater at the end)',
          security,
          params: ReportParams,
          querystring: PagingQuery,
          response: { 200: ReportPageResponse },
        },
      },
      async (request, reply) => {
        const { msn } = request.client.salesUnit;
        const { ledgerId, topic } = request.params;
        if (!ownLedger(msn, ledgerId)) return sendProblem(reply, request, 404, 'Not Found', 'No such ledgerId');
        const afterId = afterIdOf(request.query.cursor);
        const page = await reportPage(ctx, { msn, topic, afterId, pageSize: Number(request.query.pageSize ?? DEFAULT_PAGE_SIZE) });
        const last = page.entries.at(-1);
        return { cursor: encodeCursor(last ? Number(last.id) : afterId), tryLater: !page.hasMore, items: page.entries.map(presenterFor(request.client.salesUnit)) };
      },
    );

    app.get(
      '/report/v1/ledgertransactions',
      {
        schema: {
          tags: TAGS,
          summary: 'Deprecated v1 listing: the funds entries of the ledger, optionally of some ledger dates',
          deprecated: true,
          security,
          querystring: Type.Object({
            ledgerId: Type.String({ maxLength: 64 }),
            ledgerDate: Type.Optional(Type.String({ pattern: LedgerDatePattern })),
            fromLedgerDate: Type.Optional(Type.String({ pattern: LedgerDatePattern })),
            toLedgerDate: Type.Optional(Type.String({ pattern: LedgerDatePattern })),
            inPayout: Type.Optional(Type.String({ maxLength: 100 })),
            sincePayout: Type.Optional(Type.String({ maxLength: 100 })),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
          }),
          response: { 200: Type.Object({ cursor: Type.String(), items: ReportPageResponse.properties.items }) },
        },
      },
      async (request, reply) => {
        const { msn } = request.client.salesUnit;
        const { ledgerId, ledgerDate, fromLedgerDate, toLedgerDate } = request.query;
        if (!ownLedger(msn, ledgerId)) return sendProblem(reply, request, 404, 'Not Found', 'No such ledgerId');
        const from = ledgerDate ?? fromLedgerDate ?? '0000-00-00';
        const to = ledgerDate ?? toLedgerDate ?? '9999-99-99';
        let afterId = afterIdOf(request.query.cursor);
        const items: ReturnType<typeof transactionOf>[] = [];
        const present = presenterFor(request.client.salesUnit);
        // v1 pages hold at most 1000 rows; filtering by date happens over the ordered funds entries.
        for (;;) {
          const page = await reportPage(ctx, { msn, topic: 'funds', afterId, pageSize: DEFAULT_PAGE_SIZE });
          for (const entry of page.entries) {
            afterId = Number(entry.id);
            if (entry.ledger_date >= from && entry.ledger_date <= to) items.push(present(entry));
            if (items.length === DEFAULT_PAGE_SIZE) return { cursor: encodeCursor(afterId), items };
          }
          if (!page.hasMore) return { cursor: '', items };
        }
      },
    );
  };
}
