/**
 * The path segments (percent-decoded) and query of an HTTP request target. The common form
 * (`/kv/bucket/key?w=2`) is split by hand: `new URL` costs about a microsecond a request, on
 * every request of the HTTP API. Anything unusual (an absolute-form target, dot segments, which
 * `new URL` resolves, a leading // that it reads as a host) takes the `URL` path, so both give the same answer (request-target.test.ts).
 */

export type Target = { ok: true; segments: string[]; query: URLSearchParams } | { ok: false; error: string };

const NO_QUERY = new URLSearchParams();
/** What `new URL` treats specially: a second leading slash (a host), dot segments, fragments, backslashes, spaces and controls (stripped). */
// eslint-disable-next-line no-control-regex -- controls are exactly what must be caught here
const UNUSUAL = /^\/\/|\/\.|[#\\\x00-\x20]/;

export function parseTarget(raw: string): Target {
  if (!raw.startsWith('/') || UNUSUAL.test(raw)) return viaUrl(raw);
  const mark = raw.indexOf('?');
  const path = mark === -1 ? raw : raw.slice(0, mark);
  const segments = path.split('/');
  segments.shift();
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (!segment.includes('%')) continue;
    if (/%2e/i.test(segment)) return viaUrl(raw);
    try {
      segments[i] = decodeURIComponent(segment);
    } catch {
      return { ok: false, error: 'malformed percent-encoding in the path' };
    }
  }
  // NO_QUERY is shared by every request without a query: routes only read queries.
  return { ok: true, segments, query: mark === -1 || mark === raw.length - 1 ? NO_QUERY : new URLSearchParams(raw.slice(mark)) };
}

function viaUrl(raw: string): Target {
  let url: URL;
  try {
    url = new URL(raw, 'http://local');
  } catch {
    return { ok: false, error: 'malformed URL' };
  }
  try {
    return { ok: true, segments: url.pathname.split('/').slice(1).map((s) => decodeURIComponent(s)), query: url.searchParams };
  } catch {
    return { ok: false, error: 'malformed percent-encoding in the path' };
  }
}
