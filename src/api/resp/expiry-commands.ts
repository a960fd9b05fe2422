/**
 * EXPIRE, PEXPIRE, TTL, PTTL, PERSIST (SET's EX/PX/EXAT/PXAT/KEEPTTL are in string-commands.ts),
 * on the keys of the connection's kv bucket, with the key expiry of the data model: a put's
 * `ttlMs`, a version's `expiresAtMs`.
 * - EXPIRE/PEXPIRE key t [NX|XX|GT|LT]: a read, then a put of the value read with its context and
 *   `ttlMs` t × 1000 (EXPIRE) or t; `:1` when the key existed (and the option allowed it), `:0`
 *   (no write) otherwise. A time of 0 or less deletes the key, as in Redis. Not atomic: a SET
 *   between the read and the put is replaced in an lww bucket (the newest write wins), kept as a
 *   sibling in a siblings bucket.
 * - PERSIST key: the same put with `ttlMs: 0`; `:1` when the value read had an expiry.
 * - TTL/PTTL key: a read; `:-2` absent, `:-1` no expiry, else what is left (by this node's clock).
 * Counters and sets do not expire (their buckets refuse a ttl).
 */
import { integer, error, type Reply } from './encoder.js';
import { conflictReply, deleteKey, errorReply, keyName, readKey, writeKey } from './keyspace.js';
import { notInteger, syntaxError } from './replies.js';
import type { CommandContext, CommandSpec } from './types.js';

/** What is left of an expiry at `nowMs`, or null for none; the key counts as gone at 0. */
export function remainingMs(expiresAtMs: number | undefined, nowMs: number): number | null {
  return expiresAtMs === undefined ? null : Math.max(0, expiresAtMs - nowMs);
}

type ExpireOption = 'nx' | 'xx' | 'gt' | 'lt' | null;

/** Whether an EXPIRE option lets a new expiry `nextMs` from now replace `leftMs` (null: none). */
export function optionAllows(option: ExpireOption, leftMs: number | null, nextMs: number): boolean {
  switch (option) {
    case null: return true;
    case 'nx': return leftMs === null;
    case 'xx': return leftMs !== null;
    case 'gt': return leftMs !== null && nextMs > leftMs;
    case 'lt': return leftMs === null || nextMs < leftMs;
  }
}

/** Beyond this Redis answers an invalid expire time; it also bounds what a put's ttlMs may be. */
const MAX_EXPIRE_MS = 100 * 365 * 24 * 3600 * 1000;

function expire(unitMs: number, command: string) {
  return (ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void => {
    const name = keyName(args[1]!);
    if (!name.ok) return done(name.reply);
    const text = args[2]!.toString('latin1');
    const amount = Number(text);
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(amount)) return done(notInteger());
    if (Math.abs(amount * unitMs) > MAX_EXPIRE_MS) return done(error(`ERR invalid expire time in '${command}' command`));
    if (args.length > 4) return done(syntaxError());
    const word = args.length === 4 ? args[3]!.toString('latin1').toLowerCase() : null;
    if (word !== null && !['nx', 'xx', 'gt', 'lt'].includes(word)) return done(error(`ERR Unsupported option ${args[3]!.toString('utf8').slice(0, 64)}`));
    const option = word as ExpireOption;
    const ttlMs = amount * unitMs;
    readKey(ctx, name.key, (outcome) => {
      if (outcome.kind === 'failed') return done(errorReply(outcome.error));
      if (outcome.kind === 'absent') return done(integer(0));
      if (outcome.kind === 'siblings') return done(conflictReply(name.key, outcome.count));
      const left = remainingMs(outcome.expiresAtMs, Date.now());
      if (!optionAllows(option, left, ttlMs)) return done(integer(0));
      if (ttlMs <= 0) return deleteKey(ctx, name.key, outcome.context, (deleted) => done(deleted.ok ? integer(1) : errorReply(deleted.error)));
      writeKey(ctx, name.key, outcome.value, outcome.context, (written) => done(written.ok ? integer(1) : errorReply(written.error)), ttlMs);
    });
  };
}

function persist(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  const name = keyName(args[1]!);
  if (!name.ok) return done(name.reply);
  readKey(ctx, name.key, (outcome) => {
    if (outcome.kind === 'failed') return done(errorReply(outcome.error));
    if (outcome.kind === 'absent') return done(integer(0));
    if (outcome.kind === 'siblings') return done(conflictReply(name.key, outcome.count));
    if (outcome.expiresAtMs === undefined) return done(integer(0));
    writeKey(ctx, name.key, outcome.value, outcome.context, (written) => done(written.ok ? integer(1) : errorReply(written.error)), 0);
  });
}

function ttl(unitMs: number) {
  return (ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void => {
    const name = keyName(args[1]!);
    if (!name.ok) return done(name.reply);
    readKey(ctx, name.key, (outcome) => {
      if (outcome.kind === 'failed') return done(errorReply(outcome.error));
      if (outcome.kind === 'absent') return done(integer(-2));
      if (outcome.kind === 'siblings') return done(conflictReply(name.key, outcome.count));
      const left = remainingMs(outcome.expiresAtMs, Date.now());
      if (left === null) return done(integer(-1));
      if (left === 0) return done(integer(-2));
      done(integer(Math.round(left / unitMs)));
    });
  };
}

const spec = (name: string, arity: number, write: boolean, summary: string, run: CommandSpec['run']): CommandSpec => ({
  name, arity, flags: write ? ['write', 'fast'] : ['readonly', 'fast'], keys: [1, 1, 1], group: 'generic', summary, run,
});

export const EXPIRY_COMMANDS: readonly CommandSpec[] = [
  spec('expire', -3, true, 'Sets the expiry of a key in seconds (NX, XX, GT, LT).', expire(1000, 'expire')),
  spec('pexpire', -3, true, 'Sets the expiry of a key in milliseconds (NX, XX, GT, LT).', expire(1, 'pexpire')),
  spec('ttl', 2, false, 'Returns the seconds a key has left.', ttl(1000)),
  spec('pttl', 2, false, 'Returns the milliseconds a key has left.', ttl(1)),
  spec('persist', 2, true, 'Removes the expiry of a key.', persist),
];
