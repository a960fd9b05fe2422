/**
 * The command table and the one place a parsed command is checked and run: a known name with a
 * fitting number of arguments goes to its family's function; anything else gets Redis's error
 * reply, and the connection goes on (clients probe commands they are not sure of).
 */
import { assert } from '../../core/assert.js';
import { NOAUTH, needsAuth } from './access.js';
import { CONNECTION_COMMANDS } from './connection-commands.js';
import { COUNTER_COMMANDS } from './counter-commands.js';
import { DYNAMO_COMMANDS } from './dynamo-commands.js';
import type { Reply } from './encoder.js';
import type { Access } from './key-order.js';
import { EXPIRY_COMMANDS } from './expiry-commands.js';
import { KEY_COMMANDS } from './key-commands.js';
import { unknownCommand, wrongArity } from './replies.js';
import { SCAN_COMMANDS } from './scan-command.js';
import { commandCommand, SERVER_COMMANDS } from './server-commands.js';
import { SET_COMMANDS } from './set-commands.js';
import { STRING_COMMANDS } from './string-commands.js';
import type { CommandContext, CommandSpec } from './types.js';

function buildTable(): ReadonlyMap<string, CommandSpec> {
  const table = new Map<string, CommandSpec>();
  const command: CommandSpec = {
    name: 'command', arity: -1, flags: ['loading', 'stale'], keys: [0, 0, 0], group: 'server',
    summary: 'Describes the commands this port knows (COUNT, DOCS, INFO, LIST).', run: commandCommand(() => table),
  };
  const families = [CONNECTION_COMMANDS, SERVER_COMMANDS, [command], STRING_COMMANDS, KEY_COMMANDS, DYNAMO_COMMANDS, COUNTER_COMMANDS, SET_COMMANDS, EXPIRY_COMMANDS, SCAN_COMMANDS];
  for (const spec of families.flat()) {
    assert(!table.has(spec.name), `command ${spec.name} is defined once`);
    assert(spec.name === spec.name.toLowerCase(), 'command names are kept in lower case');
    table.set(spec.name, spec);
  }
  return table;
}

export const COMMANDS: ReadonlyMap<string, CommandSpec> = buildTable();

/** Runs one command; `done` is called once with its reply, now or when the node answers. */
export function dispatch(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  assert(args.length > 0, 'the parser emits commands with a name');
  const spec = COMMANDS.get(commandName(args[0]!));
  if (spec === undefined) return done(unknownCommand(args));
  if (spec.arity > 0 ? args.length !== spec.arity : args.length < -spec.arity) return done(wrongArity(spec.name));
  if (needsAuth(ctx.server, ctx.session, spec.flags)) {
    const waiting = ctx.session.waitingForLogin;
    if (waiting === null) return done(NOAUTH);
    waiting.push(() => dispatch(ctx, args, done));
    return;
  }
  spec.run(ctx, args, done);
}

/**
 * The keys a command touches (from its table entry's key positions, qualified by bucket) and
 * whether it writes, for KeyOrder; null for a command without keys or one that will be refused.
 */
export function accessOf(args: readonly Buffer[], bucket: string): Access | null {
  const spec = COMMANDS.get(commandName(args[0]!));
  if (spec === undefined || spec.keys[0] === 0) return null;
  if (spec.arity > 0 ? args.length !== spec.arity : args.length < -spec.arity) return null;
  const [first, lastRaw, step] = spec.keys;
  const last = lastRaw < 0 ? args.length + lastRaw : lastRaw;
  const keys: string[] = [];
  for (let i = first; i <= last && i < args.length; i += step) keys.push(`${bucket}\0${args[i]!.toString('latin1')}`);
  return { keys, write: spec.flags.includes('write') };
}

/** The lower-cased name, without a string per call for the names sent most. */
function commandName(raw: Buffer): string {
  if (raw.length === 3) {
    const a = raw[0]! | 0x20;
    const b = raw[1]! | 0x20;
    const c = raw[2]! | 0x20;
    if (a === 0x67 && b === 0x65 && c === 0x74) return 'get';
    if (a === 0x73 && b === 0x65 && c === 0x74) return 'set';
  }
  return raw.toString('latin1').toLowerCase();
}
