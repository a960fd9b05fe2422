/**
 * SADD, SREM, SMEMBERS, SISMEMBER, SCARD: backed by the set buckets of the data-model work.
 *
 * Until the node has set buckets these answer an error naming what they need. Once it has:
 * - SADD key m...: `{op: 'setUpdate', bucket, key, add: [m...], remove: []}`; replies how many
 *   members were new, from a read before (the count may be off under concurrent adds, the adds
 *   never are);
 * - SREM key m...: a read (`{op: 'get'}`, giving the members and the context), then
 *   `{op: 'setUpdate', add: [], remove: [m...], context}` of the read, so a remove never undoes a
 *   concurrent add it did not see; replies how many of the members the read held;
 * - SMEMBERS, SISMEMBER, SCARD: one `{op: 'get'}` of the set (sorted members).
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
