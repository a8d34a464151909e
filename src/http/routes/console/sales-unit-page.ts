import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../../../core/context.ts';
import { createApiKey, listKeys, revokeKey } from '../../../core/merchants/api-keys.ts';
import {
  salesUnit,
  setCaptureType,
  setSalesUnitOptions,
  setSalesUnitStatus,
  setSettlementTerms,
} from '../../../core/merchants/sales-units.ts';
import { readAuditLog } from '../../../core/operators/audit.ts';
import type { SalesUnitStatus } from '../../../store/schema.ts';
import { auditRows } from './audit-log-page.ts';
import { issuedAmong, issuedKeyFlash, type IssuedKey } from '../../web/shown-once-flash.ts';
import { CONSOLE, operatorOf, savedAndBack, savedNotice, sendConsolePage, statusBadge, utcText, type ConsoleOperator } from './console-page.ts';
import { FormFields } from './form-fields.ts';

type Params = { msn: string };

/** What each saved form says after the redirect back to the page (`?done=`). */
const DONE: Record<string, string> = {
  'capture-type': 'Capture type saved.',
  settlement: 'Fees and settlement saved: they apply to captures from now on.',
  options: 'Options saved.',
  deactivate: 'Deactivated: the ecomm API answers Merchant 37 until it is reactivated.',
  block: 'Blocked: the ecomm API answers Merchant 31 until it is reactivated.',
  reactivate: 'Reactivated: the ecomm API serves it again.',
  'key-revoked': 'Key revoked: calls with it are refused from now on.',
};

const STATUS_OF: Record<string, SalesUnitStatus> = { deactivate: 'deactivated', block: 'blocked', reactivate: 'active' };

/**
 * GET /console/sales-units/{msn}: a sales unit with every operator setting as a form — capture type (only the
 * operator sets it: "You can't turn direct capture on or off as a merchant"), fees and settlement, options,
 * deactivate/block/reactivate, API keys — and its audit history. Each form posts to its own route, which changes
 * the unit through the same use case as the operator API and CLI (audited as this operator) and redirects back.
 */
export function salesUnitPage(app: FastifyInstance, ctx: AppContext): void {
  const pageOf = (msn: string) => `/console/sales-units/${encodeURIComponent(msn)}`;
  const issuedKeys = issuedKeyFlash(ctx, CONSOLE);

  async function sendUnitPage(reply: FastifyReply, operator: ConsoleOperator, msn: string, extra: { done?: string | undefined; issued: IssuedKey | null }) {
    const unit = await salesUnit(ctx, msn);
    const [keys, audit] = await Promise.all([listKeys(ctx, msn), readAuditLog(ctx, { subject: msn, limit: 10 })]);
    const action = (path: string) => `${pageOf(msn)}/${path}`;
    const issuedHere = issuedAmong(extra.issued, keys.map((key) => key.client_id));
    return sendConsolePage(reply, operator, {
      template: 'sales-unit',
      current: 'merchants',
      title: `${unit.name} (${unit.msn})`,
      data: {
        msn: unit.msn,
        name: unit.name,
        merchantHref: `/console/merchants/${encodeURIComponent(unit.merchant_id)}`,
        status: statusBadge(unit.status),
        statusActions: (['deactivate', 'block', 'reactivate'] as const)
          .filter((verb) => STATUS_OF[verb] !== unit.status)
          .map((verb) => ({ verb, label: verb[0]!.toUpperCase() + verb.slice(1) })),
        facts: [
          ['Test unit', unit.test_unit === 1 ? 'yes: deactivated after KASSE_IDLE_TEST_DAYS without payments (production mode)' : 'no'],
          ['Created', utcText(unit.created_at_ms)],
          ['Active since', unit.active_since_ms === null ? '—' : utcText(unit.active_since_ms)],
          ['Last changed', utcText(unit.updated_at_ms)],
        ],
        done: savedNotice(DONE, extra.done),
        issued: issuedHere && { ...issuedHere, heading: `New key for sales unit ${unit.msn}.` },
        captureType: unit.capture_type,
        settlement: {
          feeBasisPoints: unit.fee_basis_points,
          feeFixedOre: unit.fee_fixed_ore,
          settlementType: unit.settlement_type,
          payoutFrequency: unit.payout_frequency,
        },
        options: [
          { name: 'express', label: 'Express checkout allowed', checked: unit.express_allowed === 1 },
          { name: 'skipLandingPage', label: 'May skip the landing page', checked: unit.skip_landing_page_allowed === 1 },
          { name: 'ninScope', label: 'May ask for the national identity number', checked: unit.nin_scope_allowed === 1 },
          { name: 'rateLimits', label: "The real API's rate limits", checked: unit.rate_limits_enabled === 1 },
          { name: 'testUnit', label: 'Test unit (idle rule)', checked: unit.test_unit === 1 },
        ],
        callbackMaxAttempts: unit.callback_max_attempts,
        keys: keys.map((key) => ({
          clientId: key.client_id,
          created: utcText(key.created_at_ms),
          revoked: key.revoked_at_ms === null ? null : utcText(key.revoked_at_ms),
          revokeAction: action(`keys/${encodeURIComponent(key.client_id)}/revoke`),
        })),
        actions: {
          captureType: action('capture-type'),
          settlement: action('settlement'),
          options: action('options'),
          status: action('status'),
          createKey: action('keys'),
        },
        audit: auditRows(audit),
        auditHref: `/console/audit-log?subject=${encodeURIComponent(unit.msn)}`,
      },
    });
  }

  app.get<{ Params: Params; Querystring: { done?: string } }>('/console/sales-units/:msn', { schema: { hide: true } }, async (request, reply) =>
    sendUnitPage(reply, operatorOf(request), request.params.msn, { done: request.query.done, issued: issuedKeys.take(request, reply) }),
  );

  app.post<{ Params: Params }>('/console/sales-units/:msn/capture-type', { schema: { hide: true } }, async (request, reply) => {
    const { msn } = request.params;
    await setCaptureType(ctx, operatorOf(request).actor, msn, new FormFields(request).oneOf('captureType', ['reserve', 'direct'] as const));
    return savedAndBack(reply, pageOf(msn), 'capture-type');
  });

  app.post<{ Params: Params }>('/console/sales-units/:msn/settlement', { schema: { hide: true } }, async (request, reply) => {
    const { msn } = request.params;
    const form = new FormFields(request);
    await setSettlementTerms(ctx, operatorOf(request).actor, msn, {
      feeBasisPoints: form.integer('feeBasisPoints'),
      feeFixedOre: form.integer('feeFixedOre'),
      settlementType: form.oneOf('settlementType', ['net', 'gross'] as const),
      payoutFrequency: form.oneOf('payoutFrequency', ['daily', 'weekly', 'monthly'] as const),
    });
    return savedAndBack(reply, pageOf(msn), 'settlement');
  });

  app.post<{ Params: Params }>('/console/sales-units/:msn/options', { schema: { hide: true } }, async (request, reply) => {
    const { msn } = request.params;
    const form = new FormFields(request);
    await setSalesUnitOptions(ctx, operatorOf(request).actor, msn, {
      express: form.checked('express'),
      skipLandingPage: form.checked('skipLandingPage'),
      ninScope: form.checked('ninScope'),
      rateLimits: form.checked('rateLimits'),
      testUnit: form.checked('testUnit'),
      callbackMaxAttempts: form.integer('callbackMaxAttempts'),
    });
    return savedAndBack(reply, pageOf(msn), 'options');
  });

  app.post<{ Params: Params }>('/console/sales-units/:msn/status', { schema: { hide: true } }, async (request, reply) => {
    const { msn } = request.params;
    const verb = new FormFields(request).oneOf('action', ['deactivate', 'block', 'reactivate'] as const);
    await setSalesUnitStatus(ctx, operatorOf(request).actor, msn, STATUS_OF[verb]!);
    return savedAndBack(reply, pageOf(msn), verb);
  });

  app.post<{ Params: Params }>('/console/sales-units/:msn/keys', { schema: { hide: true } }, async (request, reply) => {
    const { msn } = request.params;
    const issued = await createApiKey(ctx, operatorOf(request).actor, msn);
    return issuedKeys.redirectShowingOnce(request, reply, pageOf(msn), issued);
  });

  app.post<{ Params: Params & { clientId: string } }>('/console/sales-units/:msn/keys/:clientId/revoke', { schema: { hide: true } }, async (request, reply) => {
    const { msn, clientId } = request.params;
    await revokeKey(ctx, operatorOf(request).actor, msn, clientId);
    return savedAndBack(reply, pageOf(msn), 'key-revoked');
  });
}
