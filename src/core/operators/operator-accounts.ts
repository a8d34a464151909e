import { InvalidRequestError } from '../../domain/refusals.ts';
import { findWebAccountByEmail, listWebAccountsOfKind } from '../../store/repos/web-accounts.ts';
import type { AppContext } from '../context.ts';
import { inTransaction } from '../transaction.ts';
import { createWebAccount, normalizedEmail } from '../web-accounts/accounts.ts';
import { generatedPassword, MIN_PASSWORD_LENGTH, PASSWORD_RULE_TEXT } from '../web-accounts/passwords.ts';
import { recordAudit, type Actor } from './audit.ts';

/** The console's log-in of a new operator; the password is shown once, to whoever created the account. */
export interface OperatorLogin {
  email: string;
  password: string;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,}$/;
/** Operators have one role: every console action is open to them, and the audit log says who did it. */
const OPERATOR_ROLE = 'operator';

/** An operator account for the console (`kasse operators add`): a password given, or one made up by Kasse. */
export async function createOperator(ctx: AppContext, by: Actor, args: { email: string; password?: string }): Promise<OperatorLogin> {
  const email = normalizedEmail(args.email);
  if (!EMAIL.test(email)) throw new InvalidRequestError('email', 'email must be an e-mail address');
  if (args.password !== undefined && args.password.length < MIN_PASSWORD_LENGTH) {
    throw new InvalidRequestError('password', `an operator's password has ${PASSWORD_RULE_TEXT}`);
  }
  const password = args.password ?? generatedPassword();
  return inTransaction(ctx, async (tx) => {
    if (await findWebAccountByEmail(tx.trx, 'operator', email)) throw new InvalidRequestError('email', `${email} is already an operator`);
    await createWebAccount(tx.trx, tx.nowMs, { kind: 'operator', email, password, merchantId: null, role: OPERATOR_ROLE });
    await recordAudit(tx, by, 'operator.create', email, null, { email, role: OPERATOR_ROLE });
    return { email, password };
  });
}

export async function listOperators(ctx: AppContext) {
  const rows = await listWebAccountsOfKind(ctx.store.db, 'operator');
  return rows.map((row) => ({ email: row.email, createdAtMs: row.created_at_ms, lockedUntilMs: row.locked_until_ms }));
}
