/**
 * The client's errors: one class per outcome a caller may want to handle differently, each with a
 * stable `code` (the node's error codes where the node said so, plus `timeout` and
 * `connection_failed`, which only the client can see).
 */
import type { ClientError } from '../protocol/requests.js';

export type DynamoErrorCode =
  | 'bad_request'
  | 'quorum_failed'
  | 'too_large'
  | 'too_many_siblings'
  | 'wrong_type'
  | 'too_many_elements'
  | 'overloaded'
  | 'unavailable'
  | 'timeout'
  | 'connection_failed'
  | 'unauthenticated'
  | 'forbidden';

export class DynamoError extends Error {
  override readonly name: string = 'DynamoError';
  constructor(
    readonly code: DynamoErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Malformed input (bad context, bad quorum option, empty or over-long name, bad bucket change). */
export class BadRequestError extends DynamoError {
  override readonly name = 'BadRequestError';
  constructor(message: string) {
    super('bad_request', message);
  }
}

/**
 * Fewer than the needed replicas answered in time (or, strict, too few primaries were reachable).
 * A failed write may still have reached `acked` replicas, as in Dynamo.
 */
export class QuorumError extends DynamoError {
  override readonly name = 'QuorumError';
  constructor(
    message: string,
    readonly needed: number,
    readonly acked: number,
  ) {
    super('quorum_failed', message);
  }
}

/** No answer within the client's deadline; the request may or may not have taken effect. */
export class TimeoutError extends DynamoError {
  override readonly name = 'TimeoutError';
  constructor(message: string) {
    super('timeout', message);
  }
}

export class TooLargeError extends DynamoError {
  override readonly name = 'TooLargeError';
  constructor(message: string) {
    super('too_large', message);
  }
}

/** The key has more concurrent versions than the node allows: read, merge and write back. */
export class TooManySiblingsError extends DynamoError {
  override readonly name = 'TooManySiblingsError';
  constructor(message: string) {
    super('too_many_siblings', message);
  }
}

/** The operation does not fit the bucket's type (a PUT on a counter bucket, an increment on a set...). */
export class WrongTypeError extends DynamoError {
  override readonly name = 'WrongTypeError';
  constructor(message: string) {
    super('wrong_type', message);
  }
}

/** A set would grow past the per-set element cap. */
export class TooManyElementsError extends DynamoError {
  override readonly name = 'TooManyElementsError';
  constructor(message: string) {
    super('too_many_elements', message);
  }
}

/** The node could not serve (stopping, not yet joined, storage failure, overloaded). */
export class UnavailableError extends DynamoError {
  override readonly name = 'UnavailableError';
  constructor(code: 'unavailable' | 'overloaded', message: string) {
    super(code, message);
  }
}

/** Security on: the credentials were missing, wrong or rate-limited (`unauthenticated`), or the user's role or buckets do not allow the request (`forbidden`). */
export class AuthError extends DynamoError {
  override readonly name = 'AuthError';
  constructor(code: 'unauthenticated' | 'forbidden', message: string) {
    super(code, message);
  }
}

/** No node of the cluster could be reached (after trying every one that might serve). */
export class ConnectionError extends DynamoError {
  override readonly name = 'ConnectionError';
  constructor(message: string) {
    super('connection_failed', message);
  }
}

export function errorFromResponse(error: ClientError): DynamoError {
  switch (error.error) {
    case 'bad_request':
      return new BadRequestError(error.message);
    case 'quorum_failed':
      return new QuorumError(error.message, error.needed ?? 0, error.acked ?? 0);
    case 'too_large':
      return new TooLargeError(error.message);
    case 'too_many_siblings':
      return new TooManySiblingsError(error.message);
    case 'wrong_type':
      return new WrongTypeError(error.message);
    case 'too_many_elements':
      return new TooManyElementsError(error.message);
    case 'overloaded':
    case 'unavailable':
      return new UnavailableError(error.error, error.message);
    case 'unauthenticated':
    case 'forbidden':
      return new AuthError(error.error, error.message);
  }
}
