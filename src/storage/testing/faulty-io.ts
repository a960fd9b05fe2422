/** A LogIo over the real file system whose calls fail on demand, for the log engine's fault tests. */
import { nodeLogIo, type LogIo } from '../log-io.js';
import { TEMP_SUFFIX } from '../log-files.js';

export interface Faults {
  /** Commit writes (not merge outputs): throw, or write half and then throw. */
  write: false | 'error' | 'partial';
  /** ftruncate throws. */
  truncate: boolean;
  /** Both fdatasync forms fail on every file. */
  fdatasync: boolean;
  /** Creating a new data file fails. */
  create: boolean;
  /** Writes to a merge's temp output throw. */
  mergeWrite: boolean;
  /** fdatasync of a merge's temp output fails. */
  mergeSync: boolean;
}

export interface FaultyIo {
  readonly io: LogIo;
  readonly faults: Faults;
  readonly calls: { fdatasync: number };
}

const injected = (what: string): Error => Object.assign(new Error(`EIO: injected ${what}`), { code: 'EIO' });

export function faultyIo(): FaultyIo {
  const faults: Faults = { write: false, truncate: false, fdatasync: false, create: false, mergeWrite: false, mergeSync: false };
  const calls = { fdatasync: 0 };
  const tempFds = new Set<number>();
  const real = nodeLogIo;
  const io: LogIo = {
    ...real,
    openSync: (path, flags) => {
      if (faults.create && flags.startsWith('w')) throw injected('create failure');
      const fd = real.openSync(path, flags);
      if (path.endsWith(TEMP_SUFFIX)) tempFds.add(fd);
      else tempFds.delete(fd);
      return fd;
    },
    writeSync: (fd, buffer, offset, length, position) => {
      if (tempFds.has(fd)) {
        if (faults.mergeWrite) throw injected('merge write failure');
        return real.writeSync(fd, buffer, offset, length, position);
      }
      if (faults.write === 'error') throw injected('write failure');
      if (faults.write === 'partial') {
        const half = Math.max(1, length >>> 1);
        real.writeSync(fd, buffer, offset, half, position);
        faults.write = 'error';
        return half;
      }
      return real.writeSync(fd, buffer, offset, length, position);
    },
    ftruncateSync: (fd, length) => {
      if (faults.truncate) throw injected('truncate failure');
      real.ftruncateSync(fd, length);
    },
    fdatasyncSync: (fd) => {
      calls.fdatasync++;
      if (faults.fdatasync) throw injected('fdatasync failure');
      real.fdatasyncSync(fd);
    },
    fdatasync: (fd, callback) => {
      calls.fdatasync++;
      if (faults.fdatasync || (faults.mergeSync && tempFds.has(fd))) setImmediate(() => callback(injected('fdatasync failure')));
      else real.fdatasync(fd, callback);
    },
  };
  return { io, faults, calls };
}
