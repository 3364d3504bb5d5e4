// A bounded memo for the engine's pure functions whose input repeats from pass to pass (a spec's
// validation, a stored report's parsing). The value for a key must be a pure function of what the
// key stands for, so a hit returns what computing would: the memo changes the cost of a pass,
// never its result (README.md: Memos).
export class BoundedMemo<V> {
  readonly #entries = new Map<string, V>();
  readonly maxEntries: number;

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries;
  }

  /** The value for `key`, computed at most once while the key stays among the last `maxEntries` used. */
  get(key: string, compute: () => V): V {
    if (this.#entries.has(key)) {
      const value = this.#entries.get(key) as V;
      // Most recently used last, so the first key is the one to drop.
      this.#entries.delete(key);
      this.#entries.set(key, value);
      return value;
    }
    const value = compute();
    this.#entries.set(key, value);
    if (this.#entries.size > this.maxEntries)
      this.#entries.delete(this.#entries.keys().next().value as string);
    return value;
  }

  /** Replaces the value for `key` (one that no longer stands for its input), as the most recently used. */
  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.maxEntries)
      this.#entries.delete(this.#entries.keys().next().value as string);
  }

  get size(): number {
    return this.#entries.size;
  }
}
