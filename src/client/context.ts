/**
 * The opaque context a read hands back and a later write sends: the version vector the read saw
 * and, when the read knew it, the replica that answered it fastest. A write with this context is
 * sent to that replica, which coordinates it (the paper's read-your-writes coordinator choice).
 *
 * `toString()` is the same text as the HTTP API's X-Dynamo-Context header, and `Context.parse`
 * reads one, so contexts move freely between the two APIs (the replica hint stays client-side).
 */
import { decodeContext, encodeContext, type VersionVector } from '../core/versions/index.js';
import { BadRequestError } from './errors.js';

export class Context {
  static readonly EMPTY = new Context([], undefined);

  #encoded: string | undefined;

  private constructor(
    /** The causal history this context covers. */
    readonly vector: VersionVector,
    /** The replica that answered the read first; a write that follows goes to it. */
    readonly fastestReplica: string | undefined,
  ) {}

  /** @internal Built by the client from a node's answer. */
  static of(vector: VersionVector, fastestReplica?: string): Context {
    return vector.length === 0 && fastestReplica === undefined ? Context.EMPTY : new Context(vector, fastestReplica);
  }

  /** Reads an X-Dynamo-Context string (from the HTTP API or `toString`); throws BadRequestError. */
  static parse(text: string): Context {
    const decoded = decodeContext(text.trim());
    if (!decoded.ok) throw new BadRequestError(decoded.error);
    return Context.of(decoded.context);
  }

  get isEmpty(): boolean {
    return this.vector.length === 0;
  }

  toString(): string {
    this.#encoded ??= encodeContext(this.vector);
    return this.#encoded;
  }

  toJSON(): string {
    return this.toString();
  }
}
