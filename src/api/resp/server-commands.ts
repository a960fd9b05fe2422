/**
 * Commands about the server: INFO, COMMAND (COUNT, DOCS, INFO, LIST), CONFIG GET, DBSIZE.
 *
 * INFO has Redis's sections server, clients, persistence (`loading:0`: ioredis's ready check waits
 * while it reads 1), keyspace, and a cluster section that says `cluster_enabled:0` (so clients do
 * not switch to Redis Cluster mode) followed by dynamo's own figures. CONFIG GET answers the two
 * parameters redis-benchmark asks for (save and appendonly) and nothing for the rest, as Redis does
 * for a parameter it does not have. DBSIZE is an estimate, documented: this node's records (all
 * buckets, deleted keys until they are reaped) times members over replicas.
 */
import { array, bulk, bulkArray, EMPTY_ARRAY, error, map, integer, NIL, simple, type Reply } from './encoder.js';
import { REDIS_COMPATIBLE_VERSION } from './connection-commands.js';
import { unknownSubcommand, wrongArity } from './replies.js';
import type { CommandContext, CommandRun, CommandSpec } from './types.js';

const CONFIG_VALUES: ReadonlyMap<string, string> = new Map([
  ['save', ''],
  ['appendonly', 'no'],
]);

function infoSections(ctx: CommandContext): Map<string, string[]> {
  const view = ctx.backend.cluster();
  const props = ctx.backend.props(ctx.session.bucket);
  const uptimeS = Math.floor((Date.now() - ctx.server.startedMs) / 1000);
  const keys = ctx.server.keyEstimate();
  return new Map([
    ['server', [
      `redis_version:${REDIS_COMPATIBLE_VERSION}`, `dynamo_version:${ctx.server.version}`, 'redis_mode:standalone',
      `process_id:${process.pid}`, `tcp_port:${ctx.server.port}`, `uptime_in_seconds:${uptimeS}`, `uptime_in_days:${Math.floor(uptimeS / 86400)}`,
    ]],
    ['clients', [`connected_clients:${ctx.server.connectionCount()}`]],
    ['persistence', ['loading:0', 'aof_enabled:0']],
    ['keyspace', keys > 0 ? [`db0:keys=${keys},expires=0,avg_ttl=0`] : []],
    ['cluster', [
      'cluster_enabled:0', `dynamo_node:${ctx.server.nodeId}`, `dynamo_serving:${ctx.backend.isServing() ? 1 : 0}`,
      `dynamo_members:${view?.members.length ?? 0}`, `dynamo_members_up:${view?.members.filter((m) => m.up).length ?? 0}`,
      `dynamo_partitions:${view?.partitions ?? 0}`, `dynamo_replicas:${view?.n ?? 0}`,
      `dynamo_bucket:${ctx.session.bucket}`, `dynamo_bucket_conflict:${props.conflict}`, `dynamo_bucket_n:${props.n}`,
      `dynamo_bucket_r:${props.r}`, `dynamo_bucket_w:${props.w}`, `dynamo_max_value_bytes:${ctx.server.maxValueBytes}`,
    ]],
  ]);
}

const TITLES: Readonly<Record<string, string>> = { server: 'Server', clients: 'Clients', persistence: 'Persistence', keyspace: 'Keyspace', cluster: 'Cluster' };

function info(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  const sections = infoSections(ctx);
  const asked = args.slice(1).map((a) => a.toString('latin1').toLowerCase());
  const all = asked.length === 0 || asked.some((a) => a === 'all' || a === 'default' || a === 'everything');
  const parts: string[] = [];
  for (const [name, lines] of sections) {
    if (!all && !asked.includes(name)) continue;
    parts.push(`# ${TITLES[name]!}\r\n${lines.map((l) => `${l}\r\n`).join('')}`);
  }
  done(bulk(parts.join('\r\n')));
}

function config(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  const sub = args[1]!.toString('latin1').toLowerCase();
  if (sub !== 'get') {
    if (sub === 'set' || sub === 'resetstat' || sub === 'rewrite') return done(error(`ERR CONFIG ${sub.toUpperCase()} is not supported: dynamo is configured by the flags of dynamo start`));
    return done(unknownSubcommand('config', args[1]!));
  }
  if (args.length < 3) return done(wrongArity('config|get'));
  const out: string[] = [];
  for (const raw of args.slice(2)) {
    const pattern = globToRegExp(raw.toString('latin1').toLowerCase());
    for (const [name, value] of CONFIG_VALUES) if (pattern.test(name) && !out.includes(name)) out.push(name, value);
  }
  const entries: [string, Reply][] = [];
  for (let i = 0; i < out.length; i += 2) entries.push([out[i]!, bulk(out[i + 1]!)]);
  done(map(entries, ctx.session.protocol));
}

/** Redis's glob (* ? [...]) as a regular expression, for CONFIG GET patterns. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const c of glob) {
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

function dbsize(ctx: CommandContext, _args: readonly Buffer[], done: (reply: Reply) => void): void {
  done(integer(ctx.server.keyEstimate()));
}

function describeCommand(spec: CommandSpec): Reply {
  return array([
    bulk(spec.name), integer(spec.arity), array(spec.flags.map(simple)),
    integer(spec.keys[0]), integer(spec.keys[1]), integer(spec.keys[2]),
    EMPTY_ARRAY, EMPTY_ARRAY, EMPTY_ARRAY, EMPTY_ARRAY,
  ]);
}

function documentCommand(spec: CommandSpec, protocol: 2 | 3): Reply {
  return map([
    ['summary', bulk(spec.summary)],
    ['since', bulk('1.0.0')],
    ['group', bulk(spec.group)],
  ], protocol);
}

/** COMMAND needs the whole table, which the dispatcher builds: it hands it in here. */
export function commandCommand(table: () => ReadonlyMap<string, CommandSpec>): CommandRun {
  return (ctx, args, done) => {
    const specs = [...table().values()];
    if (args.length === 1) return done(array(specs.map(describeCommand)));
    const sub = args[1]!.toString('latin1').toLowerCase();
    const named = args.slice(2).map((a) => table().get(a.toString('latin1').toLowerCase()));
    switch (sub) {
      case 'count':
        return done(args.length === 2 ? integer(specs.length) : wrongArity('command|count'));
      case 'list':
        return done(bulkArray(specs.map((s) => s.name)));
      case 'info':
        return done(array((args.length === 2 ? specs : named).map((s) => (s === undefined ? NIL : describeCommand(s)))));
      case 'docs': {
        const chosen = args.length === 2 ? specs : named.filter((s): s is CommandSpec => s !== undefined);
        return done(map(chosen.map((s) => [s.name, documentCommand(s, ctx.session.protocol)]), ctx.session.protocol));
      }
      default:
        return done(unknownSubcommand('command', args[1]!));
    }
  };
}

export const SERVER_COMMANDS: readonly CommandSpec[] = [
  { name: 'info', arity: -1, flags: ['loading', 'stale'], keys: [0, 0, 0], group: 'server', summary: 'Returns information about the node and its cluster.', run: info },
  { name: 'config', arity: -2, flags: ['admin', 'loading', 'stale'], keys: [0, 0, 0], group: 'server', summary: 'CONFIG GET save, appendonly.', run: config },
  { name: 'dbsize', arity: 1, flags: ['readonly', 'fast'], keys: [0, 0, 0], group: 'server', summary: 'Estimates the number of keys in the cluster.', run: dbsize },
];
