/** Counters the node keeps as plain numbers; the runtime exports them (Prometheus) and tests read them. */
export interface NodeMetrics {
  readRepairs: number;
  replicaReads: number;
  hintsStored: number;
  hintsDelivered: number;
  tombstonesReaped: number;
  /** Copies of keys expired past the grace let go of, here or on arrival, when a peer had already dropped them (expired-sets.ts). */
  expiredDropped: number;
  /** Set updates refused because the set would pass its element cap. */
  setElementRefusals: number;
  siblingWarnings: number;
  siblingRefusals: number;
  forwarded: number;
  quorumFailures: number;
  corruptValues: number;
  badMessages: number;
}

export function newMetrics(): NodeMetrics {
  return {
    readRepairs: 0,
    replicaReads: 0,
    hintsStored: 0,
    hintsDelivered: 0,
    tombstonesReaped: 0,
    expiredDropped: 0,
    setElementRefusals: 0,
    siblingWarnings: 0,
    siblingRefusals: 0,
    forwarded: 0,
    quorumFailures: 0,
    corruptValues: 0,
    badMessages: 0,
  };
}
