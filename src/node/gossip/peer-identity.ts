/**
 * The identity rule of a TLS peer port: a frame's envelope must claim as its sender exactly the
 * node id that the connection's certificate names, and a JoinRequest must ask to admit that same
 * id, so a node holding n2's certificate can neither speak as n3 nor get n3's entry rewritten.
 * On a plain connection (no TLS, or a plain peer during transitional mode) nothing is proven and
 * nothing is checked.
 */
import { MessageType, type Envelope } from '../../protocol/messages.js';
import type { VerifiedSender } from '../../core/ids.js';

/** The id the frame falsely claims, or null when it may be delivered. */
export function forgedSender(envelope: Envelope, sender: VerifiedSender): string | null {
  if (typeof sender !== 'string') return null;
  if (envelope.from !== sender) return envelope.from;
  if (envelope.body.type === MessageType.JoinRequest && envelope.body.spec.id !== sender) return envelope.body.spec.id;
  return null;
}
