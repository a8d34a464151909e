import type { Migration } from 'kysely';
import type { DialectKind } from '../dialect.ts';
import { initialSchema } from './0001_init.ts';
import { usersCardsBanks } from './0002_users_cards_banks.ts';
import { expressUserinfoFaults } from './0003_express_userinfo_faults.ts';
import { cardHoldSettlementIndex } from './0004_card_hold_settlement_index.ts';
import { ledgerJournal } from './0005_ledger_journal.ts';
import { settlements } from './0006_settlements.ts';
import { domainIdempotencyOutcomes } from './0007_domain_idempotency_outcomes.ts';
import { paymentSplit } from './0008_payment_split.ts';
import { portalWebAccounts } from './0009_portal_web_accounts.ts';
import { consoleAuditIdle } from './0010_console_audit_idle.ts';
import { appUserSignIn } from './0011_app_user_sign_in.ts';
import { transactionReports } from './0012_transaction_reports.ts';
import { partnerKeysApiCalls } from './0013_partner_keys_api_calls.ts';
import { portalIndexes } from './0014_portal_indexes.ts';
import { sqliteRowidKeys } from './0015_sqlite_rowid_keys.ts';
import { writeGuard } from './0016_write_guard.ts';

/** Migrations are functions of the engine so that the few engine-specific column types stay in one place. */
export function migrations(kind: DialectKind): Record<string, Migration> {
  return {
    '0001_init': initialSchema(kind),
    '0002_users_cards_banks': usersCardsBanks(kind),
    '0003_express_userinfo_faults': expressUserinfoFaults(kind),
    '0004_card_hold_settlement_index': cardHoldSettlementIndex(),
    '0005_ledger_journal': ledgerJournal(kind),
    '0006_settlements': settlements(kind),
    '0007_domain_idempotency_outcomes': domainIdempotencyOutcomes(),
    '0008_payment_split': paymentSplit(kind),
    '0009_portal_web_accounts': portalWebAccounts(),
    '0010_console_audit_idle': consoleAuditIdle(kind),
    '0011_app_user_sign_in': appUserSignIn(),
    '0012_transaction_reports': transactionReports(kind),
    '0013_partner_keys_api_calls': partnerKeysApiCalls(kind),
    '0014_portal_indexes': portalIndexes(),
    '0015_sqlite_rowid_keys': sqliteRowidKeys(kind),
    '0016_write_guard': writeGuard(),
  };
}
