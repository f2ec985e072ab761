/**
 * Open-addressing hash map from uint32 keys to int32 values on typed arrays (linear probing, power-of-two capacity).
 * Used for hashed-vocabulary lookups in the featurizer's hot path: no Map, no boxing, no string keys.
 * Key 0 is the empty marker, so callers must never store 0: `normalizeKey` maps 0 to 1 (a harmless extra collision).
 */
export function normalizeKey(key: number): number {
  return key === 0 ? 1 : key >>> 0;
}

export class Uint32HashMap {
  // Keys and values interleaved in one array ([key, value] per slot) so a probe touches one cache line.
  private slots: Int32Array;
  private mask: number;
  private count = 0;

  constructor(expectedSize = 1024) {
    let cap = 16;
    while (cap < expectedSize * 2) cap *= 2;
    this.slots = new Int32Array(cap * 2);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Value for `key`, or -1 when absent. `key` must already be normalised (non-zero). */
  get(key: number): number {
    const slots = this.slots;
    const mask = this.mask;
    const k32 = key | 0;
    // Keys are already avalanche-mixed hashes, so their low bits index the table directly.
    let i = key & mask;
    for (;;) {
      const k = slots[i << 1]!;
      if (k === k32) return slots[(i << 1) + 1]!;
      if (k === 0) return -1;
      i = (i + 1) & mask;
    }
  }

  /** Value of `key`, inserting it with `initial` when absent. */
  getOrInsert(key: number, initial: number): number {
    if ((this.count + 1) * 4 > this.slots.length) this.grow();
    const slots = this.slots;
    const mask = this.mask;
    const k32 = key | 0;
    let i = key & mask;
    for (;;) {
      const k = slots[i << 1]!;
      if (k === k32) return slots[(i << 1) + 1]!;
      if (k === 0) {
        slots[i << 1] = k32;
        slots[(i << 1) + 1] = initial;
        this.count++;
        return initial;
      }
      i = (i + 1) & mask;
    }
  }

  set(key: number, value: number): void {
    if ((this.count + 1) * 4 > this.slots.length) this.grow();
    const slots = this.slots;
    const mask = this.mask;
    const k32 = key | 0;
    let i = key & mask;
    for (;;) {
      const k = slots[i << 1]!;
      if (k === k32 || k === 0) {
        if (k === 0) this.count++;
        slots[i << 1] = k32;
        slots[(i << 1) + 1] = value;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = this.slots.length / 2 - 1;
    this.count = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0) this.set(old[i]! >>> 0, old[i + 1]!);
  }
}
