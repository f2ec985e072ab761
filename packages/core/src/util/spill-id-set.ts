import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SpillIdSetOptions {
  /**
   * Ids kept in the in-memory table before it is sorted and written to disk as a run (default 262,144: a table of
   * at most 10 MB). Tests force tiny values to cross many spill boundaries.
   */
  memoryEntries?: number;
  /** Directory for the temporary run file (default: os.tmpdir(), i.e. $TMPDIR). The file is deleted on close. */
  dir?: string;
}

/** Entries per disk block: one block (5 KB) is read per lookup that reaches a run. */
const BLOCK = 256;
/** Words per entry: hash (4 x 32 bits) + value. */
const W = 5;
/** Bloom filter per run: 16 bits and 8 probes per entry in 512-bit blocks, a false "maybe" in about 1 of 1,000 lookups. */
const BLOOM_BITS = 16;
const BLOOM_PROBES = 8;
/** Table slots are at most 2^21 (so sort keys stay exact): memoryEntries at most 75% of that. */
const SLOT_KEY = 2 ** 21;
const MAX_MEMORY_ENTRIES = SLOT_KEY * 0.75;

interface Run {
  /** Byte offset of the run in the run file. */
  offset: number;
  entries: number;
  /** First hash word of every block: picks the block to read. */
  blockFirst: Uint32Array;
  bloom: Uint32Array;
  /** 512-bit blocks in the filter. */
  bloomBlocks: number;
}

/**
 * A set of string ids with one unsigned 32-bit value each whose memory does not grow with the number of ids: a
 * bounded in-memory table, spilled to a temporary file as a sorted run when full. A run costs 2 bytes of memory per
 * id (its Bloom filter) plus a sparse block index; a lookup that the filters cannot rule out reads one 5 KB block
 * per candidate run. So the common "never seen" case stays in memory and a hit costs one disk read (from the page
 * cache on a warm machine).
 *
 * Ids are compared by a 128-bit hash (collision chance about n^2 / 2^129: 1e-25 for 10 million ids): a Bloom false
 * positive never counts as a hit, the exact hash is always checked on disk.
 *
 * Values combine: `merge(id, bits)` ORs bits into an id's value (the value of an id is the OR of every value stored
 * for it), `addIfAbsent` keeps the first value. Call `close()` to delete the run file (a process that dies leaves
 * nothing behind on POSIX: the file is unlinked as soon as it is opened).
 */
export class SpillIdSet {
  private readonly memoryEntries: number;
  private readonly dir: string | undefined;
  private slots: Uint32Array;
  private mask: number;
  private inMemory = 0;
  private distinct = 0;
  private readonly runs: Run[] = [];
  private fd: number | undefined;
  private fileBytes = 0;
  private readonly block = new Uint32Array(BLOCK * W);
  private readonly blockBytes = new Uint8Array(this.block.buffer);
  private diskReads = 0;
  /** The run file's directory when it could not be unlinked while open (Windows): removed by close(). */
  private leftover: string | undefined;

  constructor(options: SpillIdSetOptions = {}) {
    const m = options.memoryEntries ?? 262_144;
    if (!Number.isInteger(m) || m < 1 || m > MAX_MEMORY_ENTRIES) {
      throw new TypeError(`SpillIdSet: memoryEntries must be an integer from 1 to ${MAX_MEMORY_ENTRIES}, got ${m}`);
    }
    this.memoryEntries = m;
    this.dir = options.dir;
    this.slots = new Uint32Array(16 * W);
    this.mask = 15;
  }

  /** Distinct ids added. */
  get size(): number {
    return this.distinct;
  }

  /** Runs written to disk so far, and the blocks read back (for tests and benchmarks). */
  get stats(): { runs: number; diskBytes: number; diskReads: number; memoryBytes: number } {
    let memoryBytes = this.slots.byteLength;
    for (const r of this.runs) memoryBytes += r.bloom.byteLength + r.blockFirst.byteLength;
    return { runs: this.runs.length, diskBytes: this.fileBytes, diskReads: this.diskReads, memoryBytes };
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /** The OR of the values stored for `id`, or undefined when it was never added. */
  get(id: string): number | undefined {
    hash128(id);
    return this.lookup(true);
  }

  /** Add `id` with `value` if absent and return undefined; if present, keep it and return its value. */
  addIfAbsent(id: string, value = 0): number | undefined {
    hash128(id);
    const found = this.lookup(false);
    if (found !== undefined) return found;
    this.insertNew(value);
    this.distinct++;
    return undefined;
  }

  /** OR `bits` into the value of `id` (adding it if absent); returns the value before, or undefined if absent. */
  merge(id: string, bits: number): number | undefined {
    hash128(id);
    const before = this.lookup(true);
    if (before === undefined) this.distinct++;
    const at = this.find();
    if (at >= 0) this.slots[at * W + 4] = (this.slots[at * W + 4]! | bits) >>> 0;
    else this.insertNew(((before ?? 0) | bits) >>> 0);
    return before;
  }

  /** Delete the run file. The set is empty afterwards. */
  close(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    if (this.leftover !== undefined) rmSync(this.leftover, { recursive: true, force: true });
    this.leftover = undefined;
    this.runs.length = 0;
    this.slots = new Uint32Array(16 * W);
    this.mask = 15;
    this.inMemory = 0;
    this.distinct = 0;
    this.fileBytes = 0;
  }

  /** Value(s) of the current hash: the in-memory table first, then every run whose filter may hold it. */
  private lookup(all: boolean): number | undefined {
    let value: number | undefined;
    const at = this.find();
    if (at >= 0) {
      value = this.slots[at * W + 4]!;
      if (!all) return value;
    }
    for (let r = this.runs.length - 1; r >= 0; r--) {
      const run = this.runs[r]!;
      if (!bloomHas(run)) continue;
      const v = this.searchRun(run);
      if (v === undefined) continue;
      if (!all) return v;
      value = ((value ?? 0) | v) >>> 0;
    }
    return value;
  }

  private searchRun(run: Run): number | undefined {
    const { blockFirst } = run;
    // The last block starting below h0 (equal first words may continue from it), then forward while <= h0.
    let lo = 0;
    let hi = blockFirst.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (blockFirst[mid]! < h0) lo = mid;
      else hi = mid - 1;
    }
    for (let b = lo; b < blockFirst.length && blockFirst[b]! <= h0; b++) {
      const n = Math.min(BLOCK, run.entries - b * BLOCK);
      const bytes = n * W * 4;
      this.diskReads++;
      let got = 0;
      while (got < bytes) {
        const k = readSync(this.fd!, this.blockBytes, got, bytes - got, run.offset + b * BLOCK * W * 4 + got);
        if (k === 0) throw new Error('SpillIdSet: the run file is shorter than written (was it deleted or truncated?)');
        got += k;
      }
      const e = this.block;
      for (let i = 0; i < n; i++) {
        const w = e[i * W]!;
        if (w > h0) return undefined;
        if (w === h0 && e[i * W + 1] === h1 && e[i * W + 2] === h2 && e[i * W + 3] === h3) return e[i * W + 4];
      }
    }
    return undefined;
  }

  /** Slot of the current hash in the table, or ~(the empty slot where it would go). */
  private find(): number {
    const { slots, mask } = this;
    let i = (h3 ^ Math.imul(h2, 0x9e3779b1)) & mask;
    for (;;) {
      const at = i * W;
      const a = slots[at]!;
      if (a === 0 && slots[at + 1] === 0 && slots[at + 2] === 0 && slots[at + 3] === 0) return ~i;
      if (a === h0 && slots[at + 1] === h1 && slots[at + 2] === h2 && slots[at + 3] === h3) return i;
      i = (i + 1) & mask;
    }
  }

  private insertNew(value: number): void {
    if (this.inMemory >= this.memoryEntries) this.spill();
    else if ((this.inMemory + 1) > (this.mask + 1) * 0.75) this.grow();
    const at = ~this.find() * W;
    const s = this.slots;
    s[at] = h0;
    s[at + 1] = h1;
    s[at + 2] = h2;
    s[at + 3] = h3;
    s[at + 4] = value >>> 0;
    this.inMemory++;
  }

  private grow(): void {
    const old = this.slots;
    const capacity = (this.mask + 1) * 2;
    this.slots = new Uint32Array(capacity * W);
    this.mask = capacity - 1;
    const [s0, s1, s2, s3] = [h0, h1, h2, h3];
    for (let at = 0; at < old.length; at += W) {
      if (old[at] === 0 && old[at + 1] === 0 && old[at + 2] === 0 && old[at + 3] === 0) continue;
      h0 = old[at]!;
      h1 = old[at + 1]!;
      h2 = old[at + 2]!;
      h3 = old[at + 3]!;
      const to = ~this.find() * W;
      for (let w = 0; w < W; w++) this.slots[to + w] = old[at + w]!;
    }
    [h0, h1, h2, h3] = [s0, s1, s2, s3];
  }

  /** Write the table as a sorted run (by first hash word), build its filter and block index, empty the table. */
  private spill(): void {
    const s = this.slots;
    const n = this.inMemory;
    // Sort keys: first hash word * 2^21 + slot index, exact in a double (the table has at most 2^21 slots); a native
    // numeric sort. Ties on the first word keep slot order: lookups scan every entry with an equal first word.
    const order = new Float64Array(n);
    let k = 0;
    for (let i = 0; i <= this.mask; i++) {
      const at = i * W;
      if (s[at] === 0 && s[at + 1] === 0 && s[at + 2] === 0 && s[at + 3] === 0) continue;
      order[k++] = s[at]! * SLOT_KEY + i;
    }
    order.sort();
    const out = new Uint32Array(n * W);
    const blockFirst = new Uint32Array(Math.ceil(n / BLOCK));
    const bloomBlocks = Math.ceil((n * BLOOM_BITS) / 512);
    const run: Run = { offset: this.fileBytes, entries: n, blockFirst, bloom: new Uint32Array(bloomBlocks * 16), bloomBlocks };
    const [s0, s1, s2, s3] = [h0, h1, h2, h3];
    for (let j = 0; j < n; j++) {
      const slot = order[j]! % SLOT_KEY;
      for (let w = 0; w < W; w++) out[j * W + w] = s[slot * W + w]!;
      if (j % BLOCK === 0) blockFirst[j / BLOCK] = s[slot * W]!;
      h1 = s[slot * W + 1]!;
      h2 = s[slot * W + 2]!;
      h3 = s[slot * W + 3]!;
      bloomAdd(run);
    }
    [h0, h1, h2, h3] = [s0, s1, s2, s3];
    this.fd ??= this.openRunFile();
    const bytes = new Uint8Array(out.buffer);
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written, this.fileBytes + written);
    this.fileBytes += bytes.length;
    this.runs.push(run);
    s.fill(0);
    this.inMemory = 0;
  }

  private openRunFile(): number {
    const dir = mkdtempSync(join(this.dir ?? tmpdir(), 'taxonomist-ids-'));
    const path = join(dir, 'runs.bin');
    const fd = openSync(path, 'w+');
    // Unlinked at once: the data lives until the descriptor closes, even if the process is killed.
    try {
      unlinkSync(path);
      rmSync(dir, { recursive: true, force: true });
    } catch {
      this.leftover = dir;
    }
    return fd;
  }
}

// The last hash computed (four 32-bit words); module state avoids allocating per lookup.
let h0 = 0;
let h1 = 0;
let h2 = 0;
let h3 = 0;

// Blocked Bloom filter: one 512-bit block per id (one cache line, one division), then every probe inside it.
function bloomAdd(run: Run): void {
  const base = (h1 % run.bloomBlocks) * 16;
  const step = h3 | 1;
  for (let i = 0; i < BLOOM_PROBES; i++) {
    const bit = (h2 + Math.imul(i, step)) & 511;
    run.bloom[base + (bit >>> 5)]! |= 1 << (bit & 31);
  }
}

function bloomHas(run: Run): boolean {
  const base = (h1 % run.bloomBlocks) * 16;
  const step = h3 | 1;
  for (let i = 0; i < BLOOM_PROBES; i++) {
    const bit = (h2 + Math.imul(i, step)) & 511;
    if ((run.bloom[base + (bit >>> 5)]! & (1 << (bit & 31))) === 0) return false;
  }
  return true;
}

/**
 * 128-bit hash of a string's UTF-16 code units: four 32-bit multiply-rotate lanes with different seeds and
 * multipliers, then a final avalanche that mixes every lane into every other. In-process only (the run file never
 * outlives the set), so it may change between versions. The all-zero hash (the empty-slot marker) is remapped.
 */
function hash128(id: string): void {
  const n = id.length;
  let a = 0x9747b28c ^ n;
  let b = 0x85ebca6b ^ Math.imul(n, 0xcc9e2d51);
  let c = 0xc2b2ae35 ^ Math.imul(n, 0x27d4eb2f);
  let d = 0x165667b1 ^ Math.imul(n, 0x9e3779b1);
  for (let i = 0; i < n; i++) {
    const ch = id.charCodeAt(i);
    a = Math.imul(a ^ ch, 0x5bd1e995);
    a ^= a >>> 15;
    b = Math.imul(b ^ ch, 0x1b873593);
    b = (b << 13) | (b >>> 19);
    c = Math.imul(c ^ ch, 0x2c1b3c6d);
    c = (c << 17) | (c >>> 15);
    d = Math.imul(d ^ ch, 0x297a2d39);
    d ^= d >>> 13;
  }
  a = fmix(a ^ b);
  b = fmix(b ^ a ^ c);
  c = fmix(c ^ b ^ d);
  d = fmix(d ^ c ^ a);
  a = fmix(a ^ d);
  h0 = a >>> 0;
  h1 = b >>> 0;
  h2 = c >>> 0;
  h3 = d >>> 0;
  if (h0 === 0 && h1 === 0 && h2 === 0 && h3 === 0) h3 = 1;
}

function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
