/** The narrow, synchronous slice of a storage engine that the node reads. Writes leave as effects. */
export interface StorageView {
  /** `sortKey`: keyString(key), when the caller has it (see StorageEngine.get). */
  get(key: Uint8Array, sortKey?: string): Uint8Array | undefined;
  /** See StorageEngine.digestOf: the digest written with the key's value, when the engine keeps one. */
  digestOf?(key: Uint8Array, sortKey?: string): Uint8Array | undefined;
  range(from: Uint8Array, to: Uint8Array, options?: { limit?: number }): IterableIterator<{ key: Uint8Array; value: Uint8Array }>;
  count(from: Uint8Array, to: Uint8Array): number;
}
