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
  /** keyString(key), computed already: handed to the engine's `stage` so it need not convert the key again. */
  readonly sortKey?: string;
  /** A data key's Merkle item hash (LocalStore.copyDigest), for an engine that keeps it. */
  readonly digest?: Uint8Array;
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

/** A frozen empty array typed as a mutable one: pushing to it throws instead of sharing state. */
const frozen = <T>(): T[] => Object.freeze([]) as unknown as T[];

/** The effects of a step that did nothing outward, shared and frozen (drivers only read effects). */
export const NO_EFFECTS: Effects = Object.freeze({ writes: frozen<StorageWrite>(), messages: frozen<OutboundMessage>(), replies: frozen<ClientReply>(), logs: frozen<LogEvent>() });

/**
 * Collects effects until they are taken. Each list is made on its first entry, as a one-element
 * literal: most steps fill one or two of the four, and an empty list that is pushed to grows a
 * 16-slot backing store (this runs several times per request on every node).
 */
export class EffectsBuilder {
  private writes: StorageWrite[] | null = null;
  private messages: OutboundMessage[] | null = null;
  private replies: ClientReply[] | null = null;
  private logs: LogEvent[] | null = null;

  write(w: StorageWrite): void {
    this.writes = appended(this.writes, w);
  }

  message(m: OutboundMessage): void {
    this.messages = appended(this.messages, m);
  }

  reply(r: ClientReply): void {
    this.replies = appended(this.replies, r);
  }

  log(l: LogEvent): void {
    this.logs = appended(this.logs, l);
  }

  /** Everything collected since the last take (NO_EFFECTS when nothing was). */
  take(): Effects {
    if (this.writes === null && this.messages === null && this.replies === null && this.logs === null) return NO_EFFECTS;
    const taken: Effects = {
      writes: this.writes ?? NO_EFFECTS.writes,
      messages: this.messages ?? NO_EFFECTS.messages,
      replies: this.replies ?? NO_EFFECTS.replies,
      logs: this.logs ?? NO_EFFECTS.logs,
    };
    this.writes = this.messages = this.replies = this.logs = null;
    return taken;
  }
}

function appended<T>(list: T[] | null, item: T): T[] {
  if (list === null) return [item];
  list.push(item);
  return list;
}
