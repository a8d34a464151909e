import type { FastifyInstance } from 'fastify';
import type { ApiCallRecorder } from '../../../core/api-calls/recorder.ts';
import { checklistSummary, integrationChecklist } from '../../../core/checklist/integration-checklist.ts';
import type { AppContext } from '../../../core/context.ts';
import { given } from '../../../core/portal/form-input.ts';
import { ownUnit } from '../../../core/portal/scope.ts';
import type { ChecklistStatus } from '../../../domain/integration-checklist.ts';
import { evidenceLineOf } from './checklist-evidence.ts';
import { portalUserOf, sendPortalPage } from './portal-page.ts';
import { utcSecondText } from './time-text.ts';

const STATUS_BADGE: Record<ChecklistStatus, { text: string; tone: string }> = {
  met: { text: 'met', tone: 'ok' },
  not_met: { text: 'not met', tone: 'bad' },
  not_exercised: { text: 'not yet exercised', tone: 'wait' },
};
/** How often the open page fetches itself again (web/src/portal/live-region.ts), so it follows the integration. */
const REFRESH_SECONDS = 5;

/**
 * GET /portal/checklist?msn= (developers, admins): the integration checklist of one sales unit (the first unless
 * chosen), graded live from its recorded calls and data like `GET /_kasse/checklist`: each item met, not met or
 * not yet exercised, with what Kasse saw, the evidence linked to the API dashboard or the payment, the how-to and
 * Vipps' own checklist. The open page refreshes its list every few seconds.
 */
export function checklistPage(app: FastifyInstance, ctx: AppContext, recorder: ApiCallRecorder | null): void {
  app.get<{ Querystring: { msn?: string } }>('/portal/checklist', { schema: { hide: true } }, async (request, reply) => {
    const user = await portalUserOf(ctx, request, 'viewIntegration');
    const chosen = given(request.query.msn);
    const unit = chosen ? ownUnit(user.scope, chosen) : user.scope.units[0];
    await recorder?.flush();
    const items = unit === undefined ? [] : await integrationChecklist(ctx, unit);
    return sendPortalPage(reply, user, {
      template: 'checklist',
      current: 'checklist',
      title: 'Integration checklist',
      data: {
        unit: unit === undefined ? null : { msn: unit.msn, name: unit.name },
        units: user.scope.units.length > 1 ? user.scope.units.map((u) => ({ msn: u.msn, name: u.name })) : [],
        refreshSeconds: REFRESH_SECONDS,
        gradedAt: utcSecondText(ctx.clock.nowMs()),
        summary: { ...checklistSummary(items), total: items.length },
        items: items.map((item) => ({
          id: item.id,
          title: item.title,
          status: item.status,
          badge: STATUS_BADGE[item.status],
          detail: item.detail,
          howTo: item.howTo,
          link: item.link,
          evidence: unit === undefined ? [] : item.evidence.map((e) => evidenceLineOf(unit.msn, e)),
        })),
      },
    });
  });
}
