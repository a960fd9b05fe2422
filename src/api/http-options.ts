/** What the HTTP API is started with (its own file so the route files and the server share it without a cycle). */
import type { NodeRuntime } from '../runtime/node-runtime.js';
import type { NodeMetricsExporter } from '../runtime/prometheus.js';

export interface HttpApiOptions {
  readonly host: string;
  readonly port: number;
  readonly runtime: NodeRuntime;
  readonly metrics: NodeMetricsExporter;
  readonly maxValueBytes: number;
  readonly onLeave?: () => void;
}
