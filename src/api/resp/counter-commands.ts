/**
 * INCR, DECR, INCRBY, DECRBY: backed by a counter bucket (typed-buckets.ts: `<bucket>-counters`),
 * never by a read-modify-write here (two concurrent increments through a read and a write lose
 * one). Each is one `update` with the increment, coordinated by a replica; the reply is the total
 * as that coordinator holds it after the update, so two concurrent INCRs may both see a total that
 * counts only one of them, but neither is lost: later reads count both.
 *
 * Counters live apart from the kv bucket's strings: GET does not read them; `INCRBY key 0` does.
 */
import { error, integer, type Reply } from './encoder.js';
import { errorReply, keyName } from './keyspace.js';
import { notInteger } from './replies.js';
import { prepareFor, submitTyped, typedBucket } from './typed-buckets.js';
import type { CommandContext, CommandSpec } from './types.js';

/** The amount a command adds, or the reply refusing its arguments. */
export function incrementOf(command: string, args: readonly Buffer[]): number | Reply {
  if (command === 'incr') return 1;
  if (command === 'decr') return -1;
  const text = args[2]!.toString('latin1');
  const by = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(by)) return notInteger();
  return command === 'decrby' ? -by : by;
}

function counter(command: string) {
  return (ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void => {
    const by = incrementOf(command, args);
    if (typeof by !== 'number') return done(by);
    const name = keyName(args[1]!);
    if (!name.ok) return done(name.reply);
    const bucket = typedBucket(ctx.bucket, 'counter');
    prepareFor(ctx, bucket, 'counter');
    const started = performance.now();
    submitTyped(ctx, 'counter', { op: 'update', bucket, key: name.key, update: { type: 'counter', increment: by }, context: [] }, (response) => {
      ctx.metrics?.observe('update', response.ok ? 'ok' : response.error, (performance.now() - started) / 1000);
      if (!response.ok) return done(errorReply(response));
      if (response.op !== 'update' || response.value.type !== 'counter') return done(errorReply({ ok: false, error: 'wrong_type', message: 'not a counter' }));
      done(Number.isSafeInteger(response.value.value) ? integer(response.value.value) : error('ERR increment or decrement would overflow'));
    });
  };
}

const spec = (name: string, arity: number, summary: string): CommandSpec => ({
  name, arity, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], group: 'string', summary, run: counter(name),
});

export const COUNTER_COMMANDS: readonly CommandSpec[] = [
  spec('incr', 2, 'Increments a counter by one (in the <bucket>-counters bucket).'),
  spec('decr', 2, 'Decrements a counter by one (in the <bucket>-counters bucket).'),
  spec('incrby', 3, 'Increments a counter (in the <bucket>-counters bucket).'),
  spec('decrby', 3, 'Decrements a counter (in the <bucket>-counters bucket).'),
];
