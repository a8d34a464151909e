import { Type } from 'typebox';

const Money = Type.Integer({ description: 'Minor units (øre)' });

export const ReportTransaction = Type.Object({
  pspReference: Type.String(),
  time: Type.String({ description: 'Oslo local time with its offset' }),
  ledgerDate: Type.String(),
  entryType: Type.String(),
  reference: Type.String(),
  currency: Type.String(),
  amount: Money,
  balanceBefore: Money,
  balanceAfter: Money,
  recipientHandle: Type.String(),
});

export const ReportPageResponse = Type.Object({
  cursor: Type.Optional(Type.String()),
  hasMore: Type.Optional(Type.Boolean()),
  tryLater: Type.Optional(Type.Boolean()),
  items: Type.Array(ReportTransaction),
});

export const Ledger = Type.Object({
  ledgerId: Type.String(),
  currency: Type.String(),
  payoutBankAccount: Type.Object({ scheme: Type.String(), id: Type.String() }),
  owner: Type.Object({ scheme: Type.String(), id: Type.String() }),
  settlesForRecipientHandles: Type.Array(Type.String()),
});

export const LedgersResponse = Type.Object({ cursor: Type.String(), items: Type.Array(Ledger) });

export const Topic = Type.Union([Type.Literal('funds'), Type.Literal('fees')]);

/** `pageSize` is a Kasse extension (the real page size is the platform's choice); 1000 by default. */
export const PagingQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  pageSize: Type.Optional(Type.String({ pattern: '^(1000|[1-9]\\d{0,2})$', description: '1 to 1000' })),
});

export const LedgerDatePattern = '^\\d{4}-\\d{2}-\\d{2}$';
