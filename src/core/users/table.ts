/**
 * The cluster-wide users table: per user name, the entry with the larger (updatedAtMs, updatedBy)
 * wins, and a removal is an entry too (a tombstone, `deleted`), so that a user removed on one node
 * is not brought back by a node that had not heard of the removal yet. The merge is commutative,
 * associative and idempotent, so gossip spreads the table in any order, like the bucket table.
 *
 * Entries hold a password hash (security/passwords.ts makes and checks it), never a password.
 * Everything here also arrives from peers and from disk: parseUserTable checks it in depth.
 */
import { createHash } from 'node:crypto';
import type { NodeId } from '../ids.js';

export const ROLES = ['read', 'readwrite', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Bounds on what a peer may make us keep: users, buckets per user, and the size of each field. */
export const MAX_USERS = 10_000;
export const MAX_USER_BUCKETS = 1_000;
const MAX_FIELD_CHARS = 512;
export const USER_NAME_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;

export interface UserEntry {
  readonly role: Role;
  /** The buckets the user may touch; null: all of them. */
  readonly buckets: readonly string[] | null;
  /** "scrypt$N$r$p$salt$key" (base64url parts); empty in a tombstone. */
  readonly hash: string;
  readonly deleted: boolean;
  readonly updatedAtMs: number;
  readonly updatedBy: NodeId;
}

export type UserTable = Readonly<Record<string, UserEntry>>;

export const EMPTY_USER_TABLE: UserTable = Object.freeze({});

function canonical(e: UserEntry): string {
  return JSON.stringify([e.updatedAtMs, e.updatedBy, e.deleted, e.role, e.buckets, e.hash]);
}

function newer(a: UserEntry, b: UserEntry): UserEntry {
  if (a.updatedAtMs !== b.updatedAtMs) return a.updatedAtMs > b.updatedAtMs ? a : b;
  if (a.updatedBy !== b.updatedBy) return a.updatedBy > b.updatedBy ? a : b;
  return canonical(a) >= canonical(b) ? a : b;
}

export function mergeUserTables(a: UserTable, b: UserTable): UserTable {
  let out: Record<string, UserEntry> | null = null;
  for (const [name, entry] of Object.entries(b)) {
    const mine = Object.prototype.hasOwnProperty.call(a, name) ? a[name] : undefined;
    const winner = mine === undefined ? entry : newer(mine, entry);
    if (winner === mine) continue;
    out ??= { ...a };
    out[name] = winner;
  }
  return out ?? a;
}

/** The live entry of `name`, or undefined when there is none or it was removed. */
export function liveUser(table: UserTable, name: string): UserEntry | undefined {
  if (!Object.prototype.hasOwnProperty.call(table, name)) return undefined;
  const entry = table[name]!;
  return entry.deleted ? undefined : entry;
}

export function liveUsers(table: UserTable): [string, UserEntry][] {
  return Object.entries(table)
    .filter(([, e]) => !e.deleted)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const digests = new WeakMap<UserTable, string>();

/** Tables are immutable values, so a digest is computed once per table (every digest round asks). */
export function usersDigest(table: UserTable): string {
  let known = digests.get(table);
  if (known === undefined) {
    const rows = Object.keys(table)
      .sort()
      .map((name) => [name, canonical(table[name]!)]);
    known = createHash('md5').update(JSON.stringify(rows)).digest('hex');
    digests.set(table, known);
  }
  return known;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function boundedString(x: unknown, min = 1): x is string {
  return typeof x === 'string' && x.length >= min && x.length <= MAX_FIELD_CHARS;
}

export function parseUserEntry(raw: unknown): UserEntry | null {
  if (!isRecord(raw)) return null;
  const { role, buckets, hash, deleted, updatedAtMs, updatedBy } = raw;
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) return null;
  if (buckets !== null && !(Array.isArray(buckets) && buckets.length <= MAX_USER_BUCKETS && buckets.every((b) => boundedString(b)))) return null;
  if (typeof deleted !== 'boolean' || !boundedString(hash, deleted ? 0 : 1)) return null;
  if (typeof updatedAtMs !== 'number' || !Number.isSafeInteger(updatedAtMs) || updatedAtMs < 0) return null;
  if (!boundedString(updatedBy)) return null;
  return { role: role as Role, buckets: buckets === null ? null : [...(buckets as string[])], hash, deleted, updatedAtMs, updatedBy };
}

/** A table from a peer or the disk, or null when any part of it is malformed or over the bounds. */
export function parseUserTable(raw: unknown): UserTable | null {
  if (!isRecord(raw)) return null;
  const names = Object.keys(raw);
  if (names.length > MAX_USERS) return null;
  const out: Record<string, UserEntry> = {};
  for (const name of names) {
    if (!USER_NAME_PATTERN.test(name)) return null;
    const entry = parseUserEntry(raw[name]);
    if (entry === null) return null;
    out[name] = entry;
  }
  return out;
}
