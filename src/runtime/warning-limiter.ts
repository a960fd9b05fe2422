/**
 * Logs a warning at most `perWindow` times per window and then once more with the count it held
 * back, so that a peer sending nothing but malformed frames can fill neither the disk nor the log
 * pipeline, while an operator still sees that it happens and how often.
 */
import type { Logger } from './logger.js';

export class WarningLimiter {
  private windowStartMs = -Infinity;
  private logged = 0;
  private suppressed = 0;

  constructor(
    private readonly perWindow = 20,
    private readonly windowMs = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  warn(logger: Pick<Logger, 'warn'>, fields: Record<string, unknown>, msg: string): void {
    const now = this.now();
    if (now - this.windowStartMs >= this.windowMs) {
      if (this.suppressed > 0) logger.warn({ suppressed: this.suppressed, windowMs: this.windowMs }, 'more warnings like the last were not logged');
      this.windowStartMs = now;
      this.logged = 0;
      this.suppressed = 0;
    }
    if (this.logged < this.perWindow) {
      this.logged++;
      logger.warn(fields, msg);
    } else {
      this.suppressed++;
    }
  }
}
