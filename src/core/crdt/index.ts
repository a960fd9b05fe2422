/** CRDT values the store merges itself: PN-counters and observed-remove sets (ORSWOT). All pure. */
export { counterValue, increment, joinCounters, MAX_INCREMENT, EMPTY_COUNTER, type PnCounter } from './pn-counter.js';
export { applyUpdate, joinSets, setValue, counterOf, joinClocks, EMPTY_SET, MAX_DEFERRED, type OrSet, type Clock } from './orswot.js';
export { encodeCrdt, decodeCrdt, type CrdtState, type CrdtType } from './codec.js';
export { emptyState, joinStates, stateOf, resolveCrdt } from './resolve.js';
export { syncKeepingJoins } from './sync-joins.js';
