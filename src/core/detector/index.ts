/** Local, decentralised failure detection (Dynamo §4.8.3): one phi-accrual detector per peer. */
export { type PhiOptions, DEFAULT_PHI_OPTIONS, PhiAccrualDetector, validatePhiOptions } from './phi.js';
export { IntervalWindow } from './window.js';
