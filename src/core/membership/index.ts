export { type MemberState, type MemberSpec, type Member, MEMBER_STATES, stateRank, canonicalMember, compareMembers } from './member.js';
export {
  type Membership,
  newCluster,
  admit,
  updateMember,
  merge,
  digest,
  getMember,
  activeMembers,
  maxEpoch,
  canonicalMembership,
  membershipProblems,
} from './membership.js';
export { assignmentOf, foldAssignment } from './assignment-of.js';
export { parseMembership, parseMembershipOrProblem, memberSpecProblem, isNodeId, isWeight, sharedAddress } from './parse.js';
