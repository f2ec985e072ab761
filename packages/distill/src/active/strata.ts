/**
 * Offline strata of the pool and the stratified seed batch. The strata are the clustering engine's first two steps
 * (built-in LSA vectors, spherical k-means from @taxonomist/core) without the naming: no model call, seeded.
 */
import { kmeans, LsaVectorizer, type Rng } from '@taxonomist/core';

export interface PoolStrata {
  /** Stratum of every pool position. */
  stratum: Int32Array;
  /** Pool positions of each stratum, nearest to its centroid first (ties by position). */
  members: Int32Array[];
}

/** Default number of strata: about one per 10 records, at most 100, at least 2. */
export function defaultStrataCount(n: number): number {
  return Math.max(2, Math.min(100, Math.floor(n / 10)));
}

export function computeStrata(texts: readonly string[], k: number, seed: number): PoolStrata {
  const n = texts.length;
  const kk = Math.max(1, Math.min(k, n));
  const { vectors } = LsaVectorizer.fit(texts, { seed, dimensions: Math.min(100, Math.max(2, n - 1)) });
  const res = kmeans(vectors, { k: kk, seed, spherical: true, nInit: 1 });
  return strataFromAssignment(res.labels, res.distances);
}

/** Strata from a given cluster per position (e.g. the run's offline clusters); `distances` orders members. */
export function strataFromAssignment(stratum: ArrayLike<number>, distances?: ArrayLike<number>): PoolStrata {
  const s = Int32Array.from(stratum);
  let S = 0;
  s.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0) throw new RangeError(`clusters[${i}]: expected a non-negative integer, got ${c}`);
    S = Math.max(S, c + 1);
  });
  const lists: number[][] = Array.from({ length: S }, () => []);
  s.forEach((c, i) => lists[c]!.push(i));
  const d = distances ?? new Float64Array(s.length);
  return { stratum: s, members: lists.map((l) => Int32Array.from(l.sort((a, b) => d[a]! - d[b]! || a - b))) };
}

/**
 * The seed batch: `size` records spread over the strata so that small themes are seen before any model exists.
 * Slots go round the strata (largest first, ties by index), each taking its next most central unpicked record;
 * `eligible` excludes positions already labeled.
 */
export function stratifiedSeed(strata: PoolStrata, size: number, eligible: (p: number) => boolean, rng: Rng): Int32Array {
  // Random rotation of the strata order breaks the bias toward low indices among equal-size strata.
  const S = strata.members.length;
  const shift = S > 0 ? rng.int(S) : 0;
  const order = [...Array(S).keys()].sort(
    (a, b) => strata.members[b]!.length - strata.members[a]!.length || ((a - shift + S) % S) - ((b - shift + S) % S),
  );
  const cursor = new Int32Array(S);
  const out: number[] = [];
  let progress = true;
  while (out.length < size && progress) {
    progress = false;
    for (const s of order) {
      if (out.length >= size) break;
      const m = strata.members[s]!;
      while (cursor[s]! < m.length && !eligible(m[cursor[s]!]!)) cursor[s]++;
      if (cursor[s]! < m.length) {
        out.push(m[cursor[s]!]!);
        cursor[s]++;
        progress = true;
      }
    }
  }
  return Int32Array.from(out);
}
