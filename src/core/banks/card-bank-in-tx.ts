import type { BankRow } from '../../store/schema.ts';
import type { Tx } from '../context.ts';
import { PerTransaction } from '../per-transaction.ts';

/** By payment id: the bank of the card it was paid with, as read alongside its locked read. */
const cardBanks = new PerTransaction<number, { bank: BankRow | undefined }>();

/** A refund reads the card's bank with the payment's locked read (one round trip on PostgreSQL): kept for its bank step. */
export function rememberCardBank(tx: Tx, paymentId: number, bank: BankRow | undefined): void {
  cardBanks.set(tx, paymentId, { bank });
}

/** The card's bank as read alongside (its `bank` undefined: the card's bank is gone); undefined when nothing was read. */
export function rememberedCardBank(tx: Tx, paymentId: number): { bank: BankRow | undefined } | undefined {
  return cardBanks.get(tx, paymentId);
}
