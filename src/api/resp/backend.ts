/** The RESP port's view of a running node (RespBackend), taken from its NodeRuntime. */
import type { NodeRuntime } from '../../runtime/node-runtime.js';
import type { RespBackend } from './types.js';

export function runtimeBackend(runtime: NodeRuntime): RespBackend {
  return {
    submit: (request, respond) => runtime.submit(request, respond),
    addFlushHook: (hook) => runtime.addFlushHook(hook),
    props: (bucket) => runtime.node.props(bucket),
    hasBucketProps: (bucket) => runtime.node.hasBucketProps(bucket),
    isServing: () => runtime.node.isServing(),
    cluster: () => runtime.node.cluster(),
    localRecordCount: () => runtime.node.keyCounts().total,
  };
}
