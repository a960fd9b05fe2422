/**
 * `fetch` as the CLI and the tests need it against a secure node: a cluster CA to trust and HTTP
 * Basic credentials. Node's global fetch takes no CA, so this goes through node:http(s) and hands
 * back a standard Response; without a CA or credentials it behaves like fetch for http URLs.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

export interface SecureInit {
  readonly method?: string;
  readonly body?: string | Uint8Array;
  readonly headers?: Record<string, string>;
  readonly timeoutMs?: number;
  /** PEM of the CA that signed the node's certificate. */
  readonly ca?: string;
  readonly auth?: Credentials;
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

export function basicAuthorization(auth: Credentials): string {
  return `Basic ${Buffer.from(`${auth.user}:${auth.password}`, 'utf8').toString('base64')}`;
}

function toHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
}

export function secureFetch(url: string, init: SecureInit = {}): Promise<Response> {
  const target = new URL(url);
  const headers: Record<string, string> = { ...init.headers };
  if (init.auth !== undefined) headers.authorization = basicAuthorization(init.auth);
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? Buffer.from(init.body) : Buffer.from(init.body);
  if (body !== undefined) headers['content-length'] = String(body.length);
  const options = { method: init.method ?? 'GET', headers, timeout: init.timeoutMs ?? 10_000, ...(init.ca === undefined ? {} : { ca: init.ca }) };
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(target, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const status = res.statusCode ?? 500;
        resolve(new Response(NULL_BODY_STATUSES.has(status) ? null : Buffer.concat(chunks), { status, headers: toHeaders(res.headers) }));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${target.host} within ${options.timeout} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
