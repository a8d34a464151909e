/**
 * The operator CLI (`npx kasse …`): the same use cases as the operator API, straight against DATABASE_URL.
 * Prints JSON so that scripts can read it.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { createApiKey, listKeys, revokeKey } from './core/merchants/api-keys.ts';
import {
  createMerchant,
  createSalesUnit,
  listMerchantsWithUnits,
  setCaptureType,
  setSettlementTerms,
  type SalesUnitOptions,
  type SettlementTerms,
  setSalesUnitOptions,
  setSalesUnitStatus,
} from './core/merchants/sales-units.ts';
import {
  attachSalesUnit,
  createPartner,
  createPartnerKey,
  detachSalesUnit,
  listPartnerKeySets,
  listPartnersWithUnits,
  revokePartnerKey,
} from './core/merchants/partners.ts';
import { cliActor, readAuditLog, type Actor } from './core/operators/audit.ts';
import { createOperator, listOperators } from './core/operators/operator-accounts.ts';
import { PASSWORD_RULE_TEXT } from './core/web-accounts/passwords.ts';
import { reconcile } from './core/reconcile/reconcile.ts';
import { createPortalUser, portalUsers } from './core/portal/portal-users.ts';
import { isPortalRole, PORTAL_ROLES } from './core/portal/roles.ts';
import { inTransaction } from './core/transaction.ts';
import { changePin, createUser, userWithCards } from './core/users/sandbox-users.ts';
import type { CardSpec, TestUserSpec } from './core/users/test-users.ts';
import { createSandboxMerchant } from './core/sandbox/sandbox-merchants.ts';
import type { AppContext } from './core/context.ts';
import { systemClock } from './clock.ts';
import { loadConfig } from './config.ts';
import { CHANNEL_LISTENERS, openAppContext } from './app-context.ts';

const USAGE = `Usage: kasse <command> [options]     (DATABASE_URL selects the database; default sqlite:./data/kasse.sqlite)

  migrate                                        apply database migrations
  merchants list                                 merchants with their sales units
  merchants create --name NAME [--org 123456789]
  sales-units create --merchant ID --name NAME [--msn 123456] [--capture-type reserve|direct]
                     [--no-express] [--skip-landing-page] [--nin-scope] [--no-rate-limits] [--callback-attempts N] [--test-unit]
                     [--kind ecommerce|vippsnummer] [--vipps-number 123456]
  sales-units capture-type MSN reserve|direct
  sales-units settlement MSN [--fee-basis-points N] [--fee-fixed-ore N] [--settlement-type net|gross] [--payout-frequency daily|weekly|monthly]
  sales-units deactivate|block|reactivate MSN
  sales-units set MSN [--express|--no-express] [--skip-landing-page|--no-skip-landing-page]
                      [--nin-scope|--no-nin-scope] [--rate-limits|--no-rate-limits] [--callback-attempts N]
                      [--kind ecommerce|vippsnummer] [--vipps-number 123456] [--test-unit|--no-test-unit]
  keys create MSN                                issue keys (the secrets are printed once)
  keys list MSN
  keys revoke MSN CLIENT_ID
  partners list                                  partners with the MSNs attached to them
  partners create --name NAME
  partners attach|detach PARTNER_ID MSN          the partner's keys act for the attached sales units
  partner-keys create PARTNER_ID                 issue partner keys (the secrets are printed once)
  partner-keys list PARTNER_ID
  partner-keys revoke PARTNER_ID CLIENT_ID
  portal-users add MERCHANT_ID EMAIL admin|developer|accountant   a merchant portal login (the password is printed once)
  portal-users list MERCHANT_ID
  operators add EMAIL [--password-stdin]         an operator for the console; prints a made-up password once,
                                                 or takes one (${PASSWORD_RULE_TEXT}) from standard input
  operators list
  audit-log [--subject MSN|ID|EMAIL] [--limit N]  operator actions, newest first
  users create --msisdn 8DIGITS --pin PIN [--first-name NAME] [--last-name NAME] [--email ADDRESS]
               [--bank BANK_ID] [--available-ore N]     an app user with one card (production: the only way)
  users show MSISDN
  users set-pin MSISDN --pin PIN                 new PIN; clears the lockout and ends the user's sessions
  reconcile                                      check every invariant; exit 1 and name each violation
  sandbox-merchant [--direct] [--no-express] [--name NAME]   merchant + sales unit + keys in one step
`;

class UsageError extends Error {}

type Flags = Record<string, string | boolean | undefined>;

function flag(flags: Flags, name: string): boolean | undefined {
  if (flags[name] === true) return true;
  if (flags[`no-${name}`] === true) return false;
  return undefined;
}

function required(flags: Flags, name: string): string {
  const value = flags[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function integerFlag(flags: Flags, name: string): number | undefined {
  const value = flags[name];
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer`);
  return n;
}

function captureTypeOf(value: string | undefined): 'reserve' | 'direct' {
  if (value === 'reserve' || value === 'direct') return value;
  throw new UsageError('capture type must be reserve or direct');
}

function settlementTermsOf(flags: Flags): SettlementTerms {
  const terms: SettlementTerms = {};
  const feeBasisPoints = integerFlag(flags, 'fee-basis-points');
  const feeFixedOre = integerFlag(flags, 'fee-fixed-ore');
  const settlementType = flags['settlement-type'];
  const payoutFrequency = flags['payout-frequency'];
  if (feeBasisPoints !== undefined) terms.feeBasisPoints = feeBasisPoints;
  if (feeFixedOre !== undefined) terms.feeFixedOre = feeFixedOre;
  if (settlementType !== undefined) {
    if (settlementType !== 'net' && settlementType !== 'gross') throw new UsageError('--settlement-type is net or gross');
    terms.settlementType = settlementType;
  }
  if (payoutFrequency !== undefined) {
    if (payoutFrequency !== 'daily' && payoutFrequency !== 'weekly' && payoutFrequency !== 'monthly') throw new UsageError('--payout-frequency is daily, weekly or monthly');
    terms.payoutFrequency = payoutFrequency;
  }
  return terms;
}

function unitOptions(flags: Flags) {
  const options: SalesUnitOptions = {};
  const express = flag(flags, 'express');
  const skipLandingPage = flag(flags, 'skip-landing-page');
  const ninScope = flag(flags, 'nin-scope');
  const rateLimits = flag(flags, 'rate-limits');
  const callbackMaxAttempts = integerFlag(flags, 'callback-attempts');
  const testUnit = flag(flags, 'test-unit');
  if (express !== undefined) options.express = express;
  if (skipLandingPage !== undefined) options.skipLandingPage = skipLandingPage;
  if (ninScope !== undefined) options.ninScope = ninScope;
  if (rateLimits !== undefined) options.rateLimits = rateLimits;
  if (callbackMaxAttempts !== undefined) options.callbackMaxAttempts = callbackMaxAttempts;
  const kind = flags.kind;
  if (kind !== undefined) {
    if (kind !== 'ecommerce' && kind !== 'vippsnummer') throw new UsageError('--kind is ecommerce or vippsnummer');
    options.kind = kind;
  }
  if (typeof flags['vipps-number'] === 'string') options.vippsNumber = flags['vipps-number'];
  if (testUnit !== undefined) options.testUnit = testUnit;
  return options;
}

/** A password piped in (`… | kasse operators add EMAIL --password-stdin`): never on the command line, where ps shows it. */
async function passwordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** The OS user running the CLI, for the audit log (a container may have no passwd entry for its uid). */
function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}

/** Every change is audited as the CLI's, with the OS user who ran it. */
async function run(ctx: AppContext, by: Actor, words: string[], flags: Flags): Promise<unknown> {
  const [group, action, ...rest] = words;
  switch (`${group} ${action ?? ''}`.trim()) {
    case 'migrate':
      return { migrated: true, storage: ctx.store.kind };
    case 'merchants list':
      return listMerchantsWithUnits(ctx);
    case 'merchants create':
      return createMerchant(ctx, by, { name: required(flags, 'name'), orgNumber: (flags.org as string | undefined) ?? null });
    case 'sales-units create': {
      const msn = flags.msn as string | undefined;
      const captureType = flags['capture-type'] === undefined ? undefined : captureTypeOf(flags['capture-type'] as string);
      return createSalesUnit(ctx, by, required(flags, 'merchant'), {
        name: required(flags, 'name'),
        ...(msn !== undefined ? { msn } : {}),
        ...(captureType !== undefined ? { captureType } : {}),
        ...unitOptions(flags),
      });
    }
    case 'sales-units capture-type':
      return setCaptureType(ctx, by, rest[0] ?? '', captureTypeOf(rest[1]));
    case 'sales-units deactivate':
      return setSalesUnitStatus(ctx, by, rest[0] ?? '', 'deactivated');
    case 'sales-units block':
      return setSalesUnitStatus(ctx, by, rest[0] ?? '', 'blocked');
    case 'sales-units reactivate':
      return setSalesUnitStatus(ctx, by, rest[0] ?? '', 'active');
    case 'sales-units settlement':
      return setSettlementTerms(ctx, by, rest[0] ?? '', settlementTermsOf(flags));
    case 'sales-units set':
      return setSalesUnitOptions(ctx, by, rest[0] ?? '', unitOptions(flags));
    case 'keys create':
      return createApiKey(ctx, by, rest[0] ?? '');
    case 'keys list':
      return listKeys(ctx, rest[0] ?? '');
    case 'keys revoke':
      await revokeKey(ctx, by, rest[0] ?? '', rest[1] ?? '');
      return { revoked: rest[1] };
    case 'partners list':
      return listPartnersWithUnits(ctx);
    case 'partners create':
      return createPartner(ctx, by, { name: required(flags, 'name') });
    case 'partners attach':
      return attachSalesUnit(ctx, by, rest[0] ?? '', rest[1] ?? '');
    case 'partners detach':
      await detachSalesUnit(ctx, by, rest[0] ?? '', rest[1] ?? '');
      return { detached: rest[1] };
    case 'partner-keys create':
      return createPartnerKey(ctx, by, rest[0] ?? '');
    case 'partner-keys list':
      return listPartnerKeySets(ctx, rest[0] ?? '');
    case 'partner-keys revoke':
      await revokePartnerKey(ctx, by, rest[0] ?? '', rest[1] ?? '');
      return { revoked: rest[1] };
    case 'portal-users add': {
      const [merchantId = '', email = '', role = ''] = rest;
      if (!isPortalRole(role)) throw new UsageError(`role must be one of ${PORTAL_ROLES.join(', ')}`);
      if (!(await listMerchantsWithUnits(ctx)).some((m) => m.id === merchantId)) throw new UsageError(`no merchant ${merchantId}`);
      return inTransaction(ctx, ({ trx, nowMs }) => createPortalUser(trx, nowMs, { merchantId, email, role }));
    }
    case 'portal-users list':
      return portalUsers(ctx, rest[0] ?? '');
    case 'operators add': {
      const password = flags['password-stdin'] === true ? await passwordFromStdin() : undefined;
      return createOperator(ctx, by, { email: rest[0] ?? '', ...(password !== undefined ? { password } : {}) });
    }
    case 'operators list':
      return listOperators(ctx);
    case 'audit-log': {
      const subject = flags.subject as string | undefined;
      return readAuditLog(ctx, { subject, limit: integerFlag(flags, 'limit') });
    }
    case 'users create': {
      const card: CardSpec = {};
      const bankId = flags.bank as string | undefined;
      const availableOre = integerFlag(flags, 'available-ore');
      if (bankId !== undefined) card.bankId = bankId;
      if (availableOre !== undefined) card.availableOre = availableOre;
      const user: TestUserSpec = { msisdn: required(flags, 'msisdn'), cards: [card] };
      for (const [flagName, field] of [['first-name', 'firstName'], ['last-name', 'lastName'], ['email', 'email']] as const) {
        const value = flags[flagName];
        if (typeof value === 'string') user[field] = value;
      }
      return createUser(ctx, user, required(flags, 'pin'));
    }
    case 'users show':
      return (await userWithCards(ctx, rest[0] ?? '')) ?? Promise.reject(new Error(`no user with ${rest[0] ?? '(no number given)'}`));
    case 'users set-pin':
      return changePin(ctx, rest[0] ?? '', required(flags, 'pin'));
    case 'reconcile':
      return reconcile(ctx.store);
    case 'sandbox-merchant': {
      const express = flag(flags, 'express');
      const name = flags.name as string | undefined;
      return createSandboxMerchant(ctx, by, {
        captureType: flags.direct === true ? 'direct' : 'reserve',
        ...(express !== undefined ? { express } : {}),
        ...(name !== undefined ? { name } : {}),
      });
    }
    default:
      throw new UsageError(words.length === 0 ? 'no command given' : `unknown command: ${words.join(' ')}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    // Options with values must be declared; the boolean --x / --no-x switches are read as given.
    options: {
      help: { type: 'boolean', short: 'h' },
      name: { type: 'string' },
      org: { type: 'string' },
      merchant: { type: 'string' },
      msn: { type: 'string' },
      'capture-type': { type: 'string' },
      'callback-attempts': { type: 'string' },
      'fee-basis-points': { type: 'string' },
      'fee-fixed-ore': { type: 'string' },
      'settlement-type': { type: 'string' },
      'payout-frequency': { type: 'string' },
      kind: { type: 'string' },
      'vipps-number': { type: 'string' },
      subject: { type: 'string' },
      limit: { type: 'string' },
      msisdn: { type: 'string' },
      pin: { type: 'string' },
      'first-name': { type: 'string' },
      'last-name': { type: 'string' },
      email: { type: 'string' },
      bank: { type: 'string' },
      'available-ore': { type: 'string' },
    },
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  const config = loadConfig();
  const ctx = await openAppContext({ databaseUrl: config.databaseUrl, clock: systemClock, onOutboundEnqueued: () => {}, operationListeners: CHANNEL_LISTENERS });
  try {
    const result = await run(ctx, cliActor(osUser()), positionals, values as Flags);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    // A reconciliation that found violations is a failed check for scripts and cron jobs.
    return (result as { ok?: unknown } | null)?.ok === false ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`kasse: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`kasse: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await ctx.store.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
