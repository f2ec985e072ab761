/**
 * A compact set of string ids with one unsigned 32-bit value each (a line number, an input position...), for the
 * per-record bookkeeping of a streamed corpus (duplicate ids, done ids, input order) at millions of records.
 *
 * Why not a Map<string, number>: V8 keeps every id string plus ~40-80 B of map entry per record (about 100 MB per
 * million short ids). Here each id is reduced to a 64-bit hash and stored with its value in one typed array with
 * open addressing: 12 B per slot, at most 75% full, so 12-24 B per id whatever the id length, and no garbage.
 *
 * Ids are compared by their 64-bit hash: two different ids with the same hash would count as the same id. The chance
 * of any such collision among n ids is about n^2 / 2^65 (3e-6 for 10 million ids), far below the chance of a disk
 * error; callers that must be exact on a hit can check the id itself (e.g. by re-reading the line named by the value).
 */
export class IdHashSet {
  // Slot i: [hashHi, hashLo, value] at 3i. hashHi|hashLo === 0 marks an empty slot (a real hash of 0 is remapped).
  private slots: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 1024) {
    let capacity = 16;
    while (capacity * 0.75 < expected) capacity *= 2;
    this.slots = new Uint32Array(capacity * 3);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table (the whole cost of the set). */
  get bytes(): number {
    return this.slots.byteLength;
  }

  has(id: string): boolean {
    hashId(id);
    return this.find(hashHi, hashLo) >= 0;
  }

  /** The value stored with `id`, or undefined. */
  get(id: string): number | undefined {
    hashId(id);
    const at = this.find(hashHi, hashLo);
    return at < 0 ? undefined : this.slots[at * 3 + 2];
  }

  /** Add `id` with `value` if absent and return undefined; if present, keep it and return its stored value. */
  addIfAbsent(id: string, value = 0): number | undefined {
    hashId(id);
    const at = this.find(hashHi, hashLo);
    if (at >= 0) return this.slots[at * 3 + 2];
    this.insert(hashHi, hashLo, value, ~at);
    return undefined;
  }

  /** Add or overwrite the value of `id`. */
  set(id: string, value = 0): this {
    hashId(id);
    const at = this.find(hashHi, hashLo);
    if (at >= 0) this.slots[at * 3 + 2] = value >>> 0;
    else this.insert(hashHi, hashLo, value, ~at);
    return this;
  }

  add(id: string): this {
    this.addIfAbsent(id, 0);
    return this;
  }

  /** Slot index of the hash, or ~(the empty slot where it would go). */
  private find(hi: number, lo: number): number {
    const { slots, mask } = this;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      const h = slots[i * 3]!;
      const l = slots[i * 3 + 1]!;
      if (h === 0 && l === 0) return ~i;
      if (h === hi && l === lo) return i;
      i = (i + 1) & mask;
    }
  }

  private insert(hi: number, lo: number, value: number, slot: number): void {
    const at = slot * 3;
    this.slots[at] = hi;
    this.slots[at + 1] = lo;
    this.slots[at + 2] = value >>> 0;
    this.count++;
    if (this.count > (this.mask + 1) * 0.75) this.grow();
  }

  private grow(): void {
    const old = this.slots;
    const capacity = (this.mask + 1) * 2;
    this.slots = new Uint32Array(capacity * 3);
    this.mask = capacity - 1;
    for (let at = 0; at < old.length; at += 3) {
      const hi = old[at]!;
      const lo = old[at + 1]!;
      if (hi === 0 && lo === 0) continue;
      const slot = ~this.find(hi, lo);
      this.slots[slot * 3] = hi;
      this.slots[slot * 3 + 1] = lo;
      this.slots[slot * 3 + 2] = old[at + 2]!;
    }
  }
}

// The last hash computed (two 32-bit halves); module state avoids allocating a pair per lookup.
let hashHi = 0;
let hashLo = 0;

/**
 * 64-bit hash of a string's UTF-16 code units: two murmur3-style 32-bit lanes with different seeds and a final
 * avalanche mixing each lane with the other. In-process only (never persisted), so it may change between versions.
 */
function hashId(id: string): void {
  let h1 = 0x9747b28c ^ id.length;
  let h2 = 0x85ebca6b ^ Math.imul(id.length, 0xcc9e2d51);
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x5bd1e995);
    h1 ^= h1 >>> 15;
    h2 = Math.imul(h2 ^ c, 0x1b873593);
    h2 = (h2 << 13) | (h2 >>> 19);
  }
  h1 ^= h2;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b);
  h1 = Math.imul(h1 ^ (h1 >>> 13), 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  h2 ^= h1;
  h2 = Math.imul(h2 ^ (h2 >>> 16), 0x7feb352d);
  h2 = Math.imul(h2 ^ (h2 >>> 15), 0x846ca68b);
  h2 ^= h2 >>> 16;
  hashHi = h1 >>> 0;
  hashLo = h2 >>> 0;
  if (hashHi === 0 && hashLo === 0) hashLo = 1;
}
