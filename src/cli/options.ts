/** Parsers for CLI option values, each failing with a sentence that names the flag. */
import { InvalidArgumentError } from 'commander';

export function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a TCP port (1-65535)`);
  return n;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`"${value}" is not a positive number`);
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`"${value}" is not a number of 0 or more`);
  return n;
}

export function addressList(value: string): string[] {
  const list = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const a of list) {
    if (!/^[^:\s]+:\d{1,5}$/.test(a)) throw new InvalidArgumentError(`"${a}" is not HOST:PORT`);
  }
  return list;
}

export function oneOf<T extends string>(...choices: T[]): (value: string) => T {
  return (value: string) => {
    if (!(choices as string[]).includes(value)) throw new InvalidArgumentError(`"${value}" must be one of ${choices.join(', ')}`);
    return value as T;
  };
}

export function nodeUrl(value: string): string {
  const withScheme = /^https?:\/\//.test(value) ? value : `http://${value}`;
  try {
    return new URL(withScheme).toString().replace(/\/$/, '');
  } catch {
    throw new InvalidArgumentError(`"${value}" is not a node URL such as http://127.0.0.1:7101`);
  }
}
