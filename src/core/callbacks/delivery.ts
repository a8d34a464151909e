/** A call to a merchant and what came of it; src/outbound makes it over HTTP, tests may stand in for it. */
export interface DeliveryResult {
  httpStatus: number | null;
  /** The answer, up to 64 KiB (shipping details are parsed from it). */
  responseText: string | null;
  /** The start of the answer, as recorded with the attempt. */
  responseExcerpt: string | null;
  error: string | null;
  latencyMs: number;
}

export interface OutboundRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
  timeoutMs: number;
}

export function isSuccess(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}
