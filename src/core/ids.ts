/** A node's stable identity (the `--id` flag). Distinct from its address, which may change. */
export type NodeId = string;

/** host:port of a node's peer (inter-node) listener. */
export type PeerAddress = string;
