/** Structured logs: one JSON object a line (pino), level from DYNAMO_LOG_LEVEL (default info). */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(nodeId: string, level = process.env.DYNAMO_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { node: nodeId } });
}
