/**
 * Which record an operation touches: uniform, or YCSB's scrambled zipfian (constant 0.99: a few
 * records are hot, most are cold), with the popular ranks spread over the key space by a fixed
 * permutation so that hot keys do not all sit in one partition.
 *
 * The zipfian generator is Gray et al.'s "Quickly generating billion-record synthetic databases"
 * (SIGMOD 1994), as YCSB implements it: O(n) set-up for zeta(n), O(1) per draw.
 */
import { assert } from '../core/assert.js';
import type { Rng } from '../core/random.js';

export type Distribution = 'zipfian' | 'uniform';

export const ZIPFIAN_CONSTANT = 0.99;
/** A prime larger than any record count we accept, so multiplying by it permutes 0..n-1. */
const SCRAMBLE_PRIME = 2_654_435_761;
export const MAX_RECORDS = 50_000_000;

export type KeyChooser = () => number;

export function keyChooser(distribution: Distribution, records: number, rng: Rng): KeyChooser {
  assert(Number.isInteger(records) && records > 0 && records <= MAX_RECORDS, `records must be 1..${MAX_RECORDS}`);
  if (distribution === 'uniform') return () => rng.int(records);
  const zipf = zipfian(records, ZIPFIAN_CONSTANT, rng);
  const factor = SCRAMBLE_PRIME % records;
  // rank and factor are both below 5e7, so their product stays an exact double.
  return () => (zipf() * factor) % records;
}

/** Ranks 0..n-1, rank 0 the most popular. */
export function zipfian(n: number, theta: number, rng: Rng): () => number {
  const zetan = zeta(n, theta);
  const zeta2 = zeta(2, theta);
  const alpha = 1 / (1 - theta);
  const eta = (1 - Math.pow(2 / n, 1 - theta)) / (1 - zeta2 / zetan);
  const half = 1 + Math.pow(0.5, theta);
  return () => {
    const u = rng.next();
    const uz = u * zetan;
    if (uz < 1) return 0;
    if (uz < half) return Math.min(1, n - 1);
    return Math.min(n - 1, Math.floor(n * Math.pow(eta * u - eta + 1, alpha)));
  };
}

function zeta(n: number, theta: number): number {
  let sum = 0;
  for (let i = 1; i <= n; i++) sum += 1 / Math.pow(i, theta);
  return sum;
}

export function recordKey(index: number): string {
  return `user${index}`;
}
