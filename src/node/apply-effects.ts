/**
 * The one way a driver applies a step's effects, shared by the real runtime and the simulator so
 * that the ordering rule lives in one place: first every write is staged (stageWrites), then, once
 * the driver has made them durable (the runtime's group commit, the simulator's synchronous
 * commit), the messages leave and the replies are answered (deliverEffects), messages first. A
 * reply may acknowledge a write, so it never leaves before the write's commit.
 */
import type { Effects, LogEvent, OutboundMessage, ClientReply, StorageWrite } from './effects.js';

export interface EffectSink {
  stage(write: StorageWrite): void;
  log(event: LogEvent): void;
}

export interface DeliverySink {
  send(message: OutboundMessage): void;
  reply(reply: ClientReply): void;
}

/** Logs, then stages every write of the step (nothing is sent yet). */
export function stageWrites(effects: Effects, sink: EffectSink): void {
  for (let i = 0; i < effects.logs.length; i++) sink.log(effects.logs[i]!);
  for (let i = 0; i < effects.writes.length; i++) sink.stage(effects.writes[i]!);
}

/** After the step's writes are durable: its messages, then its replies. */
export function deliverEffects(effects: Effects, sink: DeliverySink): void {
  for (let i = 0; i < effects.messages.length; i++) sink.send(effects.messages[i]!);
  for (let i = 0; i < effects.replies.length; i++) sink.reply(effects.replies[i]!);
}
