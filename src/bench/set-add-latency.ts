/**
 * Add latency on a set bucket at two set sizes: `node --import tsx src/bench/set-add-latency.ts
 * --node URL [--sizes 10,10000] [--adds 200]`. A set is stored and replicated whole, so an add
 * costs in proportion to the set's size; this measures by how much. Sequential HTTP POSTs of one
 * element each, after the set was grown with bulk adds; prints p50/p99/mean per size and the
 * stored size of the set.
 */
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { node: { type: 'string', default: 'http://127.0.0.1:7101' }, sizes: { type: 'string', default: '10,10000' }, adds: { type: 'string', default: '200' } } });
const node = values.node!;
const sizes = values.sizes!.split(',').map(Number);
const adds = Number(values.adds);
const bucket = `set-latency-${Date.now()}`;

async function post(key: string, body: unknown): Promise<void> {
  const res = await fetch(`${node}/kv/${bucket}/${key}`, { method: 'POST', body: JSON.stringify(body) });
  if (res.status !== 204) throw new Error(`${res.status} ${await res.text()}`);
}

async function main(): Promise<void> {
  const res = await fetch(`${node}/buckets/${bucket}`, { method: 'PUT', body: JSON.stringify({ type: 'set' }) });
  if (res.status !== 200) throw new Error(`cannot make the set bucket: ${res.status} ${await res.text()}`);
  await new Promise((r) => setTimeout(r, 2000));
  for (const size of sizes) {
    const key = `s${size}`;
    for (let i = 0; i < size; i += 1000) await post(key, { add: Array.from({ length: Math.min(1000, size - i) }, (_, k) => `element-${i + k}`) });
    const latencies: number[] = [];
    for (let i = 0; i < adds; i++) {
      const started = performance.now();
      await post(key, { add: [`extra-${i}`] });
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    const at = (q: number): string => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(2);
    const mean = (latencies.reduce((a, b) => a + b, 0) / latencies.length).toFixed(2);
    const local = (await (await fetch(`${node}/admin/local/${bucket}/${key}`)).json()) as { data: { bytes?: number; siblings: { value: string | null }[] } | null };
    const stored = local.data?.siblings.reduce((n, s) => n + (s.value === null ? 0 : Buffer.from(s.value, 'base64').length), 0) ?? 0;
    console.log(`set of ${size} elements: ${adds} adds, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, mean ${mean} ms; stored value ${stored} bytes (${(stored / (size + adds)).toFixed(1)} B/element)`);
  }
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
