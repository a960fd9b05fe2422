/**
 * INCR, DECR, INCRBY, DECRBY: backed by the counter buckets of the data-model work, never by a
 * read-modify-write here (two concurrent increments through a read and a write lose one).
 *
 * Until the node has counter buckets these answer an error naming what they need. Once it has,
 * each is one request, `{op: 'update', bucket: <the connection's counter bucket>, key,
 * update: {type: 'counter', increment: by}, context: []}`, replied with the UpdateResult's
 * `value.value` as an integer. The counter bucket is a bucket of its own (types are per bucket):
 * suggested `<bucket>-counters`, created `{"type": "counter"}` on first use as the port's bucket is
 * made lww; a `wrong_type` error maps to Redis's `-WRONGTYPE Operation against a key holding the
 * wrong kind of value`.
 */
import { needsDataModel, notInteger } from './replies.js';
import type { CommandContext, CommandSpec } from './types.js';
import type { Reply } from './encoder.js';

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
  return (_ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void => {
    const by = incrementOf(command, args);
    if (typeof by !== 'number') return done(by);
    done(needsDataModel(command, '', 'counter buckets (the data-model work)'));
  };
}

const spec = (name: string, arity: number, summary: string): CommandSpec => ({
  name, arity, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], group: 'string', summary, run: counter(name),
});

export const COUNTER_COMMANDS: readonly CommandSpec[] = [
  spec('incr', 2, 'Increments a counter by one (needs counter buckets).'),
  spec('decr', 2, 'Decrements a counter by one (needs counter buckets).'),
  spec('incrby', 3, 'Increments a counter (needs counter buckets).'),
  spec('decrby', 3, 'Decrements a counter (needs counter buckets).'),
];
