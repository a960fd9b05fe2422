/**
 * SCAN cursor [MATCH pattern] [COUNT n] [TYPE t]: backed by the cluster-wide key listing of the
 * data-model work.
 *
 * Until the node lists keys this answers an error naming what it needs. Once it does, it maps
 * onto `{op: 'listKeys', bucket, limit: COUNT (default 10), cursor}` with the KeysResult's cursor
 * as SCAN's (Redis clients treat it as an opaque string: "0" starts a scan, and a null cursor is
 * answered as "0", the end); MATCH filters each page here (globToRegExp in server-commands.ts; a
 * page may then be shorter than COUNT, as in Redis); TYPE string/set/none picks the kv, set or
 * counter bucket. Every key that exists throughout a scan comes back at least once because the
 * listing is cluster-wide, not one node's.
 */
import { needsDataModel, syntaxError, notInteger } from './replies.js';
import type { CommandContext, CommandSpec } from './types.js';
import type { Reply } from './encoder.js';

/** SCAN's options as Redis checks them. */
export function checkScanOptions(args: readonly Buffer[]): Reply | null {
  for (let i = 2; i < args.length; i += 2) {
    const option = args[i]!.toString('latin1').toUpperCase();
    if (i + 1 >= args.length || !['MATCH', 'COUNT', 'TYPE'].includes(option)) return syntaxError();
    if (option === 'COUNT') {
      const n = Number(args[i + 1]!.toString('latin1'));
      if (!Number.isSafeInteger(n)) return notInteger();
      if (n < 1) return syntaxError();
    }
  }
  return null;
}

function scan(_ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void): void {
  done(checkScanOptions(args) ?? needsDataModel('scan', '', 'cluster-wide key listing (the data-model work)'));
}

export const SCAN_COMMANDS: readonly CommandSpec[] = [
  { name: 'scan', arity: -2, flags: ['readonly'], keys: [0, 0, 0], group: 'generic', summary: 'Iterates the keys of the cluster (needs key listing).', run: scan },
];
