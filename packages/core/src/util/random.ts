/**
 * Seeded pseudo-random numbers. Every random choice in Taxonomist takes a seed so that the same inputs, seed and
 * scripted model give byte-identical outputs. sfc32 seeded through splitmix32: fast, good enough statistically,
 * and identical on every platform (pure 32-bit integer maths).
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** A new independent generator derived from this one (for sub-tasks that must not shift this stream). */
  fork(label?: string | number): Rng;
  /** The seed this generator was created with. */
  readonly seed: number;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** 32-bit FNV-1a of a string, used to derive seeds from labels. */
export function hashString32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new TypeError(`seed must be a finite number, got ${seed}`);
  const init = splitmix32(Math.trunc(seed) >>> 0);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  let spare: number | undefined;
  const nextU32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) nextU32();
  const rng: Rng = {
    seed,
    next: () => nextU32() / 4294967296,
    int: (n: number) => {
      if (!(n > 0)) throw new RangeError(`int(n) needs n > 0, got ${n}`);
      return Math.floor((nextU32() / 4294967296) * n);
    },
    normal: () => {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      let u = 0;
      while (u === 0) u = nextU32() / 4294967296;
      const v = nextU32() / 4294967296;
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    fork: (label?: string | number) => {
      const salt = label === undefined ? nextU32() : hashString32(String(label));
      return createRng((nextU32() ^ salt) >>> 0);
    },
  };
  return rng;
}

/** Fisher-Yates shuffle of a copy. */
export function shuffle<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/** k items without replacement, in the order drawn (all of them, shuffled, when k >= length). */
export function sampleWithoutReplacement<T>(items: readonly T[], k: number, rng: Rng): T[] {
  if (k >= items.length) return shuffle(items, rng);
  // Partial Fisher-Yates on an index array: O(n) memory, O(k) swaps.
  const idx = Array.from({ length: items.length }, (_, i) => i);
  const out: T[] = [];
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(idx.length - i);
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
    out.push(items[idx[i]!]!);
  }
  return out;
}
