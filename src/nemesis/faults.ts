/**
 * The real-process nemesis's faults, one at a time: a network split on real sockets (two random
 * groups, one node isolated, or a one-way cut; packets dropped or connections reset), a SIGKILL
 * and restart, or a SIGSTOP/SIGCONT pause. Each is held for a few seconds and undone, then the
 * next comes after a short calm. Choices come from a seeded Rng, so a run's plan can be repeated;
 * the timing of real processes cannot.
 */
import type { Rng } from '../core/random.js';
import { sleep } from './clients.js';
import type { CutMode, Firewall } from './firewall.js';
import type { NodeProcesses } from './processes.js';

export interface FaultStats {
  splits: number;
  oneWayCuts: number;
  kills: number;
  pauses: number;
}

type Fault = 'split' | 'kill' | 'pause';

export class ProcessFaults {
  readonly stats: FaultStats = { splits: 0, oneWayCuts: 0, kills: 0, pauses: 0 };
  readonly log: string[] = [];

  constructor(
    private readonly nodes: NodeProcesses,
    private readonly firewall: Firewall | null,
    private readonly rng: Rng,
    private readonly now: () => number,
  ) {}

  private between(lo: number, hi: number): number {
    return lo + this.rng.int(hi - lo + 1);
  }

  private note(line: string): void {
    this.log.push(`${(this.now() / 1000).toFixed(1)} s  ${line}`);
  }

  async run(untilMs: number): Promise<void> {
    const kinds: Fault[] = this.firewall === null ? ['kill', 'pause'] : ['split', 'split', 'kill', 'pause'];
    while (this.now() < untilMs) {
      await sleep(this.between(1000, 3000));
      if (this.now() >= untilMs) break;
      const kind = kinds[this.rng.int(kinds.length)]!;
      // The last fault lasts until the end, so that healing (and the convergence time) follows a real fault.
      const left = untilMs - this.now();
      const holdMs = Math.max(0, left < 10_000 ? left : Math.min(this.between(2000, 8000), left));
      if (kind === 'split') await this.split(holdMs);
      else if (kind === 'kill') await this.kill(holdMs);
      else await this.pause(Math.min(holdMs, 5000));
    }
  }

  private shuffled(): number[] {
    const out = this.nodes.specs.map((s) => s.index);
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.rng.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  private async split(holdMs: number): Promise<void> {
    const fw = this.firewall!;
    const ids = this.shuffled();
    const mode: CutMode = this.rng.next() < 0.5 ? 'drop' : 'reject';
    const shape = this.rng.int(3);
    const cut = shape === 1 ? 1 : 1 + this.rng.int(ids.length - 1);
    const [a, b] = [ids.slice(0, cut), ids.slice(cut)];
    for (const x of a) for (const y of b) {
      fw.cut(this.nodes.spec(x), this.nodes.spec(y), mode);
      if (shape !== 2) fw.cut(this.nodes.spec(y), this.nodes.spec(x), mode);
    }
    if (shape === 2) this.stats.oneWayCuts++;
    else this.stats.splits++;
    const arrow = shape === 2 ? '->' : '|';
    this.note(`split (${mode}) ${a.map((i) => `n${i}`).join(',')} ${arrow} ${b.map((i) => `n${i}`).join(',')} for ${holdMs} ms`);
    await sleep(holdMs);
    fw.heal();
    this.note('healed');
  }

  private async kill(holdMs: number): Promise<void> {
    const alive = this.nodes.specs.map((s) => s.index).filter((i) => this.nodes.isAlive(i));
    if (alive.length <= 1) return;
    const i = alive[this.rng.int(alive.length)]!;
    await this.nodes.kill(i);
    this.stats.kills++;
    this.note(`SIGKILL n${i}, restart in ${holdMs} ms`);
    await sleep(holdMs);
    this.nodes.start(i);
    this.note(`restarted n${i}`);
  }

  private async pause(holdMs: number): Promise<void> {
    const serving = this.nodes.serving();
    if (serving.length === 0) return;
    const i = serving[this.rng.int(serving.length)]!;
    this.nodes.pause(i);
    this.stats.pauses++;
    this.note(`SIGSTOP n${i} for ${holdMs} ms`);
    await sleep(holdMs);
    this.nodes.resume(i);
    this.note(`SIGCONT n${i}`);
  }

  /** Ends every fault: rules flushed, paused nodes continued, killed nodes restarted. */
  healAll(): void {
    this.firewall?.heal();
    for (const s of this.nodes.specs) {
      this.nodes.resume(s.index);
      if (!this.nodes.isAlive(s.index)) this.nodes.start(s.index);
    }
    this.note('healed everything');
  }
}
