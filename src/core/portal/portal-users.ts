import { findWebAccountByEmail, listMerchantWebAccounts } from '../../store/repos/web-accounts.ts';
import type { Executor } from '../../store/db.ts';
import type { AppContext } from '../context.ts';
import { createWebAccount, normalizedEmail } from '../web-accounts/accounts.ts';
import { generatedPassword } from '../web-accounts/passwords.ts';
import { InvalidRequestError } from '../../domain/refusals.ts';
import type { PortalRole } from './roles.ts';

export interface PortalLogin {
  portalEmail: string;
  portalPassword: string;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,}$/;

/**
 * A portal user of a merchant with a password Kasse makes up (shown once to whoever created the user). `given`
 * re-creates a login handed out before (the demo merchant's, after a sandbox reset).
 */
export async function createPortalUser(
  db: Executor,
  nowMs: number,
  args: { merchantId: string; email: string; role: PortalRole; password?: string },
): Promise<PortalLogin & { role: PortalRole }> {
  const email = normalizedEmail(args.email);
  if (!EMAIL.test(email)) throw new InvalidRequestError('email', 'email must be an e-mail address');
  if (await findWebAccountByEmail(db, 'merchant', email)) throw new InvalidRequestError('email', `${email} already has a portal login`);
  const password = args.password ?? generatedPassword();
  await createWebAccount(db, nowMs, { kind: 'merchant', email, password, merchantId: args.merchantId, role: args.role });
  return { portalEmail: email, portalPassword: password, role: args.role };
}

/** A sandbox merchant's first portal user: an admin, named after its first sales unit. */
export function sandboxPortalEmail(msn: string): string {
  return `admin-${msn}@merchant.kasse.test`;
}

export async function portalUsers(ctx: AppContext, merchantId: string) {
  const rows = await listMerchantWebAccounts(ctx.store.db, merchantId);
  return rows.map((row) => ({ email: row.email, role: row.role, createdAtMs: row.created_at_ms, lockedUntilMs: row.locked_until_ms }));
}
