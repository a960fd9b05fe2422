/** Counters the node keeps as plain numbers; the runtime exports them (Prometheus) and tests read them. */
export interface NodeMetrics {
  readRepairs: number;
  replicaReads: number;
  hintsStored: number;
  hintsDelivered: number;
  hintsExpired: number;
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
  /** Exceptions thrown while one input was handled: bugs, caught at the runtime so the node keeps serving. */
  handlerErrors: number;
  /** Hinted writes refused: the target is no member, or the hint store is full. */
  hintsRefused: number;
  /** Tombstones left unscheduled because the reap queue was full. */
  reapsDropped: number;
  /** Client requests refused because too many operations were in flight. */
  operationsRefused: number;
  /** Frames the transport dropped (its queue for the peer over the limit). */
  sendsDropped: number;
  /** Peer frames whose claimed sender is not the node id of the connection's certificate. */
  forgedSenders: number;
  /** Peer connections refused by TLS: plaintext on a TLS port, a certificate of another CA. */
  peerConnectionsRefused: number;
  /** Client requests refused: bad credentials, a rate-limited source, a role that forbids them. */
  authFailures: number;
  authForbidden: number;
}

export function newMetrics(): NodeMetrics {
  return {
    readRepairs: 0,
    replicaReads: 0,
    hintsStored: 0,
    hintsDelivered: 0,
    hintsExpired: 0,
    tombstonesReaped: 0,
    expiredDropped: 0,
    setElementRefusals: 0,
    siblingWarnings: 0,
    siblingRefusals: 0,
    forwarded: 0,
    quorumFailures: 0,
    corruptValues: 0,
    badMessages: 0,
    handlerErrors: 0,
    hintsRefused: 0,
    reapsDropped: 0,
    operationsRefused: 0,
    sendsDropped: 0,
    forgedSenders: 0,
    peerConnectionsRefused: 0,
    authFailures: 0,
    authForbidden: 0,
  };
}
