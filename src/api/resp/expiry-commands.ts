/**
 * EXPIRE, PEXPIRE, TTL, PTTL, PERSIST (and SET's EX/PX, in string-commands.ts): backed by the key
 * expiry of the data-model work.
 *
 * Until the node has expiry these answer an error naming what it needs. Once it has (WriteOptions
 * `ttlMs`, Version `expiresAtMs`):
 * - EXPIRE/PEXPIRE key t: `{op: 'get'}`, then `{op: 'put', value: <read value>, context: <read
 *   context>, ttlMs: t × 1000 (EXPIRE) or t}`; `:1` when the key existed, `:0` (no write) otherwise;
 * - PERSIST key: the same with `ttlMs: 0`; `:1` when the read version had an `expiresAtMs`;
 * - TTL/PTTL key: `{op: 'get'}`; `:-2` absent, `:-1` no `expiresAtMs`, else what is left;
 * - SET EX s / PX ms: the put with `ttlMs`; KEEPTTL: read first and put with what is left of the
 *   read version's expiry (today, with no expiry anywhere, KEEPTTL is correctly a plain SET).
 */
import { needsDataModel, notInteger } from './replies.js';
import type { CommandContext, CommandSpec } from './types.js';
import type { Reply } from './encoder.js';

function pending(command: string, takesTime: boolean) {
  return (_ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void => {
    if (takesTime && !/^-?\d+$/.test(args[2]!.toString('latin1'))) return done(notInteger());
    done(needsDataModel(command, '', 'key expiry (the data-model work)'));
  };
}

const spec = (name: string, arity: number, takesTime: boolean, summary: string): CommandSpec => ({
  name, arity, flags: takesTime || name === 'persist' ? ['write', 'fast'] : ['readonly', 'fast'], keys: [1, 1, 1], group: 'generic', summary, run: pending(name, takesTime),
});

export const EXPIRY_COMMANDS: readonly CommandSpec[] = [
  spec('expire', -3, true, 'Sets the expiry of a key in seconds (needs key expiry).'),
  spec('pexpire', -3, true, 'Sets the expiry of a key in milliseconds (needs key expiry).'),
  spec('ttl', 2, false, 'Returns the seconds a key has left (needs key expiry).'),
  spec('pttl', 2, false, 'Returns the milliseconds a key has left (needs key expiry).'),
  spec('persist', 2, false, 'Removes the expiry of a key (needs key expiry).'),
];
