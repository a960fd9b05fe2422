/**
 * EXPIRE, PEXPIRE, TTL, PTTL, PERSIST (and SET's EX/PX, in string-commands.ts): backed by the key
 * expiry of the data-model work.
 *
 * Until the node has expiry these answer an error naming what it needs. Once it has:
 * - EXPIRE/PEXPIRE key t: a read, then a put of the read value with the read's context and
 *   `ttlMs` (seconds × 1000 for EXPIRE); `:1` when the key existed, `:0` otherwise;
 * - PERSIST key: the same with no expiry; `:1` when the key had one;
 * - TTL/PTTL key: a read, whose result carries the expiry (`:-2` absent, `:-1` no expiry);
 * - SET key v EX s / PX ms: the put with `ttlMs`; KEEPTTL: the put with the read's expiry.
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
