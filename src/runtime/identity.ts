/**
 * The incarnation of a data directory: a random tag made when the directory is first used and kept
 * in it. It is part of the actor id that versions this node mints, so a node whose data was lost
 * and that starts again empty never reuses a dot it minted before (Riak's vnode epochs).
 */
import { randomBytes } from 'node:crypto';
import type { StorageEngine } from '../storage/engine.js';
import { metaKey } from '../node/keys.js';

export async function loadIncarnation(engine: StorageEngine): Promise<string> {
  const key = metaKey('incarnation');
  const existing = engine.get(key);
  if (existing !== undefined) return Buffer.from(existing).toString('utf8');
  const fresh = randomBytes(6).toString('base64url');
  engine.stage(key, Buffer.from(fresh, 'utf8'));
  await engine.commit();
  return fresh;
}
