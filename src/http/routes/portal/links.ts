/** The portal's links between its pages, built in one place so every page points at the same addresses. */

export function paymentHref(msn: string, orderId: string): string {
  return `/portal/payments/${encodeURIComponent(msn)}/${encodeURIComponent(orderId)}`;
}

/** The API dashboard with a filter (empty fields left out). */
export function apiCallsHref(filter: { msn?: string; endpoint?: string; status?: string; orderId?: string; cursor?: string }): string {
  const params = new URLSearchParams(Object.entries(filter).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== ''));
  const query = params.toString();
  return query === '' ? '/portal/api-calls' : `/portal/api-calls?${query}`;
}
