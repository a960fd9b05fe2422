// The dashboard page: polls /ui/state once a second and redraws. Plain browser JavaScript, no
// framework and nothing fetched from outside the node. With security on, /ui/state answers 401;
// the page then asks for a user and password, keeps them for this tab only (sessionStorage) and
// sends them as HTTP Basic credentials.
'use strict';

const POLL_MS = 1000;
const COLORS = ['#0969da', '#bf8700', '#8250df', '#1a7f37', '#cf222e', '#1b7c83', '#bc4c00', '#6e7781', '#d63384', '#4d2d8f'];
const $ = (id) => document.getElementById(id);
const colorOf = new Map();

function memberColor(id) {
  if (!colorOf.has(id)) colorOf.set(id, COLORS[colorOf.size % COLORS.length]);
  return colorOf.get(id);
}

function el(tag, attrs, ...children) {
  const ns = ['svg', 'path', 'circle', 'polyline', 'line', 'text', 'title', 'g'].includes(tag) ? 'http://www.w3.org/2000/svg' : null;
  const node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function credentials() {
  const saved = sessionStorage.getItem('dynamo-auth');
  return saved ? { authorization: 'Basic ' + saved } : {};
}

async function poll() {
  let res;
  try {
    res = await fetch('/ui/state', { headers: credentials(), cache: 'no-store' });
  } catch (err) {
    setLive(false, 'node unreachable: ' + err.message);
    return;
  }
  if (res.status === 401 || res.status === 403) {
    $('main').hidden = true;
    $('login').hidden = false;
    if (res.status === 403) $('login-error').textContent = 'this user may not read the cluster';
    setLive(false, 'login needed');
    return;
  }
  if (!res.ok) {
    setLive(false, 'the node answered ' + res.status);
    return;
  }
  const state = await res.json();
  $('login').hidden = true;
  $('main').hidden = false;
  setLive(true, '');
  render(state);
}

function setLive(ok, why) {
  const badge = $('live');
  badge.className = 'badge ' + (ok ? 'up' : 'down');
  badge.textContent = ok ? 'live' : 'offline';
  badge.title = why;
  if (!ok) $('summary').textContent = why;
}

function render(s) {
  const c = s.cluster;
  $('self').textContent = s.node;
  if (c === null) {
    $('summary').textContent = s.node + ': not in a cluster yet (waiting for a seed)';
    return;
  }
  const up = c.members.filter((m) => m.up).length;
  $('summary').textContent = `node ${s.node} · ${c.members.length} members, ${up} up · Q=${c.partitions}, N=${c.n} · ${s.operationsInFlight} operations in flight · ${new Date(s.atMs).toLocaleTimeString()}`;
  $('q').textContent = c.partitions;
  $('n').textContent = c.n;
  for (const m of c.members) memberColor(m.id);
  renderMembers(s);
  if (s.ring) renderRing(s.ring);
  renderHandoff(s);
  renderCharts(s.series);
}

function renderMembers(s) {
  const byId = new Map((s.ring ? s.ring.members : []).map((m) => [m.id, m]));
  const body = $('members').tBodies[0];
  body.replaceChildren(
    ...s.cluster.members.map((m) => {
      const r = byId.get(m.id) || { primary: m.partitions, fallback: 0 };
      const seen = el('span', { class: 'badge ' + (m.up ? 'up' : 'down') }, m.up ? 'up' : 'down');
      const phi = m.id === s.node ? '-' : (s.phi[m.id] ?? '-');
      return el(
        'tr',
        { 'data-member': m.id, 'data-up': m.up, 'data-state': m.state },
        el('td', {}, el('span', { class: 'swatch', style: 'background:' + memberColor(m.id) }), m.id + (m.id === s.node ? ' (this node)' : '')),
        el('td', {}, m.address),
        el('td', {}, m.state),
        el('td', {}, seen),
        el('td', {}, phi),
        el('td', {}, r.primary),
        el('td', {}, r.fallback),
        el('td', {}, s.hints.byTarget[m.id] || 0),
      );
    }),
  );
}

function arc(r0, r1, a0, a1) {
  const p = (r, a) => `${(r * Math.sin(a)).toFixed(2)} ${(-r * Math.cos(a)).toFixed(2)}`;
  const large = a1 - a0 > Math.PI ? 1 : 0;
  return `M ${p(r1, a0)} A ${r1} ${r1} 0 ${large} 1 ${p(r1, a1)} L ${p(r0, a1)} A ${r0} ${r0} 0 ${large} 0 ${p(r0, a0)} Z`;
}

function renderRing(ring) {
  const svg = $('ring');
  const up = new Map(ring.members.map((m) => [m.id, m.up]));
  const q = ring.partitions;
  const width = 52 / ring.replicas;
  const parts = [];
  const gap = q > 256 ? 0 : 0.004;
  for (const row of ring.rows) {
    const a0 = (2 * Math.PI * row.partition) / q + gap;
    const a1 = (2 * Math.PI * (row.partition + 1)) / q - gap;
    row.primaries.forEach((id, k) => {
      const r0 = 40 + k * width;
      const isUp = up.get(id) !== false;
      parts.push(el('path', { d: arc(r0, r0 + width - 1, a0, a1), fill: isUp ? memberColor(id) : '#d0d7de', stroke: isUp ? 'none' : '#cf222e', 'stroke-width': 0.6 },
        el('title', {}, `partition ${row.partition}: primary ${k + 1} ${id}${isUp ? '' : ' (down)'}`)));
    });
    row.fallbacks.forEach(([standIn, owner], k) => {
      const a = (a0 + a1) / 2;
      const r = 96 + k * 5;
      parts.push(el('circle', { cx: (r * Math.sin(a)).toFixed(2), cy: (-r * Math.cos(a)).toFixed(2), r: 2.2, fill: memberColor(standIn) },
        el('title', {}, `partition ${row.partition}: ${standIn} stands in for ${owner}`)));
    });
  }
  parts.push(el('text', { x: 0, y: 3, 'text-anchor': 'middle', 'font-size': 9, fill: '#57606a' }, `Q = ${q}`));
  svg.replaceChildren(...parts);
  $('legend').replaceChildren(...ring.members.map((m) =>
    el('span', {}, el('span', { class: 'swatch', style: 'background:' + memberColor(m.id) }), `${m.id}: ${m.primary} primary, ${m.fallback} fallback`)));
}

function renderHandoff(s) {
  const targets = Object.entries(s.hints.byTarget);
  const max = Math.max(1, ...targets.map(([, n]) => n));
  const t = s.transfers;
  const rows = [
    el('p', {}, `hints held here: ${s.hints.pending}`),
    ...targets.map(([id, n]) => el('div', {}, el('span', { style: 'display:inline-block;width:70px' }, 'for ' + id), el('span', { class: 'bar', style: `width:${Math.max(2, (200 * n) / max)}px;background:${memberColor(id)}` }), ' ' + n)),
    el('p', {}, `transfers: ${t.pendingOut} partitions to hand over, ${t.pendingIn} to pull, ${t.done} handed over so far`),
    el('p', {}, `exchanges in flight: ${t.exchanges.length === 0 ? 'none' : ''}`),
    ...t.exchanges.map((x) => el('div', { class: 'note', 'data-exchange': x.partition },
      `partition ${x.partition} with ${x.peer} (${x.mode === 'push' ? 'transfer' : 'anti-entropy'}): ` +
        (x.leavesDiffering > 0 ? `${x.leavesDone}/${x.leavesDiffering} differing leaves, ` : `comparing tree level ${x.level}, `) +
        `${x.pushed} sets sent, ${x.pulled} received, ${(x.bytes / 1e6).toFixed(2)} MB`)),
    el('p', {}, `anti-entropy: ${s.antiEntropy.rounds} exchanges done, ${s.antiEntropy.keysRepaired} keys repaired, ${(s.antiEntropy.bytesExchanged / 1e6).toFixed(2)} MB exchanged`),
  ];
  $('handoff').replaceChildren(...rows);
}

function sparkline(points, pick, color, max) {
  if (points.length === 0) return [];
  const t0 = points[0].atMs;
  const t1 = Math.max(t0 + 1, points[points.length - 1].atMs);
  const xy = points.filter((p) => pick(p) !== null).map((p) => `${((300 * (p.atMs - t0)) / (t1 - t0)).toFixed(1)},${(86 - (80 * pick(p)) / max).toFixed(1)}`);
  return [el('polyline', { points: xy.join(' '), fill: 'none', stroke: color, 'stroke-width': 1.5 })];
}

function renderCharts(series) {
  const ops = Object.keys(series).sort();
  if (ops.length === 0) {
    $('charts').replaceChildren(el('p', { class: 'note' }, 'no client requests yet'));
    return;
  }
  $('charts').replaceChildren(
    ...ops.map((op) => {
      const pts = series[op];
      const last = pts[pts.length - 1] || { perSec: 0, errorsPerSec: 0, p50Ms: null, p99Ms: null };
      const maxRate = Math.max(1, ...pts.map((p) => p.perSec));
      const maxMs = Math.max(1, ...pts.map((p) => p.p99Ms || 0));
      const fmt = (ms) => (ms === null ? '-' : ms + ' ms');
      return el('div', { class: 'chart', 'data-op': op },
        el('h3', {}, op),
        el('div', { class: 'figures' }, `${last.perSec.toFixed(1)}/s, errors ${last.errorsPerSec.toFixed(1)}/s, p50 ${fmt(last.p50Ms)}, p99 ${fmt(last.p99Ms)}`),
        el('svg', { viewBox: '0 0 300 90', preserveAspectRatio: 'none' }, ...sparkline(pts, (p) => p.perSec, '#0969da', maxRate),
          ...sparkline(pts, (p) => p.errorsPerSec, '#cf222e', maxRate)),
        el('svg', { viewBox: '0 0 300 90', preserveAspectRatio: 'none' }, ...sparkline(pts, (p) => p.p50Ms, '#1a7f37', maxMs),
          ...sparkline(pts, (p) => p.p99Ms, '#bf8700', maxMs)),
        el('div', { class: 'figures' }, `top: requests/s (blue; errors red, max ${maxRate.toFixed(0)}/s); bottom: p50 green, p99 amber (max ${maxMs} ms)`));
    }),
  );
}

$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  sessionStorage.setItem('dynamo-auth', btoa(`${f.get('user')}:${f.get('password')}`));
  $('login-error').textContent = '';
  poll();
});

poll();
setInterval(poll, POLL_MS);
