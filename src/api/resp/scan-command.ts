/**
 * SCAN cursor [MATCH pattern] [COUNT n] [TYPE t]: the cluster-wide key listing (`listKeys`) of
 * the connection's three buckets in turn: its kv bucket B (strings), `B-counters` (counters,
 * which Redis calls strings) and `B-sets` (typed-buckets.ts). The cursor is "0" to start and at
 * the end, else a letter naming the bucket (k, c, s) followed by the listing's own cursor for it,
 * which names a partition and a position, holds no state on any node and resumes on whichever
 * replicas are up. So every key that exists throughout a scan is returned at least once (the
 * listing asks every reachable replica of each partition), and a key may come twice only when a
 * page is retried. The cursor is text, not a number: clients that pass it back as a string
 * (ioredis, node-redis, redis-py) page through; `redis-cli --scan` parses it as a number and
 * stops after the first page.
 *
 * MATCH filters each page here, so a page may be shorter than COUNT or empty with a cursor that
 * goes on (as in Redis); TYPE string skips the set bucket, TYPE set lists only it, any other type
 * ends at once with no keys.
 */
import { array, bulk, bulkArray, error, type Reply } from './encoder.js';
import { errorReply } from './keyspace.js';
import { syntaxError, notInteger } from './replies.js';
import { typedBucket } from './typed-buckets.js';
import type { CommandContext, CommandSpec } from './types.js';

/** COUNT above this is taken as this: a page is one request that holds its keys in memory. */
const MAX_SCAN_COUNT = 1000;
const MAX_PATTERN_CHARS = 1024;

export type ScanPhase = 'k' | 'c' | 's';

export interface ScanOptions {
  readonly match: Glob | null;
  readonly count: number;
  readonly phases: readonly ScanPhase[];
}

/** SCAN's options as Redis checks them. */
export function parseScanOptions(args: readonly Buffer[]): ScanOptions | Reply {
  let match: Glob | null = null;
  let count = 10;
  let phases: readonly ScanPhase[] = ['k', 'c', 's'];
  for (let i = 2; i < args.length; i += 2) {
    const option = args[i]!.toString('latin1').toUpperCase();
    if (i + 1 >= args.length || !['MATCH', 'COUNT', 'TYPE'].includes(option)) return syntaxError();
    const value = args[i + 1]!;
    if (option === 'COUNT') {
      const n = Number(value.toString('latin1'));
      if (!Number.isSafeInteger(n)) return notInteger();
      if (n < 1) return syntaxError();
      count = Math.min(n, MAX_SCAN_COUNT);
    } else if (option === 'MATCH') {
      if (value.length > MAX_PATTERN_CHARS) return error(`ERR a MATCH pattern of at most ${MAX_PATTERN_CHARS} bytes`);
      match = globPattern(value.toString('utf8'));
    } else {
      const type = value.toString('latin1').toLowerCase();
      phases = type === 'string' ? ['k', 'c'] : type === 'set' ? ['s'] : [];
    }
  }
  return { match, count, phases };
}

/** A MATCH pattern: its characters, with a star or any-one marker where the glob has * or ?. */
export interface Glob {
  test(text: string): boolean;
}

const STAR = -1;
const ANY = -2;

/**
 * Redis's glob (*, ?, \x escapes the next character; [...] is taken literally) matched by the
 * two-pointer method: at most pattern × key steps, never the exponential backtracking a regular
 * expression of many stars can take on a hostile key.
 */
export function globPattern(glob: string): Glob {
  const tokens: number[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charCodeAt(i);
    if (c === 0x2a) tokens.push(STAR);
    else if (c === 0x3f) tokens.push(ANY);
    else if (c === 0x5c && i + 1 < glob.length) tokens.push(glob.charCodeAt(++i));
    else tokens.push(c);
  }
  return { test: (text) => globMatch(tokens, text) };
}

function globMatch(tokens: readonly number[], text: string): boolean {
  let t = 0;
  let p = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (t < text.length) {
    const token = p < tokens.length ? tokens[p]! : null;
    if (token === STAR) {
      starAt = p++;
      resumeAt = t;
    } else if (token !== null && (token === ANY || token === text.charCodeAt(t))) {
      p++;
      t++;
    } else if (starAt >= 0) {
      p = starAt + 1;
      t = ++resumeAt;
    } else return false;
  }
  while (p < tokens.length && tokens[p] === STAR) p++;
  return p === tokens.length;
}

/** Where a cursor is: a phase and the listing cursor inside it (null: the phase's start); null: not ours. */
export function parseScanCursor(text: string, phases: readonly ScanPhase[]): { phase: number; inner: string | null } | null {
  if (text === '0') return { phase: 0, inner: null };
  const at = phases.indexOf(text[0] as ScanPhase);
  if (at < 0) return null;
  return { phase: at, inner: text.length === 1 ? null : text.slice(1) };
}

function bucketOf(base: string, phase: ScanPhase): string {
  return phase === 'k' ? base : typedBucket(base, phase === 'c' ? 'counter' : 'set');
}

function scan(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  const options = parseScanOptions(args);
  if (Buffer.isBuffer(options)) return done(options);
  if (options.phases.length === 0) return done(array([bulk('0'), bulkArray([])]));
  const at = parseScanCursor(args[1]!.toString('latin1'), options.phases);
  if (at === null) return done(error('ERR invalid cursor'));
  const phase = options.phases[at.phase]!;
  const request = { op: 'listKeys', bucket: bucketOf(ctx.bucket, phase), limit: options.count, cursor: at.inner } as const;
  const started = performance.now();
  ctx.backend.submit(request, (response) => {
    ctx.metrics?.observe('keys', response.ok ? 'ok' : response.error, (performance.now() - started) / 1000);
    if (!response.ok) return done(response.error === 'bad_request' ? error(`ERR invalid cursor (${response.message})`) : errorReply(response));
    if (response.op !== 'keys') return done(error(`ERR the node answered a '${response.op}' result to a key listing`));
    const next = response.cursor !== null ? `${phase}${response.cursor}` : at.phase + 1 < options.phases.length ? options.phases[at.phase + 1]! : '0';
    const keys = options.match === null ? response.keys : response.keys.filter((k) => options.match!.test(k));
    done(array([bulk(next), bulkArray(keys)]));
  });
}

export const SCAN_COMMANDS: readonly CommandSpec[] = [
  { name: 'scan', arity: -2, flags: ['readonly'], keys: [0, 0, 0], group: 'generic', summary: 'Iterates the keys of the cluster (MATCH, COUNT, TYPE).', run: scan },
];
