/**
 * An incremental RESP2 request parser: bytes in, commands out, whatever way the stream was split.
 *
 * Two request forms, as Redis reads them (networking.c, processMultibulkBuffer and
 * processInlineBuffer): a multibulk `*<n>\r\n` followed by n bulks `$<len>\r\n<bytes>\r\n`, and an
 * inline command (a line of words, quotes allowed, as typed into telnet). Every length a client
 * sends is checked before anything is allocated for it:
 * - a line (inline command, `*` or `$` header) longer than `maxLineBytes` without its end, an array
 *   of more than `maxArgs`, a bulk over `maxSkipBytes`, or a malformed header is a protocol error:
 *   the stream cannot be followed any more, so the server answers it and closes, as Redis does;
 * - a bulk over `maxBulkBytes` (the value limit) but within `maxSkipBytes` is read past without
 *   being kept, and its command comes out as an error the server answers, the connection going on;
 * - a command whose arguments together pass `maxCommandBytes` is a protocol error too.
 *
 * While a bulk is incomplete, chunks are kept in a list and joined once, when it is complete, so a
 * large value split into many reads is copied once rather than once per read.
 */
import { assert } from '../../core/assert.js';

export interface ParserLimits {
  readonly maxBulkBytes: number;
  readonly maxSkipBytes: number;
  readonly maxArgs: number;
  readonly maxLineBytes: number;
  readonly maxCommandBytes: number;
}

export type Parsed =
  | { readonly kind: 'command'; readonly args: Buffer[] }
  /** A command that was read to its end but cannot run (a bulk over the value limit). */
  | { readonly kind: 'refused'; readonly message: string }
  /** The stream cannot be followed: answer `message` and close. Nothing more comes out. */
  | { readonly kind: 'protocolError'; readonly message: string };

export const DEFAULT_PARSER_LIMITS: ParserLimits = {
  maxBulkBytes: 1024 * 1024,
  maxSkipBytes: 64 * 1024 * 1024,
  maxArgs: 64 * 1024,
  maxLineBytes: 64 * 1024,
  maxCommandBytes: 64 * 1024 * 1024,
};

const CR = 13;
const LF = 10;
const EMPTY = Buffer.alloc(0);

export class RespParser {
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** Chunks of an incomplete bulk, joined once `pendingBytes` reach `needBytes`. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private needBytes = 0;
  /** The multibulk being read: its arguments so far and how many remain. */
  private args: Buffer[] | null = null;
  private argsLeft = 0;
  private commandBytes = 0;
  /** Length of the bulk whose header was read, or -1 when a header comes next. */
  private bulkLen = -1;
  /** Bytes of an oversize bulk (and its CRLF) still to be read past. */
  private skipLeft = 0;
  private refusal: string | null = null;
  private failed = false;

  constructor(private readonly limits: ParserLimits = DEFAULT_PARSER_LIMITS) {
    assert(limits.maxBulkBytes <= limits.maxSkipBytes, 'a bulk that is kept is also one that may be skipped');
    assert(limits.maxArgs > 0 && limits.maxLineBytes > 0, 'parser limits are positive');
  }

  /** Feeds one chunk; returns what became complete, in order. After a protocol error, nothing. */
  push(chunk: Buffer): Parsed[] {
    if (this.failed) return [];
    const out: Parsed[] = [];
    if (this.skipLeft > 0) chunk = this.skip(chunk, out);
    if (chunk.length === 0) return out;
    if (this.needBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes < this.needBytes) return out;
      chunk = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
      this.needBytes = 0;
    }
    this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : chunk;
    this.pos = 0;
    this.parse(out);
    return out;
  }

  private parse(out: Parsed[]): void {
    while (!this.failed) {
      if (this.skipLeft > 0) {
        const rest = this.skip(this.buf.subarray(this.pos), out);
        this.buf = rest;
        this.pos = 0;
        if (this.skipLeft > 0) return;
        continue;
      }
      if (this.pos >= this.buf.length) break;
      const progressed = this.args === null ? this.startRequest(out) : this.readBulk(out);
      if (!progressed) break;
    }
    if (this.pos >= this.buf.length) {
      this.buf = EMPTY;
      this.pos = 0;
    }
  }

  /** Reads past the rest of an oversize bulk; returns what follows it in `chunk`. */
  private skip(chunk: Buffer, out: Parsed[]): Buffer {
    const n = Math.min(this.skipLeft, chunk.length);
    this.skipLeft -= n;
    if (this.skipLeft === 0) this.argDone(out);
    return chunk.subarray(n);
  }

  private startRequest(out: Parsed[]): boolean {
    if (this.buf[this.pos] !== 0x2a /* '*' */) return this.inline(out);
    const line = this.line('too big mbulk count string', out);
    if (line === null) return false;
    const count = parseInteger(this.buf, line.start + 1, line.end);
    if (count === null || count > this.limits.maxArgs) return this.fail('invalid multibulk length', out);
    if (count <= 0) return true;
    this.args = [];
    this.argsLeft = count;
    this.commandBytes = 0;
    this.refusal = null;
    return true;
  }

  private readBulk(out: Parsed[]): boolean {
    if (this.bulkLen < 0) {
      if (this.buf[this.pos] !== 0x24 /* '$' */) {
        return this.fail(`expected '$', got '${String.fromCharCode(this.buf[this.pos]!)}'`, out);
      }
      const line = this.line('too big bulk count string', out);
      if (line === null) return false;
      const len = parseInteger(this.buf, line.start + 1, line.end);
      if (len === null || len < 0 || len > this.limits.maxSkipBytes) return this.fail('invalid bulk length', out);
      this.commandBytes += len;
      if (this.commandBytes > this.limits.maxCommandBytes) return this.fail('too big request', out);
      if (len > this.limits.maxBulkBytes) {
        this.refusal ??= `argument of ${len} bytes is over the limit of ${this.limits.maxBulkBytes} bytes (--max-value-bytes)`;
        this.skipLeft = len + 2;
        return true;
      }
      this.bulkLen = len;
    }
    const end = this.pos + this.bulkLen + 2;
    if (end > this.buf.length) {
      this.waitFor(end - this.pos);
      return false;
    }
    this.args!.push(this.buf.subarray(this.pos, this.pos + this.bulkLen));
    this.pos = end;
    this.bulkLen = -1;
    this.argDone(out);
    return true;
  }

  private argDone(out: Parsed[]): void {
    this.argsLeft--;
    if (this.argsLeft > 0) return;
    const args = this.args!;
    this.args = null;
    out.push(this.refusal === null ? { kind: 'command', args } : { kind: 'refused', message: this.refusal });
    this.refusal = null;
  }

  /** Keeps the unread rest aside until `bytes` from the current position are there. */
  private waitFor(bytes: number): void {
    const rest = this.buf.subarray(this.pos);
    this.buf = EMPTY;
    this.pos = 0;
    this.pending = [rest];
    this.pendingBytes = rest.length;
    this.needBytes = bytes;
  }

  private inline(out: Parsed[]): boolean {
    const nl = this.buf.indexOf(LF, this.pos);
    if (nl < 0) {
      if (this.buf.length - this.pos > this.limits.maxLineBytes) return this.fail('too big inline request', out);
      return false;
    }
    let end = nl;
    if (end > this.pos && this.buf[end - 1] === CR) end--;
    const text = this.buf.subarray(this.pos, end);
    this.pos = nl + 1;
    const words = splitInline(text);
    if (words === null) return this.fail('unbalanced quotes in request', out);
    if (words.length > this.limits.maxArgs) return this.fail('invalid multibulk length', out);
    if (words.length > 0) out.push({ kind: 'command', args: words });
    return true;
  }

  /** The header line at `pos` (without CRLF), consumed; null when it is not complete yet. */
  private line(tooLong: string, out: Parsed[]): { start: number; end: number } | null {
    const cr = this.buf.indexOf('\r\n', this.pos);
    if (cr < 0) {
      if (this.buf.length - this.pos > this.limits.maxLineBytes) this.fail(tooLong, out);
      return null;
    }
    if (cr - this.pos > this.limits.maxLineBytes) {
      this.fail(tooLong, out);
      return null;
    }
    const start = this.pos;
    this.pos = cr + 2;
    return { start, end: cr };
  }

  private fail(reason: string, out: Parsed[]): false {
    this.failed = true;
    this.args = null;
    this.buf = EMPTY;
    this.pos = 0;
    this.pending = [];
    out.push({ kind: 'protocolError', message: `Protocol error: ${reason}` });
    return false;
  }
}

/** Redis's string2ll on buf[start, end): an optional '-', then digits; null otherwise or beyond 2^53. */
export function parseInteger(buf: Uint8Array, start: number, end: number): number | null {
  if (start >= end || end - start > 17) return null;
  let i = start;
  const negative = buf[i] === 0x2d;
  if (negative) i++;
  if (i >= end) return null;
  if (buf[i] === 0x30 && end - i > 1) return null;
  let value = 0;
  for (; i < end; i++) {
    const c = buf[i]! - 0x30;
    if (c < 0 || c > 9) return null;
    value = value * 10 + c;
  }
  return negative ? -value : value;
}

/**
 * Splits an inline command into words as redis-cli and Redis's sdssplitargs do: spaces separate,
 * "double quotes" take \n \r \t \b \a \\ \" and \xHH escapes, 'single quotes' take \'; a closing
 * quote must be followed by a space or the end. Null for unbalanced quotes.
 */
export function splitInline(line: Uint8Array): Buffer[] | null {
  const words: Buffer[] = [];
  let i = 0;
  const n = line.length;
  const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
  while (true) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) return words;
    const bytes: number[] = [];
    let inDouble = false;
    let inSingle = false;
    for (;;) {
      const c = line[i];
      if (inDouble) {
        if (c === undefined) return null;
        if (c === 0x5c && line[i + 1] === 0x78 && isHex(line[i + 2]) && isHex(line[i + 3])) {
          bytes.push(parseInt(String.fromCharCode(line[i + 2]!, line[i + 3]!), 16));
          i += 3;
        } else if (c === 0x5c && i + 1 < n) {
          i++;
          bytes.push(unescape(line[i]!));
        } else if (c === 0x22) {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          inDouble = false;
          i++;
          break;
        } else bytes.push(c);
      } else if (inSingle) {
        if (c === undefined) return null;
        if (c === 0x5c && line[i + 1] === 0x27) {
          i++;
          bytes.push(0x27);
        } else if (c === 0x27) {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          inSingle = false;
          i++;
          break;
        } else bytes.push(c);
      } else {
        if (c === undefined || isSpace(c)) break;
        if (c === 0x22) inDouble = true;
        else if (c === 0x27) inSingle = true;
        else bytes.push(c);
      }
      i++;
    }
    words.push(Buffer.from(bytes));
  }
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46));
}

function unescape(c: number): number {
  switch (c) {
    case 0x6e:
      return LF;
    case 0x72:
      return CR;
    case 0x74:
      return 0x09;
    case 0x62:
      return 0x08;
    case 0x61:
      return 0x07;
    default:
      return c;
  }
}
