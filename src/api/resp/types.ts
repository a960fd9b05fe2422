/**
 * What the RESP commands need and see: a narrow view of the node (the same `submit` path the HTTP
 * API and the binary client protocol use), the connection's session, and the command table entry.
 */
import type { BucketProps } from '../../core/buckets/index.js';
import type { ClientRequest, ClientResponse } from '../../protocol/requests.js';
import type { ClusterView } from '../../node/views.js';
import type { Reply } from './encoder.js';
import type { Authenticator, Principal } from '../../security/auth.js';

/** The kinds of the typed buckets beside a connection's kv bucket (typed-buckets.ts). */
export type CrdtKind = 'counter' | 'set';

/** The node as the RESP port sees it; node-server.ts builds it from the NodeRuntime. */
export interface RespBackend {
  submit(request: ClientRequest, respond: (response: ClientResponse) => void): void;
  addFlushHook?(hook: () => void): void;
  /** The bucket's properties as this node knows them. */
  props(bucket: string): BucketProps;
  /** Whether anyone ever set the bucket's properties (otherwise it has the defaults). */
  hasBucketProps(bucket: string): boolean;
  isServing(): boolean;
  cluster(): ClusterView | null;
  /** Records this node holds, all buckets and replicas together (a full scan: DBSIZE caches it). */
  localRecordCount(): number;
}

export interface RespObserver {
  observe(op: string, outcome: string, seconds: number): void;
}

/** Per-connection state that commands read and change. */
export interface Session {
  readonly id: number;
  /** The protocol HELLO chose: 2 until a client asks for 3. */
  protocol: 2 | 3;
  name: string | null;
  libName: string | null;
  libVersion: string | null;
  /** Bucket the keys of this connection live in (DYNAMO.BUCKET changes it). */
  bucket: string;
  /** Set by QUIT: the connection closes once the replies so far are written. */
  quitting: boolean;
  /** Security on: who AUTH (or HELLO AUTH) logged in as; null before (data commands: -NOAUTH). */
  principal: Principal | null;
  /**
   * While a login is being verified: the commands that came after it, run once it is decided
   * (clients such as redis-benchmark pipeline AUTH with their first command). Bounded by the
   * connection's in-flight limit, as they are unanswered.
   */
  waitingForLogin: (() => void)[] | null;
  /** The client's address, which failed AUTH attempts are counted against. */
  readonly remote: string;
}

export interface ServerFacts {
  readonly nodeId: string;
  readonly port: number;
  readonly defaultBucket: string;
  readonly startedMs: number;
  readonly version: string;
  readonly maxValueBytes: number;
  connectionCount(): number;
  /** DBSIZE's estimate of the keys in the cluster (see server-commands.ts), cached for a few seconds. */
  keyEstimate(): number;
  /** Makes the port's default bucket `lww` before its first use, unless its properties were ever set. */
  prepareBucket(bucket: string): void;
  /** The counter and set buckets this port types on first use (typed-buckets.ts). */
  readonly typedBuckets: { prepare(bucket: string, type: CrdtKind): void; settling(bucket: string): boolean };
  /** Security on (--certs-dir): every connection authenticates with AUTH; undefined: open, as Redis without a password. */
  readonly auth: Authenticator | undefined;
}

export interface CommandContext {
  readonly backend: RespBackend;
  readonly session: Session;
  /** The session's bucket when the command arrived (a later DYNAMO.BUCKET does not move it). */
  readonly bucket: string;
  readonly server: ServerFacts;
  readonly metrics: RespObserver | undefined;
}

/** Runs a command whose arity was checked; calls `done` exactly once, now or later. */
export type CommandRun = (ctx: CommandContext, args: readonly Buffer[], done: (reply: Reply) => void) => void;

export interface CommandSpec {
  readonly name: string;
  /** Redis's arity: n > 0 exactly n words (name included), n < 0 at least -n. */
  readonly arity: number;
  readonly flags: readonly string[];
  /** Positions of the first and last key and the step between keys (0 0 0: no keys), as COMMAND reports. */
  readonly keys: readonly [number, number, number];
  readonly group: string;
  readonly summary: string;
  readonly run: CommandRun;
}
