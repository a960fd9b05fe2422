/** Counters the node keeps as plain numbers; the runtime exports them (Prometheus) and tests read them. */
export interface NodeMetrics {
  readRepairs: number;
  replicaReads: number;
  hintsStored: number;
  hintsDelivered: number;
  tombstonesReaped: number;
  siblingWarnings: number;
  siblingRefusals: number;
  forwarded: number;
  quorumFailures: number;
  corruptValues: number;
  badMessages: number;
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
    tombstonesReaped: 0,
    siblingWarnings: 0,
    siblingRefusals: 0,
    forwarded: 0,
    quorumFailures: 0,
    corruptValues: 0,
    badMessages: 0,
    forgedSenders: 0,
    peerConnectionsRefused: 0,
    authFailures: 0,
    authForbidden: 0,
  };
}
