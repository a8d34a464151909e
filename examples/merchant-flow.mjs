#!/usr/bin/env node
// A merchant integration as written against the real Vipps test environment (apitest.vipps.no):
// token → initiate → force approve → partial capture → refund → details.
// Point it at Kasse by changing only the base URL:
//   VIPPS_BASE_URL=http://localhost:8080 VIPPS_CLIENT_ID=… VIPPS_CLIENT_SECRET=… \
//   VIPPS_SUBSCRIPTION_KEY=… VIPPS_MSN=… node examples/merchant-flow.mjs
const base = process.env.VIPPS_BASE_URL ?? 'https://apitest.vipps.no';
const msn = process.env.VIPPS_MSN;
const subscriptionKey = process.env.VIPPS_SUBSCRIPTION_KEY;
const testUser = process.env.VIPPS_TEST_USER ?? '91234567';

async function vipps(method, path, { token, body, requestId } = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      'Content-Type': 'application/json',
      'Ocp-Apim-Subscription-Key': subscriptionKey,
      'Merchant-Serial-Number': msn,
      'Vipps-System-Name': 'acme-shop',
      'Vipps-System-Version': '1.0.0',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(requestId ? { 'X-Request-Id': requestId } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

const tokenResponse = await fetch(`${base}/accesstoken/get`, {
  method: 'POST',
  headers: {
    client_id: process.env.VIPPS_CLIENT_ID,
    client_secret: process.env.VIPPS_CLIENT_SECRET,
    'Ocp-Apim-Subscription-Key': subscriptionKey,
  },
});
if (!tokenResponse.ok) throw new Error(`token → ${tokenResponse.status} ${await tokenResponse.text()}`);
const { access_token: token } = await tokenResponse.json();

const orderId = `acme-${Date.now()}`;
const initiated = await vipps('POST', '/ecomm/v2/payments', {
  token,
  body: {
    customerInfo: { mobileNumber: testUser },
    merchantInfo: {
      merchantSerialNumber: msn,
      callbackPrefix: 'https://example.com/vipps/callbacks',
      fallBack: `https://example.com/vipps/fallback/${orderId}`,
    },
    transaction: { orderId, amount: 20000, transactionText: 'One pair of Vipps socks' },
  },
});
console.log('initiated', initiated.orderId);

await vipps('POST', `/ecomm/v2/integration-test/payments/${orderId}/approve`, {
  token,
  body: { customerPhoneNumber: testUser, token: initiated.url.split('=', 3)[2] },
});
console.log('approved');

const capture = await vipps('POST', `/ecomm/v2/payments/${orderId}/capture`, {
  token,
  requestId: `${orderId}-capture-1`,
  body: { merchantInfo: { merchantSerialNumber: msn }, transaction: { amount: 15000, transactionText: 'First parcel shipped' } },
});
console.log('captured', capture.transactionInfo.amount);

const refund = await vipps('POST', `/ecomm/v2/payments/${orderId}/refund`, {
  token,
  requestId: `${orderId}-refund-1`,
  body: { merchantInfo: { merchantSerialNumber: msn }, transaction: { amount: 5000, transactionText: 'One sock returned' } },
});
console.log('refunded', refund.transaction.amount);

const details = await vipps('GET', `/ecomm/v2/payments/${orderId}/details`, { token });
console.log(JSON.stringify({ orderId, summary: details.transactionSummary, log: details.transactionLogHistory.map((e) => e.operation) }));
