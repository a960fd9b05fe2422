/**
 * dynamo's own commands, for what Redis has no words for: siblings and buckets.
 *
 * - DYNAMO.GETALL key: every live sibling with the context covering them, as an array whose first
 *   element is the context (the X-Dynamo-Context of the HTTP API; empty when the key never
 *   existed) and whose other elements are the values. An absent key gives just the context.
 * - DYNAMO.PUT key context value: writes value as the successor of what that context saw (the
 *   merge of the siblings), answering the new context.
 * - DYNAMO.BUCKET [name]: the connection's bucket, or switches it (keys of any bucket, whatever
 *   its conflict mode, become reachable from Redis clients that way).
 */
import { decodeContext, encodeContext, isVersionVector } from '../../core/versions/index.js';
import { MAX_BUCKET_BYTES } from '../../node/config.js';
import { bulk, bulkArray, error, OK, type Reply } from './encoder.js';
import { errorReply, keyName, readKey, writeKey } from './keyspace.js';
import { wrongArity } from './replies.js';
import type { CommandContext, CommandSpec } from './types.js';

function getAll(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  const name = keyName(args[1]!);
  if (!name.ok) return done(name.reply);
  readKey(ctx, name.key, (outcome) => {
    switch (outcome.kind) {
      case 'failed':
        return done(errorReply(outcome.error));
      case 'absent':
        return done(bulkArray([encodeContext(outcome.context)]));
      case 'value':
        return done(bulkArray([encodeContext(outcome.context), outcome.value]));
      case 'siblings':
        return done(bulkArray([encodeContext(outcome.result.context), ...outcome.result.values.map((v) => v.data!)]));
    }
  });
}

function put(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  const name = keyName(args[1]!);
  if (!name.ok) return done(name.reply);
  const decoded = decodeContext(args[2]!.toString('latin1').trim());
  if (!decoded.ok) return done(error(`ERR bad context: ${decoded.error}`));
  if (!isVersionVector(decoded.context)) return done(error('ERR bad context: not a version vector sorted by node with positive counters'));
  writeKey(ctx, name.key, args[3]!, decoded.context, (outcome) => {
    done(outcome.ok ? bulk(encodeContext(outcome.result.context)) : errorReply(outcome.error));
  });
}

function bucket(ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  if (args.length > 2) return done(wrongArity('dynamo.bucket'));
  if (args.length === 1) return done(bulk(ctx.session.bucket));
  const name = keyName(args[1]!);
  if (!name.ok) return done(name.reply);
  if (name.key === '' || Buffer.byteLength(name.key) > MAX_BUCKET_BYTES) {
    return done(error(`ERR a bucket name has 1 to ${MAX_BUCKET_BYTES} bytes`));
  }
  ctx.session.bucket = name.key;
  done(OK);
}

export const DYNAMO_COMMANDS: readonly CommandSpec[] = [
  { name: 'dynamo.getall', arity: 2, flags: ['readonly'], keys: [1, 1, 1], group: 'dynamo', summary: 'Returns the context and every sibling of a key.', run: getAll },
  { name: 'dynamo.put', arity: 4, flags: ['write', 'denyoom'], keys: [1, 1, 1], group: 'dynamo', summary: 'Writes a value with the context of an earlier read (resolving siblings).', run: put },
  { name: 'dynamo.bucket', arity: -1, flags: ['fast'], keys: [0, 0, 0], group: 'dynamo', summary: "Returns or sets the connection's bucket.", run: bucket },
];
