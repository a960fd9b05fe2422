/**
 * What one step of the node asks the world to do. The driver (runtime or simulator) applies them
 * in this order: stage every write, commit them durably, and only then send the messages and the
 * client replies (which may acknowledge those writes). That is the "persist, then send" rule.
 */
import type { NodeId } from '../core/ids.js';
import type { PeerMessage } from '../protocol/messages.js';
import type { ClientResponse } from '../protocol/requests.js';

export interface StorageWrite {
  readonly key: Uint8Array;
  /** null deletes the key. */
  readonly value: Uint8Array | null;
}

export interface OutboundMessage {
  readonly to: string; // the peer's address
  readonly toNode: NodeId | null;
  readonly body: PeerMessage;
}

export interface ClientReply {
  readonly requestId: number;
  readonly response: ClientResponse;
}

export interface LogEvent {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly msg: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface Effects {
  readonly writes: StorageWrite[];
  readonly messages: OutboundMessage[];
  readonly replies: ClientReply[];
  readonly logs: LogEvent[];
}

export function emptyEffects(): Effects {
  return { writes: [], messages: [], replies: [], logs: [] };
}


/** A frozen empty array typed as a mutable one: pushing to it throws instead of sharing state. */
const frozen = <T>(): T[] => Object.freeze([]) as unknown as T[];

/** The effects of a step that did nothing outward, shared and frozen (drivers only read effects). */
export const NO_EFFECTS: Effects = Object.freeze({ writes: frozen<StorageWrite>(), messages: frozen<OutboundMessage>(), replies: frozen<ClientReply>(), logs: frozen<LogEvent>() });
