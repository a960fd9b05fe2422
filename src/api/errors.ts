/** How client errors map to HTTP: a status and a JSON body that names the problem. */
import type { ClientError, ErrorCode } from '../protocol/requests.js';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  too_large: 413,
  too_many_siblings: 409,
  wrong_type: 409,
  too_many_elements: 413,
  quorum_failed: 503,
  overloaded: 503,
  unavailable: 503,
  unauthenticated: 401,
  forbidden: 403,
};

export function httpStatusOf(error: ClientError): number {
  return STATUS[error.error];
}

export function errorBody(error: ClientError): string {
  const body: Record<string, unknown> = { error: error.message, code: error.error };
  if (error.needed !== undefined) body.needed = error.needed;
  if (error.acked !== undefined) body.acked = error.acked;
  return JSON.stringify(body);
}
