/**
 * HTTP calls of the operator tools (backup, restore, ring) to a node's admin routes: a timeout on
 * every call, a few retries with backoff where the call is safe to repeat, and one hook for
 * credentials. With security on, the nodes ask for HTTP Basic authentication: the tools take the
 * user and password from DYNAMO_USER and DYNAMO_PASSWORD (never from a flag, which `ps` shows).
 */
export class AdminHttpError extends Error {
  override readonly name = 'AdminHttpError';
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

export const ADMIN_TIMEOUT_MS = 30_000;

export function authHeaders(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const user = env.DYNAMO_USER;
  if (user === undefined || user === '') return {};
  return { authorization: `Basic ${Buffer.from(`${user}:${env.DYNAMO_PASSWORD ?? ''}`).toString('base64')}` };
}

export interface AdminResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

export async function adminFetch(url: string, init: { method?: string; body?: Uint8Array; timeoutMs?: number } = {}): Promise<AdminResponse> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: { ...authHeaders(), ...(init.body === undefined ? {} : { 'content-type': 'application/octet-stream' }) },
      ...(init.body === undefined ? {} : { body: init.body }),
      signal: AbortSignal.timeout(init.timeoutMs ?? ADMIN_TIMEOUT_MS),
    });
  } catch (err) {
    throw new AdminHttpError(`cannot reach ${url}: ${(err as Error).message}`, null);
  }
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status === 401 || res.status === 403) throw new AdminHttpError(`${url}: ${res.status}: set DYNAMO_USER and DYNAMO_PASSWORD to an admin user`, res.status);
  return { status: res.status, headers: res.headers, body };
}

/** adminFetch, retried `attempts` times on no answer or a 5xx (for calls that are idempotent). */
export async function adminFetchRetrying(url: string, init: Parameters<typeof adminFetch>[1] = {}, attempts = 4): Promise<AdminResponse> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const res = await adminFetch(url, init);
      if (res.status < 500) return res;
      last = new AdminHttpError(`${url}: ${res.status} ${res.body.toString('utf8').slice(0, 200)}`, res.status);
    } catch (err) {
      if (err instanceof AdminHttpError && err.status !== null) throw err;
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250 * 2 ** i));
  }
  throw last;
}

export async function adminJson<T>(url: string): Promise<T> {
  const res = await adminFetchRetrying(url);
  if (res.status !== 200) throw new AdminHttpError(`${url}: ${res.status} ${res.body.toString('utf8').slice(0, 200)}`, res.status);
  return JSON.parse(res.body.toString('utf8')) as T;
}

/** Paces a loop to at most `perSecond` units: call `take(n)` after doing n units. */
export class RateLimit {
  private readonly startedMs = performance.now();
  private done = 0;
  constructor(private readonly perSecond: number) {}

  async take(units: number): Promise<void> {
    this.done += units;
    const dueMs = this.startedMs + (1000 * this.done) / this.perSecond;
    const waitMs = dueMs - performance.now();
    if (waitMs > 1) await new Promise((r) => setTimeout(r, waitMs));
  }
}
