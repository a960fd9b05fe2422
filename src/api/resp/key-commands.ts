/**
 * Commands on keys: DEL, EXISTS (the kv bucket's strings), TYPE (every bucket of the connection).
 *
 * A delete needs the context of what it removes (a blind tombstone would sit beside the value as a
 * sibling in a `siblings` bucket), and DEL answers how many keys existed, so each key is read and
 * then deleted with that read's context. DEL of several keys is not atomic: when one fails the
 * command answers the error, and the other keys may already be deleted (as a failed write may
 * have reached some replicas).
 */
import { integer, simple, type Reply } from './encoder.js';
import { deleteKey, errorReply, forEachKey, keyName, readKey, type ReadOutcome } from './keyspace.js';
import { keyNames } from './string-commands.js';
import type { ClientError } from '../../protocol/requests.js';
import type { CommandContext, CommandSpec } from './types.js';
import { submitTyped, typedBucket, type CrdtKind } from './typed-buckets.js';

type Counted = { readonly ok: true; readonly n: 0 | 1 } | { readonly ok: false; readonly error: ClientError };

function del(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  const keys = keyNames(args, 1, 1);
  if (Buffer.isBuffer(keys)) return done(keys);
  const deleteOne = (i: number, settle: (result: Counted) => void): void =>
    readKey(ctx, keys[i]!, (outcome) => {
      if (outcome.kind === 'failed') return settle({ ok: false, error: outcome.error });
      if (outcome.kind === 'absent') return settle({ ok: true, n: 0 });
      const context = outcome.kind === 'siblings' ? outcome.result.context : outcome.context;
      deleteKey(ctx, keys[i]!, context, (deleted) => settle(deleted.ok ? { ok: true, n: 1 } : { ok: false, error: deleted.error }));
    });
  forEachKey<Counted>(keys.length, deleteOne, (results) => done(total(results)));
}

function exists(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  const keys = keyNames(args, 1, 1);
  if (Buffer.isBuffer(keys)) return done(keys);
  const checkOne = (i: number, settle: (result: Counted) => void): void =>
    readKey(ctx, keys[i]!, (outcome) => settle(counted(outcome)));
  forEachKey<Counted>(keys.length, checkOne, (results) => done(total(results)));
}

function counted(outcome: ReadOutcome): Counted {
  if (outcome.kind === 'failed') return { ok: false, error: outcome.error };
  return { ok: true, n: outcome.kind === 'absent' ? 0 : 1 };
}

function total(results: readonly Counted[]): Reply {
  let n = 0;
  for (const result of results) {
    if (!result.ok) return errorReply(result.error);
    n += result.n;
  }
  return integer(n);
}

const STRING = simple('string');
const NONE = simple('none');
const SET = simple('set');

/**
 * A key's type across the connection's three buckets (read at once): a value in the kv bucket or a
 * counter is a "string" (Redis keeps INCR's numbers as strings), a non-empty set a "set". A name
 * used in more than one bucket answers the first of kv, counter, set.
 */
function type(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  const name = keyName(args[1]!);
  if (!name.ok) return done(name.reply);
  const readTyped = (kind: CrdtKind, settle: (found: Found) => void): void =>
    submitTyped(ctx, kind, { op: 'get', bucket: typedBucket(ctx.bucket, kind), key: name.key }, (response) => {
      if (!response.ok) return settle(response.error === 'wrong_type' ? null : response);
      const crdt = response.op === 'get' ? response.crdt : undefined;
      settle(crdt === undefined || (crdt.type === 'set' && crdt.value.length === 0) ? null : crdt.type === 'set' ? SET : STRING);
    });
  const reads: ((settle: (found: Found) => void) => void)[] = [
    (settle) => readKey(ctx, name.key, (outcome) => settle(outcome.kind === 'failed' ? outcome.error : outcome.kind === 'absent' ? null : STRING)),
    (settle) => readTyped('counter', settle),
    (settle) => readTyped('set', settle),
  ];
  forEachKey<Found>(reads.length, (i, settle) => reads[i]!(settle), (found) => {
    for (const f of found) if (f !== null && !Buffer.isBuffer(f)) return done(errorReply(f));
    done(found.find((f): f is Reply => Buffer.isBuffer(f)) ?? NONE);
  });
}

/** One bucket's answer to TYPE: the type found, none (null), or the failure. */
type Found = Reply | null | ClientError;

export const KEY_COMMANDS: readonly CommandSpec[] = [
  { name: 'del', arity: -2, flags: ['write'], keys: [1, -1, 1], group: 'generic', summary: 'Deletes keys (not atomic across keys).', run: del },
  { name: 'exists', arity: -2, flags: ['readonly', 'fast'], keys: [1, -1, 1], group: 'generic', summary: 'Counts the given keys that exist.', run: exists },
  { name: 'type', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], group: 'generic', summary: 'Returns the type of the value of a key.', run: type },
];
