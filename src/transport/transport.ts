/**
 * The transport's public face: the contract (types.ts) and its two implementations, TCP for real
 * processes and an in-memory network for unit tests. Callers import from here; the runtime picks
 * the implementation, the node only ever sees `Transport`.
 */
export type {
  FlushPolicy,
  MemoryNetwork,
  MemoryTransportOptions,
  PeerAddress,
  PeerTlsOptions,
  SendResult,
  TcpTransportOptions,
  Transport,
  TransportHandlers,
  TransportLogger,
  VerifiedSender,
} from './types.js';
export { DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_QUEUED_BYTES_PER_PEER, silentLogger } from './types.js';
export { createTcpTransport } from './tcp.js';
export { createMemoryNetwork } from './memory.js';
