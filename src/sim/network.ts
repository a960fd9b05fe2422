/**
 * The simulated network between nodes: every message gets a fate drawn from the seeded Rng (lost,
 * delivered once or twice, each copy after its own random delay, which is also what reorders
 * messages), unless a cut stops it. Cuts are one-way (`from>to`), so a split into groups, an
 * isolated node and an asymmetric link failure are all sets of cuts.
 */
import { assert } from '../core/assert.js';
import type { Rng } from '../core/random.js';

export interface NetworkFaults {
  /** Probability that a message is lost. */
  readonly dropRate: number;
  /** Probability that a message is delivered twice. */
  readonly duplicateRate: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

export const NO_FAULTS: NetworkFaults = { dropRate: 0, duplicateRate: 0, minDelayMs: 1, maxDelayMs: 3 };

export function checkFaults(f: NetworkFaults): void {
  assert(f.dropRate >= 0 && f.dropRate < 1 && f.duplicateRate >= 0 && f.duplicateRate < 1, 'fault rates are probabilities below 1');
  assert(Number.isInteger(f.minDelayMs) && f.minDelayMs >= 1 && f.maxDelayMs >= f.minDelayMs, 'delays are whole ms, at least 1, min <= max');
}

export class SimNetwork {
  private readonly cuts = new Set<string>();

  constructor(public faults: NetworkFaults) {
    checkFaults(faults);
  }

  setFaults(faults: NetworkFaults): void {
    checkFaults(faults);
    this.faults = faults;
  }

  /** Replaces every cut by a split into `groups`: messages between different groups are lost. */
  split(groups: readonly (readonly string[])[]): void {
    this.cuts.clear();
    for (const a of groups) for (const b of groups) if (a !== b) for (const x of a) for (const y of b) this.cuts.add(`${x}>${y}`);
  }

  /** Adds one-way cuts: messages from any of `from` to any of `to` are lost (the reverse still flows). */
  cutOneWay(from: readonly string[], to: readonly string[]): void {
    for (const x of from) for (const y of to) if (x !== y) this.cuts.add(`${x}>${y}`);
  }

  heal(): void {
    this.cuts.clear();
  }

  get cutCount(): number {
    return this.cuts.size;
  }

  isCut(from: string, to: string): boolean {
    return this.cuts.size > 0 && this.cuts.has(`${from}>${to}`);
  }

  /** The delays of the copies of one message that arrive: empty when it is lost. */
  fate(rng: Rng, from: string, to: string): number[] {
    if (this.isCut(from, to)) return [];
    const f = this.faults;
    if (f.dropRate > 0 && rng.next() < f.dropRate) return [];
    const copies = f.duplicateRate > 0 && rng.next() < f.duplicateRate ? 2 : 1;
    const out: number[] = [];
    for (let i = 0; i < copies; i++) out.push(f.minDelayMs + rng.int(f.maxDelayMs - f.minDelayMs + 1));
    return out;
  }
}
