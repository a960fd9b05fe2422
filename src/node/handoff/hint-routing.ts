/**
 * Where a held hint goes now (HandoffScheduler.scan asks for each hint it looks at):
 * - to its owner, as plain data, when the owner is a member and up;
 * - while this node is leaving and the owner is down, still as a hint to another live member, so
 *   leaving never waits for an owner to come back;
 * - when the owner has left the cluster, as data to the key's current primaries ('self' when this
 *   node is one of them);
 * - null: not now (the owner is down and this node stays).
 */
import { assert } from '../../core/assert.js';
import type { NodeId } from '../../core/ids.js';
import { getMember, type Membership } from '../../core/membership/index.js';
import type { NodeContext, Placement } from '../context.js';
import type { KeyIdentity, ParsedKey } from '../keys.js';
import type { HintRoute } from './handoff.js';

export interface HintRoutingHost {
  readonly ctx: NodeContext;
  membership(): Membership | null;
  placement(identity: KeyIdentity, n: number): Placement | null;
}

export function routeHint(host: HintRoutingHost, hint: ParsedKey): HintRoute {
  const { ctx } = host;
  const owner = hint.target;
  assert(owner !== null, 'a hint key names its owner');
  const m = host.membership();
  const member = m === null ? undefined : getMember(m, owner);
  if (member !== undefined && member.state !== 'left') {
    if (ctx.isUp(owner)) return { to: owner, hintFor: null };
    const self = m === null ? undefined : getMember(m, ctx.selfId);
    if (self?.state !== 'leaving') return null;
    const via = relayFor(host, owner);
    return via === undefined ? null : { to: via, hintFor: owner };
  }
  // The owner left: the key's data belongs with its current primaries.
  const placement = host.placement(hint, ctx.props(hint.bucket).n);
  if (placement === null) return null;
  if (placement.primaries.includes(ctx.selfId)) return 'self';
  const to = placement.primaries.find((p) => ctx.isUp(p));
  return to === undefined ? null : { to, hintFor: null };
}

/** Another live member to hold a hint for a down owner while this node leaves. */
function relayFor(host: HintRoutingHost, owner: NodeId): NodeId | undefined {
  const m = host.membership();
  if (m === null) return undefined;
  const self = host.ctx.selfId;
  return m.members.find((x) => x.id !== self && x.id !== owner && (x.state === 'up' || x.state === 'joining') && host.ctx.isUp(x.id))?.id;
}
