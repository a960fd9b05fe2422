import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RespParser, parseInteger, splitInline, type Parsed, type ParserLimits } from './parser.js';

const LIMITS: ParserLimits = { maxBulkBytes: 64, maxSkipBytes: 4096, maxArgs: 16, maxLineBytes: 256, maxCommandBytes: 8192 };

function multibulk(args: readonly Buffer[]): Buffer {
  return Buffer.concat([Buffer.from(`*${args.length}\r\n`), ...args.flatMap((a) => [Buffer.from(`$${a.length}\r\n`), a, Buffer.from('\r\n')])]);
}

/** Feeds `bytes` cut at `cuts` (positions, any order) and collects everything that comes out. */
function feed(parser: RespParser, bytes: Buffer, cuts: readonly number[]): Parsed[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Parsed[] = [];
  let from = 0;
  for (const at of [...points, bytes.length]) {
    if (at > from) out.push(...parser.push(bytes.subarray(from, at)));
    from = Math.max(from, at);
  }
  return out;
}

const arg = fc.uint8Array({ minLength: 0, maxLength: 80 }).map((a) => Buffer.from(a));
const command = fc.array(arg, { minLength: 1, maxLength: 16 });

test('law: a pipeline split anywhere parses to the same commands as in one piece', () => {
  fc.assert(
    fc.property(fc.array(command, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 30 }), (commands, cuts) => {
      const bytes = Buffer.concat(commands.map(multibulk));
      const whole = new RespParser(LIMITS).push(bytes);
      const split = feed(new RespParser(LIMITS), bytes, cuts);
      assert.deepEqual(split, whole);
      assert.equal(whole.length, commands.length);
      whole.forEach((parsed, i) => {
        const tooLong = commands[i]!.some((a) => a.length > LIMITS.maxBulkBytes);
        if (tooLong) assert.equal(parsed.kind, 'refused');
        else assert.deepEqual(parsed, { kind: 'command', args: commands[i] });
      });
    }),
    { numRuns: 300 },
  );
});

test('a bulk over the value limit refuses its command and the next command still parses', () => {
  const parser = new RespParser(LIMITS);
  const big = Buffer.alloc(1000, 0x61);
  const out = parser.push(Buffer.concat([multibulk([Buffer.from('SET'), Buffer.from('k'), big]), multibulk([Buffer.from('PING')])]));
  assert.equal(out.length, 2);
  assert.equal(out[0]!.kind, 'refused');
  assert.deepEqual(out[1], { kind: 'command', args: [Buffer.from('PING')] });
});

test('inline commands: words, quotes and escapes as redis-cli sends them; unbalanced quotes are a protocol error', () => {
  const parser = new RespParser(LIMITS);
  const out = parser.push(Buffer.from('SET "a b" \'c\\\'d\' "\\x41\\n"\r\nPING\n\r\n'));
  assert.deepEqual(out, [
    { kind: 'command', args: [Buffer.from('SET'), Buffer.from('a b'), Buffer.from("c'd"), Buffer.from('A\n')] },
    { kind: 'command', args: [Buffer.from('PING')] },
  ]);
  assert.equal(splitInline(Buffer.from('GET "open')), null);
  assert.equal(splitInline(Buffer.from('GET "a"b')), null);
  assert.deepEqual(new RespParser(LIMITS).push(Buffer.from('GET "open\r\n')), [{ kind: 'protocolError', message: 'Protocol error: unbalanced quotes in request' }]);
});

test("hostile lengths get Redis's protocol errors and nothing after them", () => {
  const cases: [string, string][] = [
    ['*99999999\r\n', 'Protocol error: invalid multibulk length'],
    ['*x\r\n', 'Protocol error: invalid multibulk length'],
    ['*1\r\n$99999999\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$-1\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\nGET\r\n', "Protocol error: expected '$', got 'G'"],
    [`*${'1'.repeat(300)}`, 'Protocol error: too big mbulk count string'],
    [`*1\r\n$${'1'.repeat(300)}`, 'Protocol error: too big bulk count string'],
    ['A'.repeat(300), 'Protocol error: too big inline request'],
  ];
  for (const [input, message] of cases) {
    const parser = new RespParser(LIMITS);
    assert.deepEqual(parser.push(Buffer.from(input)), [{ kind: 'protocolError', message }], input);
    assert.deepEqual(parser.push(multibulk([Buffer.from('PING')])), [], 'nothing comes out after a protocol error');
  }
});

test('a command whose arguments together pass the command limit is a protocol error', () => {
  const parser = new RespParser({ ...LIMITS, maxCommandBytes: 100 });
  const out = parser.push(multibulk([Buffer.alloc(60), Buffer.alloc(60)]));
  assert.deepEqual(out, [{ kind: 'protocolError', message: 'Protocol error: too big request' }]);
});

test('fuzz: garbage and mangled pipelines never throw, always return, and keep nothing unbounded', () => {
  const mangled = fc.tuple(fc.array(command, { maxLength: 4 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 })).map(([commands, edits]) => {
    const bytes = Buffer.concat(commands.map(multibulk));
    for (const [at, byte] of edits) if (bytes.length > 0) bytes[at % bytes.length] = byte;
    return bytes;
  });
  const hostileHeader = fc
    .tuple(fc.constantFrom('*', '$', '*1\r\n$', '*2\r\n$3\r\nGET\r\n$'), fc.oneof(fc.integer({ min: -5, max: 10_000_000 }).map(String), fc.string({ maxLength: 20 })))
    .map(([prefix, n]) => Buffer.from(`${prefix}${n}\r\n`));
  const input = fc.oneof(fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)), mangled, hostileHeader);
  fc.assert(
    fc.property(fc.array(input, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 20 }), (inputs, cuts) => {
      const parser = new RespParser(LIMITS);
      const out = feed(parser, Buffer.concat(inputs), cuts);
      const failures = out.filter((p) => p.kind === 'protocolError');
      assert.ok(failures.length <= 1, 'at most one protocol error, and it is the last thing out');
      if (failures.length === 1) assert.equal(out[out.length - 1]!.kind, 'protocolError');
      for (const parsed of out) {
        if (parsed.kind !== 'command') continue;
        assert.ok(parsed.args.length >= 1 && parsed.args.length <= LIMITS.maxArgs);
        for (const a of parsed.args) assert.ok(a.length <= Math.max(LIMITS.maxBulkBytes, LIMITS.maxLineBytes));
      }
    }),
    { numRuns: 2000 },
  );
});

test("parseInteger follows Redis's string2ll: no plus sign, no leading zeros, no spaces", () => {
  const parse = (s: string): number | null => parseInteger(Buffer.from(s), 0, s.length);
  assert.equal(parse('0'), 0);
  assert.equal(parse('-12'), -12);
  assert.equal(parse('123'), 123);
  for (const bad of ['', '-', '+1', '01', ' 1', '1 ', '1a', '99999999999999999999']) assert.equal(parse(bad), null, bad);
});
