/**
 * Authentication and authorization for every front end (HTTP, the native client protocol, RESP):
 *
 *   const auth = new Authenticator(() => runtime.node.users.table());
 *   const result = await auth.authenticate(user, password, sourceAddress);
 *   if (!result.ok) refuse(result.code);            // 'unauthenticated' | 'rate_limited'
 *   const allowed = authorize(result.principal, { kind: 'write', bucket });
 *   if (!allowed.ok) refuse(allowed.code);          // 'forbidden'
 *
 * A successful verification is cached, keyed by user and a hash of the password, and is valid only
 * while the user's stored hash is the one it was checked against: a changed password or a removed
 * user misses the cache, while a role change applies at once (the role is read from the table at
 * every call). So the hot path pays one SHA-256 and two map lookups, never a key derivation.
 * Failed attempts are counted per source address in a bounded map; past the limit within the
 * window a source is refused before any derivation, so guessing costs the guesser, not the node.
 */
import { createHash } from 'node:crypto';
import { assert, assertNever } from '../core/assert.js';
import { liveUser, type Role, type UserTable } from '../core/users/index.js';
import { MAX_PASSWORD_BYTES, verifyPassword } from './passwords.js';

export interface Principal {
  readonly user: string;
  readonly role: Role;
  /** null: every bucket. */
  readonly buckets: readonly string[] | null;
}

export type AuthResult =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly code: 'unauthenticated' | 'rate_limited'; readonly message: string };

/** What a request does: read or write a bucket's keys, or anything else (buckets, users, /admin, status). */
export type Action = { readonly kind: 'read' | 'write'; readonly bucket: string } | { readonly kind: 'admin' } | { readonly kind: 'any' };

export type AuthzResult = { readonly ok: true } | { readonly ok: false; readonly code: 'forbidden'; readonly message: string };

export interface AuthenticatorLimits {
  /** Failed attempts one source may make per window before it is refused outright. Default 10. */
  readonly maxFailures?: number;
  readonly failureWindowMs?: number;
  /** Sources tracked at once (the oldest is forgotten past it). Default 10 000. */
  readonly maxSources?: number;
  /** Verified (user, password) pairs remembered. Default 10 000. */
  readonly maxCached?: number;
  readonly nowMs?: () => number;
}

interface Failures {
  count: number;
  windowStartMs: number;
}

/** A hash to verify against when the user does not exist, so an unknown name costs the same time. */
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export class Authenticator {
  private readonly verified = new Map<string, string>();
  private readonly failures = new Map<string, Failures>();
  private readonly maxFailures: number;
  private readonly failureWindowMs: number;
  private readonly maxSources: number;
  private readonly maxCached: number;
  private readonly nowMs: () => number;
  /** Counters for metrics: refusals by cause, and verifications that needed a key derivation. */
  readonly stats = { failures: 0, rateLimited: 0, derivations: 0, cacheHits: 0 };

  constructor(
    private readonly users: () => UserTable,
    limits: AuthenticatorLimits = {},
  ) {
    this.maxFailures = limits.maxFailures ?? 10;
    this.failureWindowMs = limits.failureWindowMs ?? 10_000;
    this.maxSources = limits.maxSources ?? 10_000;
    this.maxCached = limits.maxCached ?? 10_000;
    this.nowMs = limits.nowMs ?? (() => performance.now());
    assert(this.maxFailures > 0 && this.failureWindowMs > 0, 'positive failure limits');
    assert(this.maxSources > 0 && this.maxCached > 0, 'positive map bounds');
  }

  /** The principal when this pair was verified before and the user's hash has not changed since; no derivation. */
  cached(user: string, password: string): Principal | undefined {
    const entry = liveUser(this.users(), user);
    if (entry === undefined) return undefined;
    if (this.verified.get(cacheKey(user, password)) !== entry.hash) return undefined;
    this.stats.cacheHits++;
    return { user, role: entry.role, buckets: entry.buckets };
  }

  async authenticate(user: string, password: string, source: string): Promise<AuthResult> {
    const hit = this.cached(user, password);
    if (hit !== undefined) return { ok: true, principal: hit };
    if (this.limited(source)) {
      this.stats.rateLimited++;
      return { ok: false, code: 'rate_limited', message: 'too many failed attempts from this address; try again later' };
    }
    const entry = liveUser(this.users(), user);
    const good = Buffer.byteLength(password) <= MAX_PASSWORD_BYTES && (await this.derive(password, entry?.hash ?? DUMMY_HASH)) && entry !== undefined;
    // The table may have changed during the derivation: trust the result only for the same hash.
    const now = liveUser(this.users(), user);
    if (!good || now === undefined || now.hash !== entry?.hash) {
      this.fail(source);
      return { ok: false, code: 'unauthenticated', message: 'unknown user or wrong password' };
    }
    this.remember(cacheKey(user, password), now.hash);
    return { ok: true, principal: { user, role: now.role, buckets: now.buckets } };
  }

  private async derive(password: string, hash: string): Promise<boolean> {
    this.stats.derivations++;
    return verifyPassword(password, hash);
  }

  private limited(source: string): boolean {
    const f = this.failures.get(source);
    if (f === undefined) return false;
    if (this.nowMs() - f.windowStartMs >= this.failureWindowMs) {
      this.failures.delete(source);
      return false;
    }
    return f.count >= this.maxFailures;
  }

  private fail(source: string): void {
    this.stats.failures++;
    const now = this.nowMs();
    const f = this.failures.get(source);
    if (f !== undefined && now - f.windowStartMs < this.failureWindowMs) {
      f.count++;
      return;
    }
    this.failures.delete(source);
    this.failures.set(source, { count: 1, windowStartMs: now });
    if (this.failures.size > this.maxSources) this.failures.delete(this.failures.keys().next().value!);
  }

  private remember(key: string, hash: string): void {
    this.verified.delete(key);
    this.verified.set(key, hash);
    if (this.verified.size > this.maxCached) this.verified.delete(this.verified.keys().next().value!);
  }
}

function cacheKey(user: string, password: string): string {
  return `${user}\u0000${createHash('sha256').update(password).digest('base64')}`;
}

export function authorize(principal: Principal, action: Action): AuthzResult {
  const forbidden = (message: string): AuthzResult => ({ ok: false, code: 'forbidden', message });
  if (principal.role === 'admin') return { ok: true };
  switch (action.kind) {
    case 'any':
      return { ok: true };
    case 'admin':
      return forbidden(`user ${principal.user} (role ${principal.role}) may not do this: it needs the admin role`);
    case 'read':
    case 'write':
      if (action.kind === 'write' && principal.role !== 'readwrite') return forbidden(`user ${principal.user} has the read role and may not write`);
      if (principal.buckets !== null && !principal.buckets.includes(action.bucket)) {
        return forbidden(`user ${principal.user} may not use bucket ${JSON.stringify(action.bucket)}`);
      }
      return { ok: true };
    default:
      return assertNever(action, 'action');
  }
}
