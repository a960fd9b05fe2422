/**
 * SADD, SREM, SMEMBERS, SISMEMBER, SCARD: backed by the set buckets of the data-model work, in a
 * bucket of their own (suggested `<bucket>-sets`, created `{"type": "set"}` on first use).
 *
 * Until the node has set buckets these answer an error naming what they need. Once it has:
 * - SADD key m...: `{op: 'update', bucket, key, update: {type: 'set', add: [m...], remove: []},
 *   context: []}`, replied with the UpdateResult's `added` (adds never need a context and are
 *   never lost);
 * - SREM key m...: `{op: 'get'}` first, then `{op: 'update', update: {type: 'set', add: [],
 *   remove: [m...]}, context: <the read's context>}`, so a remove never undoes an add it did not
 *   see; replied with `removed`;
 * - SMEMBERS, SISMEMBER, SCARD: one `{op: 'get'}`, whose GetResult.crdt is `{type: 'set', value:
 *   [sorted members]}` (absent: the empty set);
 * - `too_many_elements` maps to `-ERR`, `wrong_type` to `-WRONGTYPE ...`.
 */
import { needsDataModel } from './replies.js';
import type { CommandContext, CommandSpec } from './types.js';
import type { Reply } from './encoder.js';

function pending(command: string) {
  return (_ctx: CommandContext, _args: readonly Buffer[], done: (reply: Reply) => void): void =>
    done(needsDataModel(command, '', 'set buckets (the data-model work)'));
}

const spec = (name: string, arity: number, write: boolean, summary: string): CommandSpec => ({
  name, arity, flags: write ? ['write', 'denyoom', 'fast'] : ['readonly', 'fast'], keys: [1, 1, 1], group: 'set', summary, run: pending(name),
});

export const SET_COMMANDS: readonly CommandSpec[] = [
  spec('sadd', -3, true, 'Adds members to a set (needs set buckets).'),
  spec('srem', -3, true, 'Removes members from a set (needs set buckets).'),
  spec('smembers', 2, false, 'Returns the members of a set (needs set buckets).'),
  spec('sismember', 3, false, 'Tells whether a member is in a set (needs set buckets).'),
  spec('scard', 2, false, 'Returns the number of members of a set (needs set buckets).'),
];
