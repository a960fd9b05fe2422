/** Durations on the command line ("600s", "2m", "1500ms", or plain seconds) and back. */
import { InvalidArgumentError } from 'commander';

export function parseDuration(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(raw.trim());
  if (m === null) throw new InvalidArgumentError('expected a duration such as 20s, 2m or 500ms');
  const value = Number(m[1]);
  const ms = m[2] === 'ms' ? value : m[2] === 'm' ? value * 60_000 : value * 1000;
  if (ms < 1000) throw new InvalidArgumentError('the duration must be at least 1s');
  return Math.round(ms);
}

export function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
