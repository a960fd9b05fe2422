/**
 * What clients send on connect and to manage their connection: PING, ECHO, QUIT, SELECT, HELLO,
 * AUTH and CLIENT, with Redis's replies and error strings (go-redis, for one, falls back to RESP2
 * only on an error starting with NOPROTO or "ERR unknown command", and breaks on a closed socket).
 *
 * HELLO 2 and HELLO 3 both work (node-redis and go-redis ask for RESP3 by default): this port's
 * replies differ between the two only in maps (encoder.ts). With security on, AUTH user password
 * and AUTH password (as root) log in as the cluster's users (access.ts); with it off, AUTH answers
 * as a Redis without a password does.
 */
import { bulk, error, map, integer, EMPTY_ARRAY, OK, PONG, type Reply } from './encoder.js';
import { syntaxError, unknownSubcommand, wrongArity } from './replies.js';
import { logIn, PASSWORD_ONLY_USER } from './access.js';
import type { CommandContext, CommandSpec, Session } from './types.js';

export const REDIS_COMPATIBLE_VERSION = '7.0.0';

const NO_PASSWORD = error(
  'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
);
const WRONGPASS = error('WRONGPASS invalid username-password pair or user is disabled.');
const BAD_NAME = error('ERR Client names cannot contain spaces, newlines or special characters.');

function ping(_ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  if (args.length > 2) return done(wrongArity('ping'));
  done(args.length === 2 ? bulk(args[1]!) : PONG);
}

function echo(_ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  done(bulk(args[1]!));
}

function quit(ctx: CommandContext, _args: readonly Buffer[], done: (reply: Reply) => void): void {
  ctx.session.quitting = true;
  done(OK);
}

/** One database: SELECT 0 works, any other index is out of range. */
function select(_ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  const text = args[1]!.toString('latin1');
  if (!/^-?\d+$/.test(text)) return done(error('ERR value is not an integer or out of range'));
  done(Number(text) === 0 ? OK : error('ERR DB index is out of range'));
}

/** The default user has no password, so only "default" with any password logs in (as in Redis). */
function authenticate(user: string | null): Reply | null {
  if (user === null) return NO_PASSWORD;
  return user === 'default' ? null : WRONGPASS;
}

function auth(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  if (args.length > 3) return done(syntaxError());
  if (ctx.server.auth !== undefined) {
    const user = args.length === 3 ? args[1]!.toString('utf8') : PASSWORD_ONLY_USER;
    return logIn(ctx.server, ctx.session, user, args[args.length - 1]!.toString('utf8'), done);
  }
  const refused = authenticate(args.length === 3 ? args[1]!.toString('utf8') : null);
  done(refused ?? OK);
}

function hello(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  if (args.length >= 2) {
    const text = args[1]!.toString('latin1');
    if (!/^-?\d+$/.test(text)) return done(error('ERR Protocol version is not an integer or out of range'));
    if (Number(text) !== 2 && Number(text) !== 3) return done(error('NOPROTO unsupported protocol version'));
  }
  let name: Buffer | null = null;
  let login: { user: string; password: string } | null = null;
  for (let i = 2; i < args.length; i++) {
    const option = args[i]!.toString('latin1').toUpperCase();
    if (option === 'AUTH' && i + 2 < args.length) {
      login = { user: args[i + 1]!.toString('utf8'), password: args[i + 2]!.toString('utf8') };
      const refused = ctx.server.auth === undefined ? authenticate(login.user) : null;
      if (refused !== null) return done(refused);
      i += 2;
    } else if (option === 'SETNAME' && i + 1 < args.length) {
      name = args[++i]!;
    } else {
      return done(error(`ERR Syntax error in HELLO option '${args[i]!.toString('utf8')}'`));
    }
  }
  if (ctx.server.auth !== undefined && login !== null) {
    const chosen = login;
    return logIn(ctx.server, ctx.session, chosen.user, chosen.password, (reply) => (reply === OK ? handshake(ctx, args, name, done) : done(reply)));
  }
  if (ctx.server.auth !== undefined && ctx.session.principal === null) return done(error('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time'));
  handshake(ctx, args, name, done);
}

/** HELLO's effect once the client may use the connection: the name, the protocol, the reply. */
function handshake(ctx: CommandContext, args: readonly Buffer[], name: Buffer | null, done: (reply: Reply) => void): void {
  if (name !== null && !setName(ctx.session, name)) return done(BAD_NAME);
  if (args.length >= 2) ctx.session.protocol = Number(args[1]!.toString('latin1')) === 3 ? 3 : 2;
  done(
    map([
      ['server', bulk('redis')],
      ['version', bulk(REDIS_COMPATIBLE_VERSION)],
      ['proto', integer(ctx.session.protocol)],
      ['id', integer(ctx.session.id)],
      ['mode', bulk('standalone')],
      ['role', bulk('master')],
      ['modules', EMPTY_ARRAY],
    ], ctx.session.protocol),
  );
}

/** Redis's rule: a name is printable ASCII without spaces; an empty one clears it. */
function setName(session: Session, raw: Buffer): boolean {
  for (const c of raw) if (c < 0x21 || c > 0x7e) return false;
  session.name = raw.length === 0 ? null : raw.toString('latin1');
  return true;
}

function client(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  const sub = args[1]!.toString('latin1').toLowerCase();
  const arity = (n: number): boolean => args.length === n;
  switch (sub) {
    case 'setname':
      if (!arity(3)) return done(wrongArity('client|setname'));
      return done(setName(ctx.session, args[2]!) ? OK : BAD_NAME);
    case 'getname':
      if (!arity(2)) return done(wrongArity('client|getname'));
      return done(bulk(ctx.session.name));
    case 'id':
      if (!arity(2)) return done(wrongArity('client|id'));
      return done(integer(ctx.session.id));
    case 'setinfo':
      if (!arity(4)) return done(wrongArity('client|setinfo'));
      return done(setInfo(ctx.session, args[2]!.toString('latin1').toLowerCase(), args[3]!));
    case 'info':
      if (!arity(2)) return done(wrongArity('client|info'));
      return done(bulk(`${describe(ctx)}\n`));
    default:
      return done(unknownSubcommand('client', args[1]!));
  }
}

function setInfo(session: Session, attribute: string, raw: Buffer): Reply {
  for (const c of raw) if (c < 0x21 || c > 0x7e) return error(`ERR ${attribute} cannot contain spaces, newlines or special characters.`);
  const value = raw.toString('latin1');
  if (attribute === 'lib-name') session.libName = value;
  else if (attribute === 'lib-ver') session.libVersion = value;
  else return error(`ERR Unrecognized option '${attribute}'`);
  return OK;
}

/** A CLIENT INFO line with the fields this port knows. */
function describe(ctx: CommandContext): string {
  const s = ctx.session;
  return `id=${s.id} name=${s.name ?? ''} db=0 lib-name=${s.libName ?? ''} lib-ver=${s.libVersion ?? ''} resp=2 bucket=${s.bucket}`;
}

export const CONNECTION_COMMANDS: readonly CommandSpec[] = [
  { name: 'ping', arity: -1, flags: ['fast'], keys: [0, 0, 0], group: 'connection', summary: 'Returns PONG, or the argument.', run: ping },
  { name: 'echo', arity: 2, flags: ['fast'], keys: [0, 0, 0], group: 'connection', summary: 'Returns the given string.', run: echo },
  { name: 'quit', arity: -1, flags: ['fast', 'no-auth'], keys: [0, 0, 0], group: 'connection', summary: 'Closes the connection.', run: quit },
  { name: 'select', arity: 2, flags: ['fast'], keys: [0, 0, 0], group: 'connection', summary: 'Selects database 0 (the only one).', run: select },
  { name: 'auth', arity: -2, flags: ['fast', 'no-auth'], keys: [0, 0, 0], group: 'connection', summary: 'Authenticates the connection.', run: auth },
  { name: 'hello', arity: -1, flags: ['fast', 'no-auth'], keys: [0, 0, 0], group: 'connection', summary: 'Handshakes with the server (RESP2 only).', run: hello },
  { name: 'client', arity: -2, flags: [], keys: [0, 0, 0], group: 'connection', summary: 'CLIENT SETNAME, GETNAME, ID, SETINFO, INFO.', run: client },
];
