/** What the HTTP API is started with (its own file so the route files and the server share it without a cycle). */
import type { NodeRuntime } from '../runtime/node-runtime.js';
import type { NodeMetricsExporter } from '../runtime/prometheus.js';
import type { Authenticator } from '../security/auth.js';

export interface HttpApiOptions {
  readonly host: string;
  readonly port: number;
  readonly runtime: NodeRuntime;
  readonly metrics: NodeMetricsExporter;
  readonly maxValueBytes: number;
  readonly onLeave?: () => void;
  /** HTTPS with this certificate and key (PEM) instead of plain HTTP. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Every request but /health authenticated (HTTP Basic) and authorized by role. */
  readonly auth?: Authenticator;
}
