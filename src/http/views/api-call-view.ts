import { isoTimestamp } from '../../domain/clock.ts';
import type { ApiCallRow } from '../../store/schema.ts';

/** One recorded merchant API call as `GET /_kasse/api-calls` answers it; the portal's API dashboard shows the same. */
export function apiCallOf(call: ApiCallRow) {
  return {
    id: Number(call.id),
    time: isoTimestamp(Number(call.at_ms)),
    endpoint: `${call.method} ${call.route}`,
    method: call.method,
    path: call.path,
    status: call.status,
    errorGroup: call.error_group,
    errorCode: call.error_code,
    latencyMs: Number(call.latency_us) / 1000,
    requestId: call.request_id,
    orderId: call.order_id,
    merchantSerialNumberHeader: call.msn_header,
    viaPartnerKey: call.partner_id !== null,
    vippsSystem: { name: call.system_name, version: call.system_version, pluginName: call.plugin_name, pluginVersion: call.plugin_version },
  };
}

export type ApiCallView = ReturnType<typeof apiCallOf>;
