/**
 * Limits on what a stranger may send: every identifier, list and table that arrives from a peer, a
 * client or a file is bounded by one of these, named here once, so the decoders and the state
 * machine agree on what "too big" means and a limit is never an accident of a buffer size.
 */

/** A node id (`--id`), and so every sender id, hint target and clock entry name. */
export const NODE_ID_BYTES_MAX = 128;
/** host:port strings of members: long enough for any DNS name and port. */
export const ADDRESS_BYTES_MAX = 300;
/** Members in one membership table (left members stay listed forever, so this bounds a cluster's history too). */
export const MEMBERS_MAX = 4096;
/** Replicas per partition of a ring. */
export const REPLICAS_MAX = 16;
/** Buckets in the cluster-wide bucket table. */
export const BUCKETS_MAX = 10_000;
/** Bucket and key names, in UTF-8 bytes (what the client API accepts, so what a peer may send). */
export const BUCKET_BYTES_MAX = 128;
export const KEY_BYTES_MAX = 1024;
/** Items in one list of a peer message (tree indices, leaves, keys of an exchange). */
export const MESSAGE_ITEMS_MAX = 65_536;
/** Open connections a node accepts on each port (peers; clients of the binary protocol; HTTP). */
export const PEER_CONNECTIONS_MAX = 1024;
export const CLIENT_CONNECTIONS_MAX = 10_000;
export const HTTP_CONNECTIONS_MAX = 10_000;
/** A weight is a relative capacity; anything past this is a typo, not a machine. */
export const WEIGHT_MAX = 1_000_000;
