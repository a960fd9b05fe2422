/**
 * The simulator's nemesis: independent fault processes on virtual time, each a timer that acts,
 * schedules its own repair and then its next act, until the fault phase ends. Splits (two random
 * groups, one node isolated, or a one-way cut), crashes (some torn: in the middle of a step) and
 * restarts, pauses, clock skew, and, when asked, membership changes (a node joins, a node leaves).
 * `healAll` ends every fault at once: the network heals and every crashed node restarts.
 */
import type { Rng } from '../core/random.js';
import type { SimCluster } from './cluster.js';
import { drawInt, type FaultPlan, type FaultProfile } from './fault-profiles.js';
import { NO_FAULTS } from './network.js';

export interface FaultStats {
  splits: number;
  crashes: number;
  tornCrashes: number;
  pauses: number;
  skewChanges: number;
  joins: number;
  leaves: number;
}

export class FaultInjector {
  readonly stats: FaultStats = { splits: 0, crashes: 0, tornCrashes: 0, pauses: 0, skewChanges: 0, joins: 0, leaves: 0 };
  private endMs = 0;
  private splitActive = false;
  private joined = 0;
  private readonly left = new Set<string>();

  constructor(
    private readonly sim: SimCluster,
    private readonly plan: FaultPlan,
    private readonly profile: FaultProfile,
    private readonly rng: Rng,
    private readonly seeds: readonly string[],
  ) {}

  /** Starts every enabled fault process; they stop acting at `endMs`. */
  start(endMs: number): void {
    this.endMs = endMs;
    this.sim.setFaults(this.plan.network);
    const p = this.profile;
    if (this.plan.splits && p.splitEveryMs !== null) this.every(p.splitEveryMs, 'split', () => this.split());
    if (this.plan.crashes && p.crashEveryMs !== null) this.every(p.crashEveryMs, 'crash', () => this.crash());
    if (this.plan.pauses && p.pauseEveryMs !== null) this.every(p.pauseEveryMs, 'pause', () => this.pause());
    if (this.plan.skews) {
      for (const id of this.sim.nodeIds()) this.skew(id);
      this.every([4000, 10_000], 'skew', () => this.skew(this.pick(this.sim.nodeIds())));
    }
    if (this.plan.membership) this.every(p.membershipEveryMs, 'membership', () => this.changeMembership());
  }

  private every(range: readonly [number, number], label: string, act: () => void): void {
    this.sim.at(drawInt(this.rng, range), label, () => {
      if (this.sim.nowMs >= this.endMs) return;
      act();
      this.every(range, label, act);
    });
  }

  private pick<T>(list: readonly T[]): T {
    return list[this.rng.int(list.length)]!;
  }

  private shuffled(list: readonly string[]): string[] {
    const out = [...list];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.rng.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  private split(): void {
    if (this.splitActive) return;
    const ids = this.shuffled(this.sim.nodeIds());
    const shape = this.rng.int(3);
    if (shape === 0) {
      const cut = 1 + this.rng.int(ids.length - 1);
      this.sim.split([ids.slice(0, cut), ids.slice(cut)]);
    } else if (shape === 1) {
      this.sim.split([[ids[0]!], ids.slice(1)]);
    } else {
      const cut = 1 + this.rng.int(ids.length - 1);
      this.sim.cutOneWay(ids.slice(0, cut), ids.slice(cut));
    }
    this.stats.splits++;
    this.splitActive = true;
    this.sim.at(drawInt(this.rng, this.profile.splitLastsMs), 'heal-split', () => {
      this.sim.heal();
      this.splitActive = false;
    });
  }

  private crash(): void {
    const running = this.sim.runningIds();
    const down = this.sim.nodeIds().length - running.length;
    if (down >= this.profile.maxDown || running.length <= 1) return;
    const id = this.pick(running);
    if (this.rng.next() < this.profile.tornCrashRate) {
      this.sim.crashDuringNextStep(id);
      this.stats.tornCrashes++;
    } else {
      this.sim.crash(id);
    }
    this.stats.crashes++;
    this.sim.at(drawInt(this.rng, this.profile.crashLastsMs), 'restart', () => this.sim.restart(id));
  }

  private pause(): void {
    const running = this.sim.runningIds().filter((id) => !this.sim.isPaused(id));
    if (running.length === 0) return;
    this.sim.pause(this.pick(running), drawInt(this.rng, this.profile.pauseLastsMs));
    this.stats.pauses++;
  }

  private skew(id: string): void {
    const max = this.profile.maxSkewMs;
    this.sim.setClockSkew(id, this.rng.int(2 * max + 1) - max);
    this.stats.skewChanges++;
  }

  /** Alternates joins and leaves; never lets the active members drop below the initial count - 1. */
  private changeMembership(): void {
    const active = this.sim.nodeIds().filter((id) => !this.left.has(id));
    const initial = this.seeds.length;
    if (this.stats.joins <= this.stats.leaves || active.length <= initial - 1) {
      const id = `j${++this.joined}`;
      this.sim.addNode(id, this.seeds);
      this.stats.joins++;
      return;
    }
    const candidates = active.filter((id) => this.sim.isRunning(id));
    if (candidates.length === 0) return;
    const id = this.pick(candidates);
    this.sim.leave(id);
    this.left.add(id);
    this.stats.leaves++;
  }

  /** Ends every fault: a clean network, no cuts, every crashed node restarted. Skew stays. */
  healAll(): void {
    this.endMs = Math.min(this.endMs, this.sim.nowMs);
    this.sim.setFaults({ ...NO_FAULTS, maxDelayMs: Math.max(NO_FAULTS.maxDelayMs, this.plan.network.maxDelayMs) });
    this.sim.heal();
    this.sim.cancelPendingCrashes();
    this.splitActive = false;
    for (const id of this.sim.nodeIds()) if (!this.sim.isRunning(id)) this.sim.restart(id);
  }
}
