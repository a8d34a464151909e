// The secrets a console or portal page shows once for a newly issued key (web/templates/issued-key.eta).

export interface IssuedKeyOnPage {
  clientId: string;
  clientSecret: string;
  subscriptionKey: string;
}

/** The issued key on `html`, or undefined when the page shows none. */
export function issuedKeyOn(html: string): IssuedKeyOnPage | undefined {
  const field = (id: string) => new RegExp(`data-testid="${id}">([^<]+)<`).exec(html)?.[1];
  const clientId = field('issued-client-id');
  const clientSecret = field('issued-client-secret');
  const subscriptionKey = field('issued-subscription-key');
  return clientId && clientSecret && subscriptionKey ? { clientId, clientSecret, subscriptionKey } : undefined;
}
