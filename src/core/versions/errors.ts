/** Stored or received bytes that are not a sibling set: corruption or a bug at the sender. */
export class VersionDecodeError extends Error {
  override readonly name = 'VersionDecodeError';
  readonly code = 'bad_sibling_set';
}
