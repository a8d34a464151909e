import { insertMeta, readMeta } from '../../store/repos/meta.ts';
import { findWebAccountByEmail } from '../../store/repos/web-accounts.ts';
import type { AppContext } from '../context.ts';
import { kasseActor } from '../operators/audit.ts';
import { createOperator, type OperatorLogin } from '../operators/operator-accounts.ts';
import { inTransaction, withinTransaction } from '../transaction.ts';

const OPERATOR_KEY = 'sandbox_operator_login';
export const SANDBOX_OPERATOR_EMAIL = 'operator@kasse.test';
const SANDBOX_OPERATOR_ACTOR = kasseActor('sandbox operator');

/**
 * Sandbox mode's first start: an operator for the console, printed beside the demo merchant. Like the demo merchant's
 * keys, the login is kept (it is a sandbox), so later starts print the same one and a sandbox reset gives it back.
 * Account, audit entry and stored login are one transaction; of several nodes starting at once one creates it.
 */
export async function ensureSandboxOperator(ctx: AppContext): Promise<{ created: boolean; login: OperatorLogin }> {
  for (let attempt = 0; ; attempt++) {
    const stored = await readMeta(ctx.store.db, OPERATOR_KEY);
    if (stored !== undefined) {
      const login = JSON.parse(stored) as OperatorLogin;
      return { created: await restoreSandboxOperator(ctx, login), login };
    }
    try {
      const login = await inTransaction(ctx, async ({ trx }) => {
        const created = await createOperator(withinTransaction(ctx, trx), SANDBOX_OPERATOR_ACTOR, { email: SANDBOX_OPERATOR_EMAIL });
        await insertMeta(trx, OPERATOR_KEY, JSON.stringify(created));
        return created;
      });
      return { created: true, login };
    } catch (error) {
      // Another node created it first: its account and stored login commit together, so the login is there to read.
      // It may have committed before this transaction looked for the account ("already an operator") or after (a
      // unique violation); either way the next pass reads what it stored.
      if (attempt > 0 || (await readMeta(ctx.store.db, OPERATOR_KEY)) === undefined) throw error;
    }
  }
}

/** After a sandbox reset (which empties the accounts): the printed operator login works again. Returns whether it created it. */
export async function restoreSandboxOperator(ctx: AppContext, login?: OperatorLogin): Promise<boolean> {
  const stored = login ?? (await readMeta(ctx.store.db, OPERATOR_KEY).then((text) => (text === undefined ? undefined : (JSON.parse(text) as OperatorLogin))));
  if (stored === undefined || (await findWebAccountByEmail(ctx.store.db, 'operator', stored.email))) return false;
  try {
    await createOperator(ctx, SANDBOX_OPERATOR_ACTOR, stored);
    return true;
  } catch (error) {
    if (await findWebAccountByEmail(ctx.store.db, 'operator', stored.email)) return false;
    throw error;
  }
}
