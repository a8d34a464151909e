import type { Clock } from '../domain/clock.ts';
import type { DeliveryResult, OutboundRequest } from '../outbound/http-delivery.ts';
import type { Store } from '../store/db.ts';

export interface AppConfig {
  /** Base URL users reach Kasse on; the landing-page `url` of initiate points here. */
  publicUrl: string;
  mode: 'sandbox' | 'production';
  accessTokenLifetimeSeconds: number;
  callbackTimeoutMs: number;
  /** The platform waits this long for a merchant's shipping-details answer. */
  shippingTimeoutMs: number;
}

/** What every use case receives. Built once in the composition root (src/main.ts) or by a test. */
export interface AppContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly config: AppConfig;
  /** HMAC key for access tokens, shared by all nodes through kasse_meta. */
  readonly tokenSigningKey: Uint8Array;
  /** Called after a transaction that enqueued outbound calls commits, so delivery starts at once. */
  onOutboundEnqueued(): void;
  /** Synchronous calls to the merchant (shipping details); never inside a DB transaction. */
  deliverHttp(request: OutboundRequest): Promise<DeliveryResult>;
}

export const DEFAULT_CONFIG: AppConfig = {
  publicUrl: 'http://localhost:8080',
  mode: 'sandbox',
  accessTokenLifetimeSeconds: 3600,
  callbackTimeoutMs: 3000,
  shippingTimeoutMs: 10_000,
};
