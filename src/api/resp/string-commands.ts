/**
 * The string family: GET, SET (NX, XX, GET, EX, PX, EXAT, PXAT, KEEPTTL), SETNX, GETDEL, MGET and
 * MSET. SET's expiry is the put's `ttlMs` (EXAT/PXAT turned into what is left by this node's
 * clock); KEEPTTL reads first and puts with what the read version has left; a SET without either
 * drops the expiry, as in Redis (the bucket's own ttl_ms then applies, none for the port's).
 *
 * In an `lww` bucket a plain SET is a blind write: the newest timestamp wins, as in Redis. In a
 * `siblings` bucket a SET first reads the key and writes with that read's context, so it replaces
 * what it saw, and two concurrent SETs become siblings rather than one silently losing. NX, XX and
 * GET need that read in any bucket: they are checked against a quorum read, not atomically (dynamo
 * has no compare-and-set), which the docs say. MGET and MSET run one request per key at once;
 * neither is atomic across keys, and neither answers in part: one failed key fails the command.
 */
import { assertNever } from '../../core/assert.js';
import type { VersionVector } from '../../core/versions/index.js';
import { array, bulk, error, integer, NIL, OK, type Reply } from './encoder.js';
import {
  conflictReply, deleteKey, errorReply, forEachKey, keepsSiblings, keyName, readKey, writeKey,
  type ReadOutcome, type WriteOutcome,
} from './keyspace.js';
import { syntaxError, tooManyKeys, wrongArity } from './replies.js';
import { remainingMs } from './expiry-commands.js';
import { MAX_TTL_MS } from '../../core/buckets/props.js';
import type { CommandContext, CommandSpec } from './types.js';

export const MAX_KEYS_PER_COMMAND = 1024;
/** Past this an EX/PX/EXAT/PXAT amount is refused (any of them in ms fits a safe integer). */
const MAX_EXPIRE_UNITS = 2 ** 42;

function get(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  const name = keyName(args[1]!);
  if (!name.ok) return done(name.reply);
  readKey(ctx, name.key, (outcome) => done(readReply(name.key, outcome)));
}

function readReply(key: string, outcome: ReadOutcome): Reply {
  switch (outcome.kind) {
    case 'absent':
      return NIL;
    case 'value':
      return bulk(outcome.value);
    case 'siblings':
      return conflictReply(key, outcome.count);
    case 'failed':
      return errorReply(outcome.error);
    default:
      return assertNever(outcome, 'read outcome');
  }
}

interface SetFlags {
  readonly nx: boolean;
  readonly xx: boolean;
  readonly get: boolean;
  readonly keepTtl: boolean;
  /** EX/PX/EXAT/PXAT as milliseconds from now; null: none given. */
  readonly ttlMs: number | null;
}

/** SET's options as Redis parses them (any order; a conflict or an unknown word is a syntax error). */
export function parseSetFlags(args: readonly Buffer[], nowMs: number): SetFlags | Reply {
  let nx = false;
  let xx = false;
  let getOld = false;
  let keepTtl = false;
  let expiry = false;
  let ttlMs: number | null = null;
  for (let i = 3; i < args.length; i++) {
    const word = args[i]!.toString('latin1').toUpperCase();
    if (word === 'NX' && !xx) nx = true;
    else if (word === 'XX' && !nx) xx = true;
    else if (word === 'GET') getOld = true;
    else if (word === 'KEEPTTL' && !expiry) keepTtl = true;
    else if ((word === 'EX' || word === 'PX' || word === 'EXAT' || word === 'PXAT') && !expiry && !keepTtl && i + 1 < args.length) {
      const amount = Number(args[++i]!.toString('latin1'));
      if (!Number.isSafeInteger(amount)) return error('ERR value is not an integer or out of range');
      if (amount <= 0 || amount > MAX_EXPIRE_UNITS) return error("ERR invalid expire time in 'set' command");
      expiry = true;
      // A time already past still writes, and the value is gone at once (as in Redis).
      if (word === 'EX') ttlMs = amount * 1000;
      else if (word === 'PX') ttlMs = amount;
      else ttlMs = Math.max(1, (word === 'EXAT' ? amount * 1000 : amount) - nowMs);
    } else return syntaxError();
  }
  return { nx, xx, get: getOld, keepTtl, ttlMs: ttlMs === null ? null : Math.min(ttlMs, MAX_TTL_MS) };
}

function set(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  const name = keyName(args[1]!);
  if (!name.ok) return done(name.reply);
  const flags = parseSetFlags(args, Date.now());
  if (Buffer.isBuffer(flags)) return done(flags);
  const ttlMs = flags.ttlMs ?? undefined;
  const value = args[2]!;
  const written = (outcome: WriteOutcome, old: Uint8Array | null): void => {
    if (!outcome.ok) return done(errorReply(outcome.error));
    done(flags.get ? bulk(old) : OK);
  };
  if (!flags.nx && !flags.xx && !flags.get && !flags.keepTtl && !keepsSiblings(ctx)) {
    return writeKey(ctx, name.key, value, [], (outcome) => written(outcome, null), ttlMs);
  }
  readKey(ctx, name.key, (outcome) => {
    if (outcome.kind === 'failed') return done(errorReply(outcome.error));
    if (outcome.kind === 'siblings' && flags.get) return done(conflictReply(name.key, outcome.count));
    const exists = outcome.kind !== 'absent';
    const old = outcome.kind === 'value' ? outcome.value : null;
    if ((flags.nx && exists) || (flags.xx && !exists)) return done(flags.get ? bulk(old) : NIL);
    const context = outcome.kind === 'siblings' ? outcome.result.context : outcome.context;
    const kept = flags.keepTtl && outcome.kind === 'value' ? remainingMs(outcome.expiresAtMs, Date.now()) : null;
    writeKey(ctx, name.key, value, context, (written_) => written(written_, old), kept === null ? ttlMs : Math.max(1, kept));
  });
}

function setnx(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  const name = keyName(args[1]!);
  if (!name.ok) return done(name.reply);
  readKey(ctx, name.key, (outcome) => {
    if (outcome.kind === 'failed') return done(errorReply(outcome.error));
    if (outcome.kind !== 'absent') return done(integer(0));
    writeKey(ctx, name.key, args[2]!, outcome.context, (written) => done(written.ok ? integer(1) : errorReply(written.error)));
  });
}

function getdel(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  const name = keyName(args[1]!);
  if (!name.ok) return done(name.reply);
  readKey(ctx, name.key, (outcome) => {
    if (outcome.kind !== 'value') return done(readReply(name.key, outcome));
    deleteKey(ctx, name.key, outcome.context, (deleted) => done(deleted.ok ? bulk(outcome.value) : errorReply(deleted.error)));
  });
}

function mget(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  const keys = keyNames(args, 1, 1);
  if (Buffer.isBuffer(keys)) return done(keys);
  forEachKey<ReadOutcome>(keys.length, (i, settle) => readKey(ctx, keys[i]!, settle), (outcomes) => {
    const replies: Reply[] = [];
    for (let i = 0; i < outcomes.length; i++) {
      const outcome = outcomes[i]!;
      if (outcome.kind === 'failed' || outcome.kind === 'siblings') return done(readReply(keys[i]!, outcome));
      replies.push(outcome.kind === 'value' ? bulk(outcome.value) : NIL);
    }
    done(array(replies));
  });
}

function mset(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  if ((args.length - 1) % 2 !== 0) return done(wrongArity('mset'));
  const keys = keyNames(args, 1, 2);
  if (Buffer.isBuffer(keys)) return done(keys);
  const siblings = keepsSiblings(ctx);
  const setOne = (i: number, settle: (outcome: WriteOutcome) => void): void => {
    const value = args[2 + 2 * i]!;
    if (!siblings) return writeKey(ctx, keys[i]!, value, [], settle);
    readKey(ctx, keys[i]!, (outcome) => {
      if (outcome.kind === 'failed') return settle({ ok: false, error: outcome.error });
      const context: VersionVector = outcome.kind === 'siblings' ? outcome.result.context : outcome.context;
      writeKey(ctx, keys[i]!, value, context, settle);
    });
  };
  forEachKey<WriteOutcome>(keys.length, setOne, (outcomes) => {
    const failed = outcomes.find((o) => !o.ok);
    if (failed === undefined || failed.ok) return done(OK);
    const written = outcomes.filter((o) => o.ok).length;
    done(errorReply(failed.error, ` (MSET is not atomic: ${written} of ${keys.length} keys were written)`));
  });
}

/** The keys at positions first, first+step, ... of args, each checked; or the reply refusing them. */
export function keyNames(args: readonly Buffer[], first: number, step: number): string[] | Reply {
  const keys: string[] = [];
  for (let i = first; i < args.length; i += step) {
    const name = keyName(args[i]!);
    if (!name.ok) return name.reply;
    keys.push(name.key);
  }
  if (keys.length > MAX_KEYS_PER_COMMAND) return tooManyKeys(MAX_KEYS_PER_COMMAND);
  return keys;
}

export const STRING_COMMANDS: readonly CommandSpec[] = [
  { name: 'get', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], group: 'string', summary: 'Returns the string value of a key.', run: get },
  { name: 'set', arity: -3, flags: ['write', 'denyoom'], keys: [1, 1, 1], group: 'string', summary: 'Sets the string value of a key (NX, XX, GET, KEEPTTL).', run: set },
  { name: 'setnx', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], group: 'string', summary: 'Sets the value of a key only when it does not exist.', run: setnx },
  { name: 'getdel', arity: 2, flags: ['write', 'fast'], keys: [1, 1, 1], group: 'string', summary: 'Returns the value of a key and deletes it.', run: getdel },
  { name: 'mget', arity: -2, flags: ['readonly', 'fast'], keys: [1, -1, 1], group: 'string', summary: 'Returns the values of keys (not atomic across keys).', run: mget },
  { name: 'mset', arity: -3, flags: ['write', 'denyoom'], keys: [1, -1, 2], group: 'string', summary: 'Sets the values of keys (not atomic across keys).', run: mset },
];
