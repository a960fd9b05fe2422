/**
 * SADD, SREM, SMEMBERS, SISMEMBER, SCARD: backed by a set bucket (typed-buckets.ts:
 * `<bucket>-sets`), an observed-remove set that merges itself.
 * - SADD key m...: one `update` adding the members, no context: adds are never lost, whichever
 *   nodes they go through; the reply is how many were new by the coordinator's view;
 * - SREM key m...: a `get`, then an `update` removing them with that read's context, so a remove
 *   never undoes an add it did not see (an add concurrent with a remove wins); the reply is how
 *   many were there by the coordinator's view;
 * - SMEMBERS, SISMEMBER, SCARD: one `get`, whose `crdt` holds the sorted members (absent: the
 *   empty set, as Redis answers for a missing key).
 * Members are UTF-8 text (set elements are strings); a binary member is refused, never mapped.
 */
import type { ClientResponse, CrdtUpdate, GetResult } from '../../protocol/requests.js';
import type { VersionVector } from '../../core/versions/index.js';
import { bulkArray, error, integer, type Reply } from './encoder.js';
import { errorReply, keyName } from './keyspace.js';
import { tooManyKeys } from './replies.js';
import { MAX_KEYS_PER_COMMAND } from './string-commands.js';
import { prepareFor, submitTyped, typedBucket } from './typed-buckets.js';
import type { CommandContext, CommandSpec } from './types.js';

const NOT_UTF8_MEMBER = error('ERR set members must be UTF-8 text (dynamo set elements are strings)');

function members(args: readonly Buffer[]): string[] | Reply {
  if (args.length - 2 > MAX_KEYS_PER_COMMAND) return tooManyKeys(MAX_KEYS_PER_COMMAND);
  const out: string[] = [];
  for (let i = 2; i < args.length; i++) {
    const name = keyName(args[i]!);
    if (!name.ok) return NOT_UTF8_MEMBER;
    out.push(name.key);
  }
  return out;
}

type SetRead = { readonly ok: true; readonly members: readonly string[]; readonly context: VersionVector } | { readonly ok: false; readonly reply: Reply };

function readSet(ctx: CommandContext, key: string, done: (read: SetRead) => void): void {
  const bucket = typedBucket(ctx.bucket, 'set');
  prepareFor(ctx, bucket, 'set');
  const started = performance.now();
  submitTyped(ctx, 'set', { op: 'get', bucket, key }, (response) => {
    ctx.metrics?.observe('get', response.ok ? 'ok' : response.error, (performance.now() - started) / 1000);
    done(setOf(response));
  });
}

function setOf(response: ClientResponse): SetRead {
  if (!response.ok) return { ok: false, reply: errorReply(response) };
  if (response.op !== 'get') return { ok: false, reply: error(`ERR the node answered a '${response.op}' result to a read`) };
  const crdt = (response as GetResult).crdt;
  if (crdt === undefined) return { ok: true, members: [], context: response.context };
  if (crdt.type !== 'set') return { ok: false, reply: errorReply({ ok: false, error: 'wrong_type', message: 'not a set' }) };
  return { ok: true, members: crdt.value, context: response.context };
}

function update(ctx: CommandContext, key: string, change: CrdtUpdate, context: VersionVector, done: (reply: Reply) => void, pick: 'added' | 'removed'): void {
  const bucket = typedBucket(ctx.bucket, 'set');
  prepareFor(ctx, bucket, 'set');
  const started = performance.now();
  submitTyped(ctx, 'set', { op: 'update', bucket, key, update: change, context }, (response) => {
    ctx.metrics?.observe('update', response.ok ? 'ok' : response.error, (performance.now() - started) / 1000);
    if (!response.ok) return done(errorReply(response));
    if (response.op !== 'update') return done(error(`ERR the node answered a '${response.op}' result to an update`));
    done(integer(response[pick]));
  });
}

function sadd(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  const name = keyName(args[1]!);
  if (!name.ok) return done(name.reply);
  const add = members(args);
  if (Buffer.isBuffer(add)) return done(add);
  update(ctx, name.key, { type: 'set', add, remove: [] }, [], done, 'added');
}

function srem(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  const name = keyName(args[1]!);
  if (!name.ok) return done(name.reply);
  const remove = members(args);
  if (Buffer.isBuffer(remove)) return done(remove);
  readSet(ctx, name.key, (read) => {
    if (!read.ok) return done(read.reply);
    const present = new Set(read.members);
    if (!remove.some((m) => present.has(m))) return done(integer(0));
    update(ctx, name.key, { type: 'set', add: [], remove }, read.context, done, 'removed');
  });
}

function smembers(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  const name = keyName(args[1]!);
  if (!name.ok) return done(name.reply);
  readSet(ctx, name.key, (read) => done(read.ok ? bulkArray(read.members) : read.reply));
}

function sismember(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  const name = keyName(args[1]!);
  if (!name.ok) return done(name.reply);
  const member = keyName(args[2]!);
  if (!member.ok) return done(integer(0));
  readSet(ctx, name.key, (read) => done(read.ok ? integer(read.members.includes(member.key) ? 1 : 0) : read.reply));
}

function scard(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  const name = keyName(args[1]!);
  if (!name.ok) return done(name.reply);
  readSet(ctx, name.key, (read) => done(read.ok ? integer(read.members.length) : read.reply));
}

const spec = (name: string, arity: number, write: boolean, summary: string, run: CommandSpec['run']): CommandSpec => ({
  name, arity, flags: write ? ['write', 'denyoom', 'fast'] : ['readonly', 'fast'], keys: [1, 1, 1], group: 'set', summary, run,
});

export const SET_COMMANDS: readonly CommandSpec[] = [
  spec('sadd', -3, true, 'Adds members to a set (in the <bucket>-sets bucket).', sadd),
  spec('srem', -3, true, 'Removes members from a set (in the <bucket>-sets bucket).', srem),
  spec('smembers', 2, false, 'Returns the members of a set.', smembers),
  spec('sismember', 3, false, 'Tells whether a member is in a set.', sismember),
  spec('scard', 2, false, 'Returns the number of members of a set.', scard),
];
