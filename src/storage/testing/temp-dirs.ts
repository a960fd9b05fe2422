/** Fresh directories under os.tmpdir() for disk-engine tests, all removed by `removeAll`. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class TempDirs {
  private readonly dirs: string[] = [];

  make(label: string): string {
    const dir = mkdtempSync(join(tmpdir(), `dynamo-${label}-`));
    this.dirs.push(dir);
    return dir;
  }

  removeAll(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}
