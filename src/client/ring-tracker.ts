/**
 * Keeps the client's ring fresh: reads GET /ring from the configured nodes (then from any member
 * it learned of), again every `refreshMs`, and soon after a node fails. A failed refresh keeps the
 * ring it had; only the first load must succeed.
 */
import { secureFetch } from '../security/https-fetch.js';
import type { ClientSecurity } from '../protocol/client-auth-frame.js';
import { ConnectionError } from './errors.js';
import { parseRing, Routing } from './routing.js';

const FETCH_TIMEOUT_MS = 2000;
/** A burst of failures triggers one refresh, not one each. */
const MIN_REFRESH_GAP_MS = 500;

export class RingTracker {
  current: Routing | null = null;
  private loading: Promise<Routing> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastRefreshMs = 0;
  private stopped = false;
  private readonly seeds: string[];

  constructor(
    seeds: readonly string[],
    private readonly refreshMs: number,
    private readonly security: ClientSecurity = {},
  ) {
    this.seeds = seeds.map((s) => (/^https?:\/\//.test(s) ? s : `${this.scheme}://${s}`).replace(/\/+$/, ''));
  }

  /** The current routing, loading the ring first if need be. */
  routing(): Promise<Routing> {
    if (this.current !== null) return Promise.resolve(this.current);
    return this.refresh();
  }

  refresh(): Promise<Routing> {
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  refreshSoon(): void {
    if (this.stopped || this.loading !== null || Date.now() - this.lastRefreshMs < MIN_REFRESH_GAP_MS) return;
    this.refresh().catch(() => undefined);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private async load(): Promise<Routing> {
    this.lastRefreshMs = Date.now();
    const problems: string[] = [];
    for (const url of this.candidates()) {
      const result = await fetchRing(url, this.security);
      if (typeof result === 'string') {
        problems.push(`${url}: ${result}`);
        continue;
      }
      if (this.current === null || this.current.version !== result.version || !sameUp(this.current, result)) this.current = result;
      this.startTimer();
      return this.current;
    }
    if (this.current !== null) return this.current;
    throw new ConnectionError(`could not read the ring from any node (${problems.join('; ')})`);
  }

  /** Configured nodes first, then members learned from the ring. */
  private candidates(): string[] {
    const learned = this.current?.httpAddresses().map((a) => `${this.scheme}://${a}`) ?? [];
    return [...new Set([...this.seeds, ...learned])];
  }

  private get scheme(): string {
    return this.security.tls === undefined ? 'http' : 'https';
  }

  private startTimer(): void {
    if (this.timer !== null || this.stopped) return;
    this.timer = setInterval(() => this.refresh().catch(() => undefined), this.refreshMs);
    this.timer.unref();
  }
}

function sameUp(a: Routing, b: Routing): boolean {
  return a.ring.members.every((m, i) => b.ring.members[i]?.id === m.id && b.ring.members[i]?.up === m.up);
}

async function fetchRing(base: string, security: ClientSecurity): Promise<Routing | string> {
  try {
    const secure = security.tls !== undefined || security.auth !== undefined;
    const res = secure
      ? await secureFetch(`${base}/ring`, { timeoutMs: FETCH_TIMEOUT_MS, ...(security.tls === undefined ? {} : { ca: security.tls.ca.toString() }), ...(security.auth === undefined ? {} : { auth: security.auth }) })
      : await fetch(`${base}/ring`, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!res.ok) return `HTTP ${res.status}`;
    const ring = parseRing((await res.json()) as unknown);
    return typeof ring === 'string' ? ring : new Routing(ring);
  } catch (err) {
    return (err as Error).message;
  }
}
