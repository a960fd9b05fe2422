/** Short readable names for what the simulator processes: the trace hash and the recent-events ring use them. */
import type { NodeInput } from '../node/node.js';
import { MessageType } from '../protocol/messages.js';

const MESSAGE_NAMES = new Map<number, string>(Object.entries(MessageType).map(([name, code]) => [code, name]));

export function messageName(type: number): string {
  return MESSAGE_NAMES.get(type) ?? `type${type}`;
}

export function describeInput(input: NodeInput): string {
  switch (input.kind) {
    case 'peer':
      return `peer ${messageName(input.envelope.body.type)} from ${input.envelope.from}`;
    case 'client':
      return `client #${input.requestId} ${input.request.op} ${input.request.bucket}/${'key' in input.request ? input.request.key : ''}`;
    case 'peerUp':
    case 'peerDown':
      return `${input.kind} ${input.address}`;
    default:
      return (input as { kind: string }).kind;
  }
}
