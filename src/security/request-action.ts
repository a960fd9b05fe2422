/** What a client request needs to be authorized for: the one mapping the native protocol (and RESP) use. */
import { assertNever } from '../core/assert.js';
import type { ClientRequest } from '../protocol/requests.js';
import type { Action } from './auth.js';

export function actionOfRequest(request: ClientRequest): Action {
  switch (request.op) {
    case 'get':
    case 'replicaRead':
    case 'getBucket':
    case 'listKeys':
      return { kind: 'read', bucket: request.bucket };
    case 'put':
    case 'delete':
    case 'update':
      return { kind: 'write', bucket: request.bucket };
    case 'setBucket':
    case 'merge':
      return { kind: 'admin' };
    default:
      return assertNever(request, 'client request');
  }
}
