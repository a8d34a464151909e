import { randomBytes } from 'node:crypto';
import { ecommV2CallbackListener } from './channels/ecomm-v2/callback-listener.ts';
import { DEFAULT_CONFIG, type AppConfig, type AppContext, type OperationListener } from './core/context.ts';
import { settlementBookingListener } from './core/settlements/booking-listener.ts';
import type { Clock } from './domain/clock.ts';
import { deliver } from './outbound/http-delivery.ts';
import { migrateToLatest, openStore } from './store/db.ts';
import { readOrInitMeta } from './store/repos/meta.ts';

/**
 * What happens beside every recorded payment operation, in its transaction: each channel's notification, and the
 * back office's booking of captures and refunds on the sales unit's ledger.
 */
export const CHANNEL_LISTENERS: readonly OperationListener[] = [ecommV2CallbackListener, settlementBookingListener];

/** Open and migrate the database and build the context the use cases run in (also used by the CLI). */
export async function openAppContext(args: {
  databaseUrl: string;
  clock: Clock;
  config?: Partial<AppConfig> | undefined;
  onOutboundEnqueued: () => void;
  operationListeners: readonly OperationListener[];
}): Promise<AppContext> {
  const store = await openStore(args.databaseUrl);
  await migrateToLatest(store);
  // One signing key per database, so every node of a cluster accepts every node's tokens.
  const signingKeyHex = await readOrInitMeta(store.db, 'access_token_signing_key', () => randomBytes(32).toString('hex'));
  return {
    store,
    clock: args.clock,
    config: { ...DEFAULT_CONFIG, ...args.config },
    tokenSigningKey: Buffer.from(signingKeyHex, 'hex'),
    operationListeners: args.operationListeners,
    onOutboundEnqueued: args.onOutboundEnqueued,
    deliverHttp: deliver,
  };
}
