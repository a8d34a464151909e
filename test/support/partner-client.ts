import { ADMIN_TOKEN } from './harness.ts';
import { MerchantClient, httpRequest, type Credentials } from './merchant-client.ts';

/** The operator API, as a test calls it. */
export async function admin<T = any>(baseUrl: string, method: string, path: string, body?: unknown) {
  const result = await httpRequest<T>(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    ...(body !== undefined ? { body } : {}),
  });
  if (result.status >= 300) throw new Error(`${method} ${path}: ${result.status} ${result.text}`);
  return result.body;
}

export interface PartnerKeys {
  partnerId: string;
  clientId: string;
  clientSecret: string;
  subscriptionKey: string;
}

/** A partner with the given sales units attached and one key set, made through the operator API. */
export async function createPartner(baseUrl: string, msns: string[], name = 'Shop platform AS'): Promise<PartnerKeys> {
  const partner = await admin<{ id: string }>(baseUrl, 'POST', '/_kasse/admin/partners', { name });
  for (const msn of msns) await admin(baseUrl, 'POST', `/_kasse/admin/partners/${partner.id}/sales-units`, { msn });
  return admin<PartnerKeys>(baseUrl, 'POST', `/_kasse/admin/partners/${partner.id}/keys`);
}

/**
 * A partner's keys acting for one sales unit: every call carries `Merchant-Serial-Number` (unless `withHeader` is
 * false), and bodies name the unit as a merchant's own would.
 */
export class PartnerClient extends MerchantClient {
  constructor(
    baseUrl: string,
    readonly keys: PartnerKeys,
    msn: string,
    readonly msnHeader: string | null = msn,
  ) {
    // A partner has no merchant portal login.
    const credentials: Credentials = { merchantSerialNumber: msn, clientId: keys.clientId, clientSecret: keys.clientSecret, subscriptionKey: keys.subscriptionKey, portalEmail: '', portalPassword: '' };
    super(baseUrl, credentials);
  }

  override async authHeaders(): Promise<Record<string, string>> {
    return { ...(await super.authHeaders()), ...(this.msnHeader === null ? {} : { 'Merchant-Serial-Number': this.msnHeader }) };
  }
}
