/**
 * A CRDT's state as the bytes of a stored version: one tag byte (the type), then JSON. Decoding
 * checks every field (the bytes come from peers and disk), and a value of the wrong type or shape
 * is an error value, never a crash.
 */
import { counterProblem, type PnCounter } from './pn-counter.js';
import { orSetProblem, type OrSet } from './orswot.js';

export type CrdtType = 'counter' | 'set';

export type CrdtState = { readonly type: 'counter'; readonly counter: PnCounter } | { readonly type: 'set'; readonly set: OrSet };

const TAG: Record<CrdtType, number> = { counter: 0x63, set: 0x73 };

export function encodeCrdt(state: CrdtState): Uint8Array {
  const body = state.type === 'counter' ? JSON.stringify(state.counter) : JSON.stringify(state.set);
  const out = Buffer.allocUnsafe(1 + Buffer.byteLength(body));
  out[0] = TAG[state.type];
  out.write(body, 1, 'utf8');
  return out;
}

export function decodeCrdt(type: CrdtType, bytes: Uint8Array): { ok: true; state: CrdtState } | { ok: false; error: string } {
  if (bytes.length < 1 || bytes[0] !== TAG[type]) return { ok: false, error: `the stored value is not a ${type}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 1, bytes.byteLength - 1).toString('utf8'));
  } catch {
    return { ok: false, error: `the stored ${type} is not JSON` };
  }
  const problem = type === 'counter' ? counterProblem(parsed) : orSetProblem(parsed);
  if (problem !== null) return { ok: false, error: problem };
  if (type === 'counter') return { ok: true, state: { type, counter: parsed as PnCounter } };
  const s = parsed as OrSet;
  return { ok: true, state: { type, set: { clock: s.clock, entries: s.entries, deferred: s.deferred } } };
}
