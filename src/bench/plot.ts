/**
 * The latency-over-time plot of a run: p50 and p99 (left axis, ms, log scale) and throughput (right
 * axis, ops/s) per second, as a self-contained SVG with no dependencies.
 */
import type { SecondSample } from './recorder.js';

const WIDTH = 900;
const HEIGHT = 420;
const PAD = { left: 64, right: 72, top: 40, bottom: 48 };

export function latencyPlotSvg(title: string, samples: readonly SecondSample[]): string {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const n = Math.max(1, samples.length);
  const x = (i: number): number => PAD.left + (n === 1 ? plotW / 2 : (i / (n - 1)) * plotW);
  const latencies = samples.flatMap((s) => [s.p50Ms, s.p99Ms]).filter((v) => v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(latencies.length === 0 ? 0.1 : Math.min(...latencies))));
  const hi = Math.max(lo * 10, Math.pow(10, Math.ceil(Math.log10(latencies.length === 0 ? 1 : Math.max(...latencies)))));
  const yLat = (ms: number): number => PAD.top + plotH - ((Math.log10(Math.max(ms, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH;
  const maxOps = niceCeil(Math.max(...samples.map((s) => s.ops), 1));
  const yOps = (ops: number): number => PAD.top + plotH - (ops / maxOps) * plotH;
  const line = (values: number[], y: (v: number) => number, color: string, dash = ''): string =>
    `<polyline fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`;
  const grid: string[] = [];
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    const y = yLat(d).toFixed(1);
    grid.push(`<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    grid.push(`<text x="${PAD.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${d >= 1 ? d.toFixed(0) : d.toPrecision(1)}</text>`);
  }
  for (let k = 0; k <= 4; k++) {
    const ops = (maxOps * k) / 4;
    grid.push(`<text x="${PAD.left + plotW + 6}" y="${yOps(ops).toFixed(1)}" dominant-baseline="middle" fill="#888">${formatOps(ops)}</text>`);
  }
  const step = Math.max(1, Math.ceil(n / 10));
  for (let i = 0; i < samples.length; i += step) {
    grid.push(`<text x="${x(i).toFixed(1)}" y="${PAD.top + plotH + 18}" text-anchor="middle">${samples[i]!.second}</text>`);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
    ...grid,
    `<rect x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`,
    line(samples.map((s) => s.ops), yOps, '#bbb', '4 3'),
    line(samples.map((s) => s.p50Ms), yLat, '#1f77b4'),
    line(samples.map((s) => s.p99Ms), yLat, '#d62728'),
    `<text x="${PAD.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle">seconds into the run phase</text>`,
    `<text transform="translate(16 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle">latency, ms (log scale)</text>`,
    `<text transform="translate(${WIDTH - 14} ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#888">ops/s</text>`,
    `<g transform="translate(${PAD.left + 10} ${PAD.top + 14})">`,
    `<line x1="0" x2="20" y1="0" y2="0" stroke="#1f77b4" stroke-width="2"/><text x="26" y="4">p50</text>`,
    `<line x1="70" x2="90" y1="0" y2="0" stroke="#d62728" stroke-width="2"/><text x="96" y="4">p99</text>`,
    `<line x1="140" x2="160" y1="0" y2="0" stroke="#bbb" stroke-width="2" stroke-dasharray="4 3"/><text x="166" y="4">ops/s</text>`,
    `</g>`,
    `</svg>`,
  ].join('\n');
}

function niceCeil(v: number): number {
  const magnitude = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * magnitude >= v) return m * magnitude;
  return 10 * magnitude;
}

function formatOps(ops: number): string {
  return ops >= 1000 ? `${(ops / 1000).toFixed(ops % 1000 === 0 ? 0 : 1)}k` : ops.toFixed(0);
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
