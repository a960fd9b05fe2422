/** A one-line progress display on stderr, drawn only when stderr is a terminal (never into logs or pipes). */
export function progressLine(stream: NodeJS.WriteStream = process.stderr): { update(text: string): void; done(): void } {
  const live = stream.isTTY === true;
  let lastMs = 0;
  let drawn = false;
  return {
    update(text: string) {
      const now = performance.now();
      if (!live || now - lastMs < 100) return;
      lastMs = now;
      drawn = true;
      stream.write(`\r\x1b[K${text}`);
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
