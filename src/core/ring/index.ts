export { keyHash, partitionOf, partitionBits, isPowerOfTwo, isValidPartitionCount, assertPartitionCount, textHash, MAX_PARTITIONS } from './hash.js';
export {
  type Assignment,
  type Weights,
  emptyAssignment,
  replicaCounts,
  firstCounts,
  nodesOf,
  movedReplicas,
  assignmentProblems,
  compareNodeIds,
} from './assignment.js';
export { replicaTargets } from './targets.js';
export { claimNode, releaseNode, rebalance, maxNodes } from './claim.js';
export { preferenceList } from './preference.js';
export { Ring } from './ring.js';
