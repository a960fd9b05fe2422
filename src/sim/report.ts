/**
 * What a simulator run prints: a summary per seed (the trace hash line is what replay checks
 * compare), and for a failing seed the violations, the command that replays it and the last
 * events before the end.
 */
import { formatCounts } from '../check/checker.js';
import { membershipByDefault } from './cli-options.js';
import { formatDuration } from './duration.js';
import { describePlan } from './fault-profiles.js';
import { SEED_DEFAULTS, violationLines, type SeedOptions, type SeedResult } from './run.js';

const secs = (ms: number | null): string => (ms === null ? 'never' : `${(ms / 1000).toFixed(2)} s`);


/**
 * The npm command that reruns exactly this seed: every option main.ts accepts that differs from
 * its default (cli-options.ts; the round trip is tested). keepEvents and convergeBoundMs have no
 * option: a replay runs with their defaults, as every run of the command does.
 */
export function replayCommand(o: SeedOptions): string {
  const parts = ['npm run sim --', `--seed ${o.seed}`];
  if (o.nodes !== SEED_DEFAULTS.nodes) parts.push(`--nodes ${o.nodes}`);
  if (o.durationMs !== SEED_DEFAULTS.durationMs) parts.push(`--duration ${formatDuration(o.durationMs)}`);
  if (o.faults !== SEED_DEFAULTS.faults) parts.push(`--faults ${o.faults}`);
  if (o.scenario !== SEED_DEFAULTS.scenario) parts.push(`--scenario ${o.scenario}`);
  if (o.workload !== SEED_DEFAULTS.workload) parts.push(`--workload ${o.workload}`);
  if (o.clients !== SEED_DEFAULTS.clients) parts.push(`--clients ${o.clients}`);
  if (o.membership !== membershipByDefault(o.faults)) parts.push(o.membership ? '--membership' : '--no-membership');
  if (!o.repairPass) parts.push('--no-repair-pass');
  const bugs = Object.entries(o.buggify).filter(([, on]) => on === true).map(([name]) => name);
  if (bugs.length > 0) parts.push(`--buggify ${bugs.join(',')}`);
  return parts.join(' ');
}

export function seedSummary(r: SeedResult): string[] {
  const o = r.options;
  const f = r.faultStats;
  const repair = r.repair === null ? 'not needed' : `ran (${r.repair.keys} keys read at R=N, ${r.repair.readRepairs} read repairs, ${r.repair.failures} failed)`;
  return [
    `seed ${o.seed}: ${o.nodes} nodes, scenario ${o.scenario}, workload ${o.workload}, ${formatDuration(o.durationMs)} of faults and load (virtual), ${o.clients} clients`,
    `  ${describePlan(r.plan)}`,
    `  injected: ${f.splits} splits, ${f.crashes} crashes (${f.tornCrashes} torn), ${f.pauses} pauses, ${f.skewChanges} clock skews, ${f.joins} joins, ${f.leaves} leaves`,
    `  after healing: quiet after ${secs(r.quiescedAfterMs)}, replicas converged after ${secs(r.convergedAfterMs)}; repair pass ${repair}`,
    `  checker: ${formatCounts(r.report.counts)}`,
    `  ${r.events} events, ${r.messages} messages, ${(r.virtualMs / 1000).toFixed(1)} s virtual`,
    `  trace hash: ${r.traceHash}`,
  ];
}

export function failureReport(r: SeedResult): string[] {
  return [
    `FAIL seed ${r.options.seed}`,
    ...violationLines(r).map((l) => `  ${l}`),
    `  replay: ${replayCommand(r.options)}`,
    '  last events, without heartbeats, gossip and anti-entropy (virtual seconds since start):',
    ...r.recentEvents.split('\n').map((l) => `  ${l}`),
  ];
}
