/** The TypeScript client of the package: `import { Client } from 'dynamo'`. */
export {
  Client,
  type ClientOptions,
  type ReadOptions,
  type WriteOptions,
  type ReadResult,
  type Sibling,
  type Resolver,
  type Value,
  type UpdateOptions,
  type CounterUpdate,
  type SetUpdate,
  type CrdtRead,
  type KeysPage,
} from './client.js';
export { Context } from './context.js';
export {
  DynamoError,
  BadRequestError,
  QuorumError,
  TimeoutError,
  TooLargeError,
  TooManySiblingsError,
  WrongTypeError,
  TooManyElementsError,
  UnavailableError,
  ConnectionError,
  AuthError,
  type DynamoErrorCode,
} from './errors.js';
export type { RingSnapshot, RingMember } from './routing.js';
