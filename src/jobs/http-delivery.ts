import { performance } from 'node:perf_hooks';

export interface DeliveryResult {
  httpStatus: number | null;
  responseExcerpt: string | null;
  error: string | null;
  latencyMs: number;
}

const EXCERPT_CHARS = 500;

/**
 * One outbound HTTP call as the platform makes it: a hard timeout, redirects not followed, any answer
 * recorded. Latency is measured on the monotonic clock (it is a duration, not a point in business time).
 */
export async function deliver(request: {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
  timeoutMs: number;
}): Promise<DeliveryResult> {
  const started = performance.now();
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.body === null ? request.headers : { 'Content-Type': 'application/json;charset=UTF-8', ...request.headers },
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    const text = await response.text();
    return {
      httpStatus: response.status,
      responseExcerpt: text.slice(0, EXCERPT_CHARS),
      error: null,
      latencyMs: performance.now() - started,
    };
  } catch (error) {
    const latencyMs = performance.now() - started;
    const name = (error as Error).name;
    const message = name === 'TimeoutError' ? `timed out after ${request.timeoutMs} ms` : describeFetchError(error);
    return { httpStatus: null, responseExcerpt: null, error: message, latencyMs };
  }
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${cause.code}: ${cause.message ?? ''}`.trim();
  return (error as Error).message ?? String(error);
}

export function isSuccess(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}
