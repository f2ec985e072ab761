/**
 * activeDistill(): active learning on LLM labels. Each round trains the classifier on the LLM labels bought so far,
 * scores the unlabeled pool, picks the next batch with a selection strategy, has it labeled through the injected
 * `labelBatch`, and checks the stops (target agreement, label budget, USD budget, plateau, pool exhausted).
 *
 * Determinism: rounds run one after another, every random draw comes from a generator forked from the seed by round,
 * candidates are ordered by pool position and batches are sent in pool order, so the same pool, settings, seed and
 * answers give the same picks whatever `labelBatch`'s latency. Resume: finished rounds are read back from the round
 * log and their answers from `known` (the labeler's resumable output); the round in flight at a crash is picked again
 * (same model, same picks) and only its answers that are not in `known` are bought.
 */
import { createRng, csrSelectRows, type CsrMatrix } from '@taxonomist/core';
import type { LabeledExample } from '../data/examples.js';
import { DistilledClassifier } from '../model.js';
import { fitOnMatrix, resolveClassifier } from '../pipeline.js';
import { defaultRegistry } from '../registry.js';
import { resolveThreads } from '../train.js';
import { DEFAULT_CLASSIFIER, DEFAULT_FEATURIZER } from '../train-options.js';
import { ActiveOptionsSchema, type ActiveAnswer, type ActiveOptions, type PoolRecord } from './options.js';
import { holdoutAgreement, meanTopProbability, type QualityEstimate } from './quality.js';
import { fingerprintOf, RoundLog, type ActiveRound, type StopReason } from './round-log.js';
import { computeStrata, defaultStrataCount, strataFromAssignment, stratifiedSeed, type PoolStrata } from './strata.js';
import { randomPick } from './strategies.js';
import { defaultSelectionRegistry } from './strategy-registry.js';

export interface ActiveResult {
  rounds: ActiveRound[];
  stopReason: StopReason;
  /** Classifier trained on every usable label (training and held-out) once the loop stopped; absent with < 2 labels. */
  model?: DistilledClassifier;
  /** Every answer bought or reused, by id. */
  answers: Map<string, ActiveAnswer>;
  /** Usable labels as training examples, in pool order (held-out ones included). */
  examples: LabeledExample[];
  /** Ids of the held-out records. */
  holdoutIds: string[];
  /** Records sent to the LLM in total, answers reused from `known` in this process, unusable answers. */
  bought: number;
  reused: number;
  unusable: number;
  spentUsd?: number;
}

const UNASKED = 0;
const TRAIN = 1;
const HOLDOUT = 2;
const UNUSABLE = 3;

export async function activeDistill(pool: readonly PoolRecord[], options: ActiveOptions): Promise<ActiveResult> {
  const cfg = ActiveOptionsSchema.parse(serialisable(options));
  if (typeof options.labelBatch !== 'function') throw new TypeError('activeDistill: options.labelBatch must be a function');
  const n = pool.length;
  const posOf = new Map<string, number>();
  pool.forEach((r, i) => {
    if (typeof r?.id !== 'string' || r.id === '') throw new TypeError(`pool[${i}]: field "id" must be a non-empty string`);
    if (typeof r.text !== 'string') throw new TypeError(`pool[${i}] (id ${JSON.stringify(r.id)}): field "text" must be a string`);
    if (posOf.has(r.id)) throw new Error(`pool[${i}]: id ${JSON.stringify(r.id)} appears twice (first at pool[${posOf.get(r.id)}])`);
    posOf.set(r.id, i);
  });
  if (n === 0) throw new Error('activeDistill: the pool is empty');
  if (options.clusters && options.clusters.length !== n) throw new Error(`options.clusters: ${options.clusters.length} values for a pool of ${n}`);
  const registry = options.registry ?? defaultRegistry;
  const strategy = (options.strategies ?? defaultSelectionRegistry).get(cfg.strategy);
  const { def, config } = resolveClassifier(registry, (cfg.classifier ?? { ...DEFAULT_CLASSIFIER }) as { type: string }, false);
  const threads = resolveThreads('auto');
  const known = options.known ?? new Map<string, ActiveAnswer>();

  // The featurizer is unsupervised: fitted once on the whole pool, so every round shares one feature space.
  const texts = pool.map((r) => r.text);
  const featurizer = registry.createFeaturizer((cfg.featurizer ?? structuredClone(DEFAULT_FEATURIZER)) as { type: string });
  await featurizer.fit(texts);
  const X: CsrMatrix = await featurizer.transform(texts);

  let strata: PoolStrata | undefined;
  const getStrata = (): PoolStrata =>
    (strata ??= options.clusters ? strataFromAssignment(options.clusters) : computeStrata(texts, cfg.strata ?? defaultStrataCount(n), cfg.seed));

  const state = new Uint8Array(n);
  const answer: ActiveAnswer[] = new Array(n).fill(null);
  let bought = 0;
  let reused = 0;
  let unusable = 0;
  let asked = 0;
  let holdoutDrawn = 0;
  const spent = (): number | undefined => options.spentUsd?.();

  /** Answers for `picks` (training) and `held` (held-out), from `known` first, then one labelBatch call in pool order. */
  const buy = async (picks: readonly number[], held: readonly number[]): Promise<void> => {
    const roleOf = new Map<number, number>([...picks.map((p) => [p, TRAIN] as const), ...held.map((p) => [p, HOLDOUT] as const)]);
    const positions = [...roleOf.keys()].sort((a, b) => a - b);
    const need = positions.filter((p) => !known.has(pool[p]!.id));
    const got = new Map<number, ActiveAnswer>();
    if (need.length > 0) {
      const res = await options.labelBatch(need.map((p) => ({ id: pool[p]!.id, text: pool[p]!.text })));
      if (!Array.isArray(res) || res.length !== need.length) {
        throw new Error(`labelBatch returned ${Array.isArray(res) ? res.length : typeof res} answers for ${need.length} records`);
      }
      res.forEach((a, i) => {
        if (a !== null && (typeof a !== 'string' || a === '')) {
          throw new TypeError(`labelBatch: answer for id ${JSON.stringify(pool[need[i]!]!.id)} must be a non-empty string or null, got ${JSON.stringify(a)}`);
        }
        got.set(need[i]!, a);
      });
      asked += need.length;
    }
    for (const p of positions) {
      const a = got.has(p) ? got.get(p)! : known.get(pool[p]!.id)!;
      if (!got.has(p)) reused++;
      answer[p] = a;
      state[p] = a === null ? UNUSABLE : roleOf.get(p)!;
      if (a === null) unusable++;
    }
    bought += positions.length;
  };

  /** Every record with a usable label bought (training and held-out): what the final classifier learns. */
  const rowsBought = (): Int32Array => Int32Array.from(Array.from(state.keys()).filter((p) => state[p] === TRAIN || state[p] === HOLDOUT));
  const rowsIn = (s: number): Int32Array => {
    const out: number[] = [];
    for (let p = 0; p < n; p++) if (state[p] === s) out.push(p);
    return Int32Array.from(out);
  };

  /** The classifier of the current training labels (undefined while fewer than two labels are known). */
  const fit = async (rows: Int32Array = rowsIn(TRAIN)): Promise<DistilledClassifier | undefined> => {
    const labels = [...new Set(Array.from(rows, (p) => answer[p]!))].sort();
    if (labels.length < 2) return undefined;
    const index = new Map(labels.map((l, i) => [l, i]));
    const y = Int32Array.from(rows, (p) => index.get(answer[p]!)!);
    const f = await fitOnMatrix(def, config, csrSelectRows(X, rows), { kind: 'single', y }, labels, cfg.seed, undefined, threads);
    return new DistilledClassifier(labels, featurizer, f.model, {
      classifier: config,
      multiLabel: false,
      threshold: 0.5,
      training: { seed: cfg.seed, examples: rows.length, activeLearning: { strategy: cfg.strategy } },
    });
  };

  interface Scored {
    candidates: Int32Array;
    P: Float64Array;
    K: number;
    /** Training labels per column. */
    counts: Float64Array;
  }
  const assess = (model: DistilledClassifier | undefined): { quality: QualityEstimate | null; scored: Scored | undefined } => {
    const candidates = rowsIn(UNASKED);
    if (!model) return { quality: null, scored: undefined };
    const K = model.labels.length;
    const hold = rowsIn(HOLDOUT);
    const predicted = model.predictMatrix(csrSelectRows(X, hold), { k: 1 }).map((p) => p.label);
    const agreement = holdoutAgreement(predicted, Array.from(hold, (p) => answer[p]!), cfg.confidenceLevel);
    const P = candidates.length > 0 ? model.probabilities(csrSelectRows(X, candidates)) : new Float64Array(0);
    const column = new Map(model.labels.map((l, i) => [l, i]));
    const counts = new Float64Array(K);
    for (const p of rowsIn(TRAIN)) counts[column.get(answer[p]!)!]++;
    return {
      quality: { ...agreement, expectedAgreementUnlabeled: meanTopProbability(P, K), unlabeled: candidates.length },
      scored: { candidates, P, K, counts },
    };
  };

  const rounds: ActiveRound[] = [];
  // Only what decides the picks is fingerprinted: stops (budgets, target, plateau) may change between resumes.
  const { labelBudget: _b, budgetUsd: _u, targetAgreement: _t, targetOn: _o, targetMinHoldout: _m, plateau: _p, maxRounds: _x, confidenceLevel: _c, ...picking } = cfg;
  const fingerprint = fingerprintOf(picking, pool.map((r) => r.id));
  const opened = options.roundLog ? RoundLog.open(options.roundLog, fingerprint, n, options.fresh ?? false) : undefined;
  const log = opened?.log;

  // Resume: replay the logged rounds' picks with their answers (known, else bought now) and their logged figures.
  const logged = opened?.contents.rounds ?? [];
  for (const r of logged) {
    const posOfId = (id: string): number => {
      const p = posOf.get(id);
      if (p === undefined) throw new Error(`${options.roundLog}: round ${r.round} names id ${JSON.stringify(id)}, which is not in the pool`);
      return p;
    };
    await buy(r.picked.map(posOfId), r.holdoutAdded.map(posOfId));
    holdoutDrawn += r.holdoutAdded.length;
    rounds.push({ ...r, restored: true });
  }
  let model: DistilledClassifier | undefined;
  let scored: Scored | undefined;
  if (rounds.length > 0) {
    model = await fit();
    scored = assess(model).scored;
    for (const r of rounds) await options.onRound?.(r, r === rounds[rounds.length - 1] ? model : undefined);
  }

  const stopAfter = (last: ActiveRound): StopReason | undefined => {
    const q = last.quality;
    if (cfg.targetAgreement !== undefined && q && q.holdout.n >= cfg.targetMinHoldout) {
      const fig = cfg.targetOn === 'lower' ? q.holdout.interval?.low : q.holdout.agreement;
      if (fig !== undefined && fig !== null && fig >= cfg.targetAgreement) return 'target';
    }
    if (cfg.labelBudget !== undefined && bought >= cfg.labelBudget) return 'label-budget';
    const s = spent();
    if (cfg.budgetUsd !== undefined && s !== undefined && s >= cfg.budgetUsd) return 'usd-budget';
    if (cfg.plateau && rounds.length > cfg.plateau.rounds) {
      const agr = rounds.map((r) => r.quality?.holdout.agreement ?? -1);
      const cut = agr.length - cfg.plateau.rounds;
      const before = Math.max(...agr.slice(0, cut));
      const recent = Math.max(...agr.slice(cut));
      if (before >= 0 && recent - before < cfg.plateau.minGain) return 'plateau';
    }
    if (!state.includes(UNASKED)) return 'pool-exhausted';
    if (cfg.maxRounds !== undefined && rounds.length >= cfg.maxRounds) return 'max-rounds';
    return undefined;
  };

  let stopReason: StopReason | undefined = rounds.length > 0 ? stopAfter(rounds[rounds.length - 1]!) : undefined;
  while (!stopReason) {
    if (options.signal?.aborted) {
      stopReason = 'aborted';
      break;
    }
    const round = rounds.length;
    const rng = createRng(cfg.seed).fork(`round-${round}`);
    let size = round === 0 ? cfg.seedSize || cfg.batchSize : (options.batchSizeAt?.(round, bought) ?? cfg.batchSize);
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size of round ${round} must be a positive integer, got ${size}`);
    if (cfg.labelBudget !== undefined) size = Math.min(size, cfg.labelBudget - bought);
    const s = spent();
    if (cfg.budgetUsd !== undefined && s !== undefined && s > 0 && asked > 0) {
      size = Math.min(size, Math.floor((cfg.budgetUsd - s) / (s / asked)));
      if (size < 1) {
        stopReason = 'usd-budget';
        break;
      }
    }
    const candidates = scored?.candidates ?? rowsIn(UNASKED);
    size = Math.min(size, candidates.length);
    // Held-out draws first (uniform over the unlabeled pool, so the agreement measured on them speaks for the pool).
    const h = Math.min(size, Math.max(0, Math.round(cfg.holdoutFraction * (bought + size)) - holdoutDrawn));
    const holdoutPicks = Array.from(randomPick(candidates, h, rng.fork('holdout')));
    const taken = new Set(holdoutPicks);
    const want = size - h;
    let picks: number[];
    if (round === 0 && cfg.seedSize > 0) {
      picks = Array.from(stratifiedSeed(getStrata(), want, (p) => state[p] === UNASKED && !taken.has(p), rng.fork('seed')));
    } else {
      const keep: number[] = [];
      candidates.forEach((p, i) => !taken.has(p) && keep.push(i));
      const sub = Int32Array.from(keep, (i) => candidates[i]!);
      if (!model || !scored) picks = Array.from(randomPick(sub, want, rng.fork('pick')));
      else {
        const K = scored.K;
        const P = new Float64Array(keep.length * K);
        keep.forEach((i, j) => P.set(scored!.P.subarray(i * K, i * K + K), j * K));
        const ctx = { candidates: sub, probabilities: P, K, size: want, rng: rng.fork('pick'), strata: () => getStrata().stratum, round, labelCounts: scored.counts };
        picks = checkPicks(strategy.name, strategy.select(ctx), sub, want);
      }
    }
    await buy(picks, holdoutPicks);
    holdoutDrawn += holdoutPicks.length;
    model = await fit();
    const assessed = assess(model);
    scored = assessed.scored;
    const entry: ActiveRound = {
      round,
      strategy: round === 0 && cfg.seedSize > 0 ? 'seed' : model || round === 0 ? strategy.name : 'random',
      picked: picks.map((p) => pool[p]!.id),
      holdoutAdded: holdoutPicks.map((p) => pool[p]!.id),
      bought,
      unusable,
      training: rowsIn(TRAIN).length,
      holdout: rowsIn(HOLDOUT).length,
      quality: assessed.quality,
    };
    log?.append({ type: 'round', ...entry });
    const sp = spent();
    const withRuntime: ActiveRound = { ...entry, reused, ...(sp !== undefined ? { spentUsd: sp } : {}) };
    rounds.push(withRuntime);
    await options.onRound?.(withRuntime, model, { fitAll: () => fit(rowsBought()) });
    if (picks.length + holdoutPicks.length === 0) stopReason = 'pool-exhausted';
    else stopReason = stopAfter(withRuntime);
  }
  const ranNewRound = rounds.some((r) => !r.restored);
  if (log && (ranNewRound || !opened!.contents.others.some((o) => o.type === 'stop'))) log.append({ type: 'stop', reason: stopReason, round: rounds.length - 1, bought });

  const examples: LabeledExample[] = [];
  const holdoutIds: string[] = [];
  for (let p = 0; p < n; p++) {
    if (state[p] === TRAIN || state[p] === HOLDOUT) examples.push({ id: pool[p]!.id, text: pool[p]!.text, label: answer[p]! });
    if (state[p] === HOLDOUT) holdoutIds.push(pool[p]!.id);
  }
  const answers = new Map<string, ActiveAnswer>();
  for (let p = 0; p < n; p++) if (state[p] !== UNASKED) answers.set(pool[p]!.id, answer[p]!);
  // The final classifier learns the held-out labels too: the estimate above is for the model without them (conservative).
  for (let p = 0; p < n; p++) if (state[p] === HOLDOUT) state[p] = TRAIN;
  const finalModel = await fit();
  const sp = spent();
  return {
    rounds,
    stopReason,
    ...(finalModel ? { model: finalModel } : {}),
    answers,
    examples,
    holdoutIds,
    bought,
    reused,
    unusable,
    ...(sp !== undefined ? { spentUsd: sp } : {}),
  };
}

/** A strategy's picks, checked: candidates only, no repeats, at most `size` (a plugin bug must not buy wrong records). */
function checkPicks(name: string, raw: Int32Array | number[], candidates: Int32Array, size: number): number[] {
  const allowed = new Set(candidates);
  const seen = new Set<number>();
  const out: number[] = [];
  for (const p of raw) {
    if (!allowed.has(p)) throw new Error(`selection strategy "${name}" picked position ${p}, which is not an unlabeled candidate`);
    if (seen.has(p)) throw new Error(`selection strategy "${name}" picked position ${p} twice`);
    seen.add(p);
    if (out.length < size) out.push(p);
  }
  return out;
}

function serialisable(options: ActiveOptions): Record<string, unknown> {
  const {
    labelBatch: _l, spentUsd: _s, known: _k, roundLog: _r, fresh: _f, clusters: _c, registry: _g, strategies: _t, signal: _x, onRound: _o, batchSizeAt: _b,
    ...rest
  } = options;
  return rest;
}
