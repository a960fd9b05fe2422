/**
 * Reconnect delays: exponential growth from `minMs` to `maxMs`, with "equal jitter" (half the delay
 * fixed, half random). The fixed half keeps a dead peer from being hammered; the random half keeps a
 * whole cluster from redialling a restarted node in lockstep. Pure: the random draw comes in.
 */
import { assert } from '../core/assert.js';

export interface BackoffPolicy {
  readonly minMs: number;
  readonly maxMs: number;
}

/** Delay before reconnect attempt number `attempt` (0 = the first retry); `random01` is in [0, 1). */
export function reconnectDelayMs(policy: BackoffPolicy, attempt: number, random01: number): number {
  assert(policy.minMs >= 0 && policy.maxMs >= policy.minMs, 'backoff needs 0 <= minMs <= maxMs');
  assert(attempt >= 0 && random01 >= 0 && random01 < 1, 'attempt >= 0 and random01 in [0, 1)');
  const ceilingMs = Math.min(policy.maxMs, policy.minMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceilingMs / 2 + (random01 * ceilingMs) / 2);
}
