/**
 * Agreement among several human (or model) raters who each labeled the same items: Fleiss' kappa.
 * (Two raters: `cohenKappa` in ./classification.ts.)
 */

/**
 * Fleiss' kappa. `items[i]` holds the labels the raters gave item i; every item must have the same number of
 * ratings (at least 2). kappa = (P̄ - P̄e) / (1 - P̄e), where P̄ is the mean per-item share of agreeing rater
 * pairs and P̄e the chance agreement from the overall label shares. When P̄e = 1 (every rating is the same single
 * label) kappa is undefined and reported as 1 (complete agreement).
 */
export function fleissKappa(items: readonly (readonly string[])[]): number {
  if (items.length === 0) throw new RangeError('fleissKappa: no items');
  const n = items[0]!.length;
  if (n < 2) throw new RangeError(`fleissKappa: item 0 has ${n} rating(s); at least 2 raters are needed`);
  const totals = new Map<string, number>();
  let sumPi = 0;
  items.forEach((ratings, i) => {
    if (ratings.length !== n) {
      throw new RangeError(`fleissKappa: item ${i} has ${ratings.length} ratings, item 0 has ${n}; raters must be equal per item`);
    }
    const counts = new Map<string, number>();
    for (const r of ratings) counts.set(r, (counts.get(r) ?? 0) + 1);
    let sq = 0;
    for (const [label, c] of counts) {
      sq += c * c;
      totals.set(label, (totals.get(label) ?? 0) + c);
    }
    sumPi += (sq - n) / (n * (n - 1));
  });
  const N = items.length;
  const pBar = sumPi / N;
  let pe = 0;
  for (const c of totals.values()) pe += (c / (N * n)) ** 2;
  if (1 - pe <= 1e-12) return 1;
  return (pBar - pe) / (1 - pe);
}
