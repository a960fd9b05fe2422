/**
 * Fault profiles as plain option data (TigerBeetle's VOPR habit): each profile gives ranges, and
 * each seed draws its own parameters from them (and which fault classes it enables at all), so a
 * thousand seeds cover quiet runs, one-fault runs and storms alike.
 */
import type { Rng } from '../core/random.js';
import type { NetworkFaults } from './network.js';

export type ProfileName = 'none' | 'default' | 'heavy';

export const PROFILE_NAMES: readonly ProfileName[] = ['none', 'default', 'heavy'];

type Range = readonly [number, number];

export interface FaultProfile {
  readonly name: ProfileName;
  readonly dropRate: Range;
  readonly duplicateRate: Range;
  readonly maxDelayMs: Range;
  /** Each fault class below is enabled for a seed with this probability. */
  readonly enableRate: number;
  readonly splitEveryMs: Range | null;
  readonly splitLastsMs: Range;
  readonly crashEveryMs: Range | null;
  readonly crashLastsMs: Range;
  readonly maxDown: number;
  readonly tornCrashRate: number;
  readonly pauseEveryMs: Range | null;
  readonly pauseLastsMs: Range;
  readonly maxSkewMs: number;
  readonly membershipEveryMs: Range;
}

const PROFILES: Record<ProfileName, FaultProfile> = {
  none: {
    name: 'none', dropRate: [0, 0], duplicateRate: [0, 0], maxDelayMs: [20, 60], enableRate: 0,
    splitEveryMs: null, splitLastsMs: [0, 0], crashEveryMs: null, crashLastsMs: [0, 0], maxDown: 0, tornCrashRate: 0,
    pauseEveryMs: null, pauseLastsMs: [0, 0], maxSkewMs: 0, membershipEveryMs: [4000, 8000],
  },
  default: {
    name: 'default', dropRate: [0, 0.03], duplicateRate: [0, 0.02], maxDelayMs: [3, 40], enableRate: 0.75,
    splitEveryMs: [2000, 6000], splitLastsMs: [500, 4000], crashEveryMs: [2000, 6000], crashLastsMs: [300, 4000], maxDown: 1, tornCrashRate: 0.3,
    pauseEveryMs: [3000, 8000], pauseLastsMs: [100, 1500], maxSkewMs: 2000, membershipEveryMs: [3000, 7000],
  },
  heavy: {
    name: 'heavy', dropRate: [0.02, 0.1], duplicateRate: [0.01, 0.05], maxDelayMs: [10, 200], enableRate: 0.9,
    splitEveryMs: [500, 3000], splitLastsMs: [500, 6000], crashEveryMs: [500, 3000], crashLastsMs: [300, 6000], maxDown: 2, tornCrashRate: 0.5,
    pauseEveryMs: [1000, 4000], pauseLastsMs: [100, 3000], maxSkewMs: 10_000, membershipEveryMs: [2000, 5000],
  },
};

export function profile(name: ProfileName): FaultProfile {
  return PROFILES[name];
}

/** The parameters one seed runs with: drawn from a profile, then fixed for the run. */
export interface FaultPlan {
  readonly profile: ProfileName;
  readonly network: NetworkFaults;
  readonly splits: boolean;
  readonly crashes: boolean;
  readonly pauses: boolean;
  readonly skews: boolean;
  readonly membership: boolean;
}

function draw(rng: Rng, [lo, hi]: Range): number {
  return lo + rng.next() * (hi - lo);
}

export function drawInt(rng: Rng, [lo, hi]: Range): number {
  return lo + rng.int(hi - lo + 1);
}

export function drawPlan(rng: Rng, p: FaultProfile, membership: boolean): FaultPlan {
  const enabled = (): boolean => rng.next() < p.enableRate;
  const network: NetworkFaults = {
    dropRate: enabled() ? round4(draw(rng, p.dropRate)) : 0,
    duplicateRate: enabled() ? round4(draw(rng, p.duplicateRate)) : 0,
    minDelayMs: 1,
    maxDelayMs: drawInt(rng, p.maxDelayMs),
  };
  return {
    profile: p.name,
    network,
    splits: p.splitEveryMs !== null && enabled(),
    crashes: p.crashEveryMs !== null && enabled(),
    pauses: p.pauseEveryMs !== null && enabled(),
    skews: p.maxSkewMs > 0 && enabled(),
    membership,
  };
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

export function describePlan(plan: FaultPlan): string {
  const n = plan.network;
  const on = (['splits', 'crashes', 'pauses', 'skews', 'membership'] as const).filter((k) => plan[k]);
  return `faults ${plan.profile}: drop ${(n.dropRate * 100).toFixed(2)}%, duplicate ${(n.duplicateRate * 100).toFixed(2)}%, delay ${n.minDelayMs}-${n.maxDelayMs} ms; ${on.length === 0 ? 'no node faults' : on.join(', ')}`;
}
