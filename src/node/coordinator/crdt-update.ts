/**
 * The coordinator's step for a counter or set update: join what it holds for the key into one
 * state, apply the change under the dot the write is about to get, and write the result with the
 * coordinator's own context, so that the new version supersedes exactly the copy whose join it
 * holds (core/crdt/resolve.ts says why that is what makes dropping superseded values safe). The
 * client's context only scopes a set remove: it removes what that read saw.
 */
import { assert } from '../../core/assert.js';
import {
  applyUpdate,
  counterOf,
  counterValue,
  encodeCrdt,
  increment,
  MAX_DEFERRED,
  MAX_INCREMENT,
  setValue,
  stateOf,
  type CrdtState,
  type CrdtType,
} from '../../core/crdt/index.js';
import { context, update, withContext, type SiblingSet } from '../../core/versions/index.js';
import type { CrdtUpdate, CrdtValue } from '../../protocol/requests.js';

/** Elements a set holds at most, and the longest element: an update past either is refused (413 / 400). */
export const MAX_SET_ELEMENTS = 20_000;
export const MAX_ELEMENT_BYTES = 1024;

export type UpdateOutcome =
  | { readonly ok: true; readonly set: SiblingSet; readonly value: CrdtValue; readonly added: number; readonly removed: number }
  | { readonly ok: false; readonly error: 'bad_request' | 'wrong_type' | 'too_many_elements'; readonly message: string };

export interface UpdateInput {
  readonly type: CrdtType;
  readonly change: CrdtUpdate;
  readonly readContext: readonly (readonly [string, number])[];
  readonly local: SiblingSet | undefined;
  readonly actor: string;
  readonly nowMs: number;
}

/** Checks an update's shape against the bucket's type; null when fine. */
export function updateProblem(type: CrdtType, change: CrdtUpdate): { error: 'bad_request' | 'wrong_type'; message: string } | null {
  if (change.type !== type) return { error: 'wrong_type', message: `this bucket holds ${type}s; ${change.type === 'counter' ? 'an increment' : 'add/remove'} does not apply` };
  if (change.type === 'counter') {
    if (!Number.isSafeInteger(change.increment) || Math.abs(change.increment) > MAX_INCREMENT) {
      return { error: 'bad_request', message: `"increment" must be a whole number from -${MAX_INCREMENT} to ${MAX_INCREMENT}` };
    }
    return null;
  }
  for (const e of [...change.add, ...change.remove]) {
    if (typeof e !== 'string' || e.length === 0 || Buffer.byteLength(e, 'utf8') > MAX_ELEMENT_BYTES) {
      return { error: 'bad_request', message: `set elements are non-empty strings of at most ${MAX_ELEMENT_BYTES} bytes` };
    }
  }
  if (change.add.length + change.remove.length === 0) return { error: 'bad_request', message: 'an update needs "add" or "remove" elements' };
  return null;
}

export function coordinateUpdate(input: UpdateInput): UpdateOutcome {
  const { type, change, local, actor, nowMs } = input;
  const current = stateOf(type, local);
  const dot = [actor, nextCounter(local, actor)] as const;
  const applied = applyChange(current, change, dot, input.readContext);
  if (!applied.ok) return applied;
  const written = { data: encodeCrdt(applied.state), timestampMs: nowMs };
  const set = update(withContext(local === undefined ? [] : context(local), written), local, actor, nowMs);
  assert(set.entries.some((e) => e.node === actor && e.counter === dot[1]), 'the write took the dot the change was tagged with');
  return { ok: true, set, value: valueOf(applied.state), added: applied.added, removed: applied.removed };
}

function nextCounter(local: SiblingSet | undefined, actor: string): number {
  for (const e of local?.entries ?? []) if (e.node === actor) return e.counter + 1;
  return 1;
}

type Applied = { ok: true; state: CrdtState; added: number; removed: number } | Extract<UpdateOutcome, { ok: false }>;

function applyChange(state: CrdtState, change: CrdtUpdate, dot: readonly [string, number], readContext: UpdateInput['readContext']): Applied {
  if (state.type === 'counter' && change.type === 'counter') {
    return { ok: true, state: { type: 'counter', counter: increment(state.counter, dot[0], change.increment) }, added: 0, removed: 0 };
  }
  if (state.type !== 'set' || change.type !== 'set') return { ok: false, error: 'wrong_type', message: 'the update does not match the stored type' };
  // A stored set whose clock is ahead of the store's own history was not written by this code
  // (a corrupt or hostile copy): refuse rather than reuse a dot.
  if (counterOf(state.set.clock, dot[0]) >= dot[1]) {
    return { ok: false, error: 'bad_request', message: 'the stored set is inconsistent with its version history; it cannot be updated here' };
  }
  const before = new Set(setValue(state.set));
  // No context: remove what this coordinator has seen.
  const removeContext = readContext.length === 0 ? state.set.clock : readContext;
  const next = applyUpdate(state.set, dot, change.add, change.remove, removeContext);
  if (next.deferred.length > MAX_DEFERRED) {
    return { ok: false, error: 'bad_request', message: 'too many removes wait for their elements to arrive at this replica; read the set again and retry' };
  }
  if (next.entries.length > MAX_SET_ELEMENTS) {
    return { ok: false, error: 'too_many_elements', message: `the set would hold ${next.entries.length} elements; the limit is ${MAX_SET_ELEMENTS}` };
  }
  const after = new Set(setValue(next));
  const added = change.add.filter((e, i) => !before.has(e) && change.add.indexOf(e) === i).length;
  const removed = change.remove.filter((e, i) => before.has(e) && !after.has(e) && change.remove.indexOf(e) === i).length;
  return { ok: true, state: { type: 'set', set: next }, added, removed };
}

export function valueOf(state: CrdtState): CrdtValue {
  return state.type === 'counter' ? { type: 'counter', value: counterValue(state.counter) } : { type: 'set', value: setValue(state.set) };
}
