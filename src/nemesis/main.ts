/**
 * `npm run nemesis -- [--nodes 5] [--duration 120s] [--protocol http|native] [--secure]`: real node processes
 * from the build (run `npm run build` first), cart clients over HTTP or the TypeScript client, network splits with nftables on 127.0.0.x (as
 * root; nftables is installed from Debian when missing), SIGKILL/restart and SIGSTOP/SIGCONT, then
 * heal, converge and check. Prints a summary; exit status 1 on any lost write or other violation,
 * 2 when it could not run at all.
 */
import { Command, InvalidArgumentError } from 'commander';
import { formatCounts } from '../check/checker.js';
import { parseDuration } from '../sim/duration.js';
import type { CartProtocol } from './cart-transport.js';
import { NEMESIS_DEFAULTS, runNemesis } from './run.js';

interface Flags {
  nodes: number;
  duration: number;
  clients: number;
  protocol: CartProtocol;
  seed: number;
  basePort: number;
  addressBase: number;
  partitions: boolean;
  install: boolean;
  keepData: boolean;
  secure: boolean;
}

function integer(raw: string): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function protocol(raw: string): CartProtocol {
  if (raw !== 'http' && raw !== 'native') throw new InvalidArgumentError('expected http or native');
  return raw;
}

async function main(argv: readonly string[]): Promise<number> {
  const flags = new Command('nemesis')
    .description('faults against real node processes, then the lost-write checker')
    .option('--nodes <n>', 'node processes', integer, NEMESIS_DEFAULTS.nodes)
    .option('--duration <time>', 'time of load and faults, e.g. 120s, 2m', parseDuration, NEMESIS_DEFAULTS.durationMs)
    .option('--clients <n>', 'concurrent cart clients', integer, NEMESIS_DEFAULTS.clients)
    .option('--protocol <p>', 'the clients\' protocol: http, or native (the TypeScript client: client-coordinated reads)', protocol, NEMESIS_DEFAULTS.protocol)
    .option('--seed <n>', 'seed of the fault and workload choices', integer, NEMESIS_DEFAULTS.seed)
    .option('--base-port <port>', 'node i takes peer port BASE+i and HTTP port BASE+100+i', integer, NEMESIS_DEFAULTS.basePort)
    .option('--address-base <k>', 'node i listens on 127.0.0.(k+i)', integer, NEMESIS_DEFAULTS.addressBase)
    .option('--no-partitions', 'no network splits (only kills and pauses)')
    .option('--no-install', 'do not install nftables when it is missing')
    .option('--keep-data', 'keep the nodes\' data directories', false)
    .option('--secure', 'security on: a CA and node certificates in the run\'s data directory, mutual TLS, HTTPS and the TLS client port, the clients authenticated as a readwrite user, the checker as root', false)
    .parse(argv, { from: 'user' })
    .opts<Flags>();
  if (flags.addressBase + flags.nodes > 254) throw new InvalidArgumentError('--address-base + --nodes must stay below 255');
  const result = await runNemesis({
    nodes: flags.nodes,
    durationMs: flags.duration,
    clients: flags.clients,
    protocol: flags.protocol,
    seed: flags.seed,
    basePort: flags.basePort,
    addressBase: flags.addressBase,
    partitions: flags.partitions,
    installNft: flags.install,
    keepData: flags.keepData,
    secure: flags.secure,
  });
  const f = result.faults;
  console.log('nemesis faults:');
  for (const line of result.faultLog) console.log(`  ${line}`);
  console.log(`nemesis summary (${(result.elapsedMs / 1000).toFixed(1)} s${flags.secure ? ', security on' : ''}):`);
  console.log(`  faults: ${f.splits} splits, ${f.oneWayCuts} one-way cuts, ${f.kills} SIGKILL+restart, ${f.pauses} SIGSTOP/SIGCONT; partitions ${result.partitions.enabled ? 'on' : `off (${result.partitions.why})`}`);
  if (result.report !== null) {
    const c = result.report.counts;
    console.log(`  operations ${c.operations}, acknowledged writes ${c.writesAcked}, acknowledged items ${c.acknowledgedItems}, lost ${c.lost}`);
    console.log(`  checker: ${formatCounts(c)}`);
    for (const v of result.report.violations.slice(0, 20)) console.log(`  ${v.kind}: ${v.bucket}/${v.key}: ${v.detail}`);
  }
  console.log(`  time to converge after healing: ${result.convergedAfterMs === null ? 'never' : `${(result.convergedAfterMs / 1000).toFixed(1)} s`}; repair pass ${result.repairPass === null ? 'not needed' : `ran (${result.repairPass.keys} keys, ${result.repairPass.failures} failed)`}`);
  for (const p of result.problems) console.log(`  problem: ${p}`);
  console.log(result.ok ? 'nemesis: PASS' : 'nemesis: FAIL');
  return result.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`nemesis: ${(err as Error).message}`);
    process.exitCode = 2;
  },
);
