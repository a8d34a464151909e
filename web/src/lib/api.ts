import { GENERIC_MESSAGE, NETWORK_MESSAGE, shopperMessage } from '../../../src/shared/shopper-messages.ts';

/** An error answer, already said for a person (`message`); `status` is 0 when Kasse could not be reached. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** JSON over fetch; an error answer becomes an ApiError with a human message, never the API's own text. */
export async function api<T>(method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const init: RequestInit = { method, cache: 'no-store', headers: { ...headers } };
  if (body !== undefined) {
    init.headers = { ...headers, 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError(NETWORK_MESSAGE, 0);
  }
  let data: unknown = null;
  try {
    data = await response.json();
  } catch {
    // empty or not JSON
  }
  if (!response.ok) throw new ApiError(shopperMessage(response.status, data), response.status);
  return data as T;
}

/** What to tell the user about any failure: the human message of an ApiError, else the generic sentence. */
export function messageOf(error: unknown): string {
  return error instanceof ApiError ? error.message : GENERIC_MESSAGE;
}
