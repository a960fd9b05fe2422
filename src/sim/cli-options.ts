/**
 * The options of `npm run sim`, parsed into the SeedOptions of a run. Kept apart from main.ts so
 * that a test can parse the replay line a failure prints (report.ts) and get the same run back.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Buggify } from '../node/config.js';
import { parseDuration } from './duration.js';
import { PROFILE_NAMES, type ProfileName } from './fault-profiles.js';
import { GOSSIP_DEFAULTS } from './gossip-scale.js';
import { SEED_DEFAULTS, type Scenario, type SeedOptions } from './run.js';
import { WORKLOADS, type Workload } from './workloads.js';

export interface SimFlags {
  seed?: number;
  seeds?: number;
  firstSeed: number;
  nodes?: number;
  duration: number;
  faults: ProfileName;
  scenario: Scenario | 'gossip';
  workload: Workload;
  clients: number;
  /** Unset: joins and leaves unless --faults none. */
  membership?: boolean;
  buggify: Buggify;
  repairPass: boolean;
  partitions: number;
  gossipOnly: boolean;
  verbose: boolean;
}

function integer(raw: string): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

export const BUGS = ['noHintedHandoff', 'firstReplyWins'] as const;

function parseBuggify(raw: string): Buggify {
  const out: Record<string, boolean> = {};
  for (const name of raw.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    if (!(BUGS as readonly string[]).includes(name)) throw new InvalidArgumentError(`unknown switch ${name} (known: ${BUGS.join(', ')})`);
    out[name] = true;
  }
  return out;
}

export function simProgram(): Command {
  return new Command('sim')
    .description('deterministic simulation of a dynamo cluster under faults, with the lost-write checker')
    .option('--seed <n>', 'run one seed', integer)
    .option('--seeds <count>', 'run this many seeds (from --first-seed)', integer)
    .option('--first-seed <n>', 'first seed of --seeds', integer, 1)
    .option('--nodes <n>', `nodes (default ${SEED_DEFAULTS.nodes}; ${GOSSIP_DEFAULTS.nodes} for --scenario gossip)`, integer)
    .option('--duration <time>', 'virtual time of load and faults, e.g. 20s, 2m', parseDuration, SEED_DEFAULTS.durationMs)
    .addOption(new Option('--faults <profile>', 'fault profile').choices(PROFILE_NAMES).default(SEED_DEFAULTS.faults))
    .addOption(new Option('--scenario <name>', 'cart: random faults; crash-restart: two nodes down, hints must repair them; gossip: scale').choices(['cart', 'crash-restart', 'gossip']).default('cart'))
    .addOption(new Option('--workload <name>', 'kv: the cart on kv siblings; set-cart: the cart on a set bucket (adds, context removes); expiring: sessions with ttls under clock skew').choices(WORKLOADS).default(SEED_DEFAULTS.workload))
    .option('--clients <n>', 'concurrent cart clients', integer, SEED_DEFAULTS.clients)
    .option('--membership', 'inject joins and leaves (the default, except with --faults none)')
    .option('--no-membership', 'leave out joins and leaves')
    .option('--buggify <switches>', `deliberately broken node behaviour: ${BUGS.join(', ')}`, parseBuggify, {})
    .option('--no-repair-pass', 'never run the explicit repair pass before the final check')
    .option('--partitions <q>', 'ring size for --scenario gossip', integer, GOSSIP_DEFAULTS.partitions)
    .option('--gossip-only', 'gossip scenario: cut the joiner off so the news spreads by gossip alone', false)
    .option('--verbose', 'a line per seed with --seeds', false);
}

/** Parses the arguments after `npm run sim --` (commander prints usage errors and exits). */
export function parseSimArgs(argv: readonly string[], program: Command = simProgram()): SimFlags {
  return program.parse(argv, { from: 'user' }).opts<SimFlags>();
}

/** Joins and leaves are on by default, except with --faults none (a run without faults). */
export function membershipByDefault(faults: ProfileName): boolean {
  return faults !== 'none';
}

export function seedOptions(flags: SimFlags, seed: number): SeedOptions {
  if (flags.scenario === 'gossip') throw new Error('the gossip scenario runs no seeds of the cart workload');
  return {
    ...SEED_DEFAULTS,
    seed,
    nodes: flags.nodes ?? SEED_DEFAULTS.nodes,
    durationMs: flags.duration,
    faults: flags.faults,
    scenario: flags.scenario,
    workload: flags.workload,
    clients: flags.clients,
    membership: flags.membership ?? membershipByDefault(flags.faults),
    buggify: flags.buggify,
    repairPass: flags.repairPass,
  };
}
