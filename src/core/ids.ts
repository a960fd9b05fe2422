/** A node's stable identity (the `--id` flag). Distinct from its address, which may change. */
export type NodeId = string;

/** host:port of a node's peer (inter-node) listener. */
export type PeerAddress = string;

/**
 * The node id a peer connection's certificate names (mutual TLS), null on a plain connection,
 * undefined where the transport proves nothing (the in-memory network without identity checks).
 */
export type VerifiedSender = NodeId | null | undefined;
