/**
 * Benchmark of active distillation on banking77 (pool: train split, 10,003 texts; scored on the test split, 3,080,
 * against the gold labels):
 *
 *   npm run bench:active [-- --seeds 3 | --seed-list 2,3] [--strategies random,diverse-balanced] [--settings clean,noisy]
 *                        [--max-labels 2000] [--holdout F] [--json out.json]
 *                        [--strata S (k-means strata; default the loop's) --batches 50,100,200 (below 500/1,000/2,000)]
 *
 * The labeling "LLM" is a direct function answering from the gold labels (no HTTP server: the server would add only
 * latency, and the loop's results do not depend on latency; the labeler's own throughput has its own benchmark).
 * Setting "noisy": 10% of the records (a seeded draw per record) are answered with a confusable wrong label, the class
 * whose TF-IDF centroid is nearest to the gold class's centroid, and the same record gets the same wrong answer every
 * time it is bought. Re-labeling then re-asks the records the audit flags: "self-consistency" asks twice more, each
 * answer wrong with probability 10% independently (optimistic: a real LLM's errors on one text are correlated), and
 * keeps the majority; "second opinion" asks a stronger model (gold answers) and keeps its answer.
 *
 * For each strategy, seed and setting one loop runs to 2,000 labels (seed batch 100 stratified by k-means strata,
 * batches of 50 / 100 / 200 up to 500 / 1,000 / 2,000 labels, 10% of the labels held out at random for the
 * agreement estimate); at 250, 500, 1,000 and 2,000 labels bought two classifiers are scored on the test split: the
 * round's (trained on the labels not held out) and the one a user stopping there gets (every label bought, `fitAll`).
 * Medians over the seeds; the goal verdict (active@1,000 >= random@2,000) is printed for both. Active and random
 * runs are in the same process.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRng, hashString32 } from '@taxonomist/core';
import {
  activeDistill,
  auditLabels,
  defaultRegistry,
  DEFAULT_FEATURIZER,
  relabelSuspicious,
  train,
  type DistilledClassifier,
  type LabeledExample,
  type RelabelItem,
} from '../src/index.js';
import { requireBenchData } from '../../../bench/shared-data.js';

// <repo root>/../shared/data/banking77, or $TAXONOMIST_DATA/banking77; exits 2 naming what is missing.
const DATA_DIR = requireBenchData('banking77', ['train.jsonl', 'test.jsonl']);
/** --max-labels N: stop the loops at N labels (checkpoints above it are skipped), e.g. 1000 for a quicker screen. */
const CHECKPOINTS = [250, 500, 1000, 2000].filter((c) => c <= Number(arg('max-labels', '2000')));
const NOISE = 0.1;
/** --strata S: k-means strata of the pool for the seed batch and 'diverse' (0: the loop's default, ~n/10 up to 100). */
const STRATA = Number(arg('strata', '0'));
/** --batches a,b,c: batch sizes below 500, below 1,000 and up to 2,000 labels bought. */
const BATCHES = arg('batches', '50,100,200').split(',').map(Number);
/** --holdout F: share of the labels held out for the agreement estimate (default: the loop's, 10%). */
const HOLDOUT = arg('holdout', '');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

async function loadSplit(name: 'train' | 'test'): Promise<LabeledExample[]> {
  const path = join(DATA_DIR, `${name}.jsonl`);
  const text = await readFile(path, 'utf8');
  return text.split('\n').filter((l) => l.trim()).map((l, i) => {
    const r = JSON.parse(l) as LabeledExample;
    if (typeof r.text !== 'string' || typeof r.label !== 'string') throw new Error(`${path}:${i + 1}: fields text and label must be strings`);
    return r;
  });
}

/** Each class's most confusable class: the other class with the nearest TF-IDF centroid (cosine). */
async function confusableClasses(examples: LabeledExample[]): Promise<Map<string, string>> {
  const f = defaultRegistry.createFeaturizer(structuredClone(DEFAULT_FEATURIZER) as { type: string });
  await f.fit(examples.map((e) => e.text));
  const X = await f.transform(examples.map((e) => e.text));
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const idx = new Map(labels.map((l, i) => [l, i]));
  const C = labels.map(() => new Map<number, number>());
  examples.forEach((e, r) => {
    const c = C[idx.get(e.label)!]!;
    for (let j = X.indptr[r]!; j < X.indptr[r + 1]!; j++) c.set(X.indices[j]!, (c.get(X.indices[j]!) ?? 0) + X.data[j]!);
  });
  const norm = C.map((c) => Math.sqrt([...c.values()].reduce((a, v) => a + v * v, 0)));
  const out = new Map<string, string>();
  labels.forEach((l, a) => {
    let best = -1;
    let bestSim = -Infinity;
    labels.forEach((_, b) => {
      if (a === b) return;
      let s = 0;
      for (const [k, v] of C[a]!) s += v * (C[b]!.get(k) ?? 0);
      s /= norm[a]! * norm[b]!;
      if (s > bestSim) {
        bestSim = s;
        best = b;
      }
    });
    out.set(l, labels[best]!);
  });
  return out;
}

/** Whether the simulated LLM errs on this record at this attempt (seeded per record, attempt and seed). */
const errs = (id: string, seed: number, attempt: number): boolean => createRng(hashString32(`${id}|${seed}|${attempt}`)).next() < NOISE;

function accuracy(model: DistilledClassifier, test: LabeledExample[]): number {
  const pred = model.predictLabelsSync(test.map((e) => e.text));
  return pred.filter((p, i) => p === test[i]!.label).length / test.length;
}

const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const f3 = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(3));

interface RunResult {
  /** Test accuracy of the round's classifier (trained on the labels not held out). */
  curve: Record<number, number>;
  /** Test accuracy of the classifier a user stopping here gets (every label bought, held-out ones included). */
  curveAll: Record<number, number>;
  /** Held-out agreement estimate and expected agreement at each checkpoint (for the honesty check). */
  estimate: Record<number, { holdout: number | null; low: number | null; expected: number | null }>;
  relabel?: {
    noisy: number;
    goldSamePicks: number;
    wrongBefore: number;
    flagged: number;
    variants: Record<string, { accuracy: number; changed: number; asked: number; wrongAfter: number }>;
  };
  seconds: number;
}

async function runOne(pool: LabeledExample[], test: LabeledExample[], strategy: string, seed: number, noisy: boolean, confusable: Map<string, string>): Promise<RunResult> {
  const t0 = performance.now();
  const gold = new Map(pool.map((e) => [e.id!, e.label]));
  const answer = (id: string, attempt: number): string => (noisy && errs(id, seed, attempt) ? confusable.get(gold.get(id)!)! : gold.get(id)!);
  const curve: Record<number, number> = {};
  const curveAll: Record<number, number> = {};
  const estimate: RunResult['estimate'] = {};
  const res = await activeDistill(pool.map((e) => ({ id: e.id!, text: e.text })), {
    strategy,
    seed,
    seedSize: 100,
    labelBudget: CHECKPOINTS.at(-1)!,
    batchSizeAt: (_round, bought) => {
      const next = CHECKPOINTS.find((c) => c > bought)!;
      const base = bought < 500 ? BATCHES[0]! : bought < 1000 ? BATCHES[1]! : BATCHES[2]!;
      return Math.min(base, next - bought);
    },
    ...(STRATA > 0 ? { strata: STRATA } : {}),
    ...(HOLDOUT ? { holdoutFraction: Number(HOLDOUT) } : {}),
    labelBatch: async (records) => records.map((r) => answer(r.id, 0)),
    onRound: async (round, model, extra) => {
      if (CHECKPOINTS.includes(round.bought) && model) {
        curve[round.bought] = accuracy(model, test);
        const all = await extra!.fitAll();
        curveAll[round.bought] = accuracy(all!, test);
        const q = round.quality!;
        estimate[round.bought] = { holdout: q.holdout.agreement, low: q.holdout.interval?.low ?? null, expected: q.expectedAgreementUnlabeled };
      }
    },
  });
  const out: RunResult = { curve, curveAll, estimate, seconds: 0 };
  if (noisy) {
    // Same picks, three label sets, one training recipe: noisy as bought, re-labeled two ways, and gold.
    const examples = res.examples;
    const trainAcc = async (ex: LabeledExample[]) => accuracy((await train(ex, { seed })).model, test);
    // One audit, re-asking the 10% and the 20% most suspicious labels, by self-consistency and by a second opinion.
    const audit = await auditLabels(examples, { seed });
    const variant = async (max: number, policy: 'majority' | 'second-opinion') => {
      const r = await relabelSuspicious(examples, {
        seed,
        audit,
        max,
        policy,
        ask: async (items: RelabelItem[]) =>
          items.map((it) => (policy === 'majority' ? { answers: [answer(it.id, 1), answer(it.id, 2)], model: 'scripted-llm' } : { answers: [gold.get(it.id)!], model: 'scripted-gold' })),
      });
      return { accuracy: await trainAcc(r.examples), changed: r.changed, asked: r.asked, wrongAfter: r.examples.filter((e) => e.label !== gold.get(e.id!)).length };
    };
    const tenth = Math.ceil(examples.length * 0.1);
    out.relabel = {
      noisy: await trainAcc(examples),
      goldSamePicks: await trainAcc(examples.map((e) => ({ ...e, label: gold.get(e.id!)! }))),
      wrongBefore: examples.filter((e) => e.label !== gold.get(e.id!)).length,
      flagged: audit.issues.length,
      variants: {
        'self-consistency 10%': await variant(tenth, 'majority'),
        'second opinion 10%': await variant(tenth, 'second-opinion'),
        'self-consistency 20%': await variant(2 * tenth, 'majority'),
        'second opinion 20%': await variant(2 * tenth, 'second-opinion'),
      },
    };
  }
  out.seconds = (performance.now() - t0) / 1000;
  return out;
}

async function main(): Promise<void> {
  // --seeds N: seeds 1..N; --seed-list a,b: those seeds (e.g. to add seeds to an earlier run).
  const seeds = arg('seed-list', '') ? arg('seed-list', '').split(',').map(Number) : Array.from({ length: Number(arg('seeds', '3')) }, (_, i) => i + 1);
  const strategies = arg('strategies', 'random,diverse-balanced').split(',');
  const settings = arg('settings', 'clean,noisy').split(',');
  const [pool, test] = await Promise.all([loadSplit('train'), loadSplit('test')]);
  pool.forEach((e, i) => (e.id ??= `train-${i}`));
  const confusable = await confusableClasses(pool);
  console.log(`banking77: pool ${pool.length}, test ${test.length}; strategies ${strategies.join(', ')}; seeds ${seeds.join(', ')}; settings ${settings.join(', ')}`);
  const results: Record<string, Record<string, RunResult[]>> = {};
  for (const setting of settings) {
    results[setting] = {};
    for (const strategy of strategies) {
      results[setting]![strategy] = [];
      for (const seed of seeds) {
        const r = await runOne(pool, test, strategy, seed, setting === 'noisy', confusable);
        results[setting]![strategy]!.push(r);
        console.log(`  ${setting} ${strategy} seed ${seed}: ${CHECKPOINTS.map((c) => `${c}=${f3(r.curve[c])}`).join(' ')}; all labels: ${CHECKPOINTS.map((c) => `${c}=${f3(r.curveAll[c])}`).join(' ')}  (${r.seconds.toFixed(0)} s)` +
          (r.relabel
            ? `\n    relabel: noisy ${f3(r.relabel.noisy)}, gold ${f3(r.relabel.goldSamePicks)}, wrong ${r.relabel.wrongBefore}, flagged ${r.relabel.flagged}; ` +
              Object.entries(r.relabel.variants).map(([k, v]) => `${k}: ${f3(v.accuracy)} (asked ${v.asked}, changed ${v.changed}, wrong after ${v.wrongAfter})`).join('; ')
            : ''));
      }
    }
  }
  const lines: string[] = [];
  type Curve = 'curve' | 'curveAll';
  const at = (setting: string, strategy: string, c: number, which: Curve) => results[setting]![strategy]!.map((r) => r[which][c]!).filter((x) => x !== undefined);
  const med = (setting: string, strategy: string, c: number, which: Curve = 'curveAll') => median(at(setting, strategy, c, which));
  const lo = (setting: string, strategy: string, c: number, which: Curve) => Math.min(...at(setting, strategy, c, which));
  const hi = (setting: string, strategy: string, c: number, which: Curve) => Math.max(...at(setting, strategy, c, which));
  const titles: Record<Curve, string> = {
    curveAll: 'the classifier a user stopping there gets (trained on every label bought, held-out ones included)',
    curve: "the round's classifier (trained on the labels not held out, 90%)",
  };
  for (const setting of settings) {
    for (const which of ['curveAll', 'curve'] as const) {
      lines.push(`\n${setting}: test accuracy of ${titles[which]}, median (min-max) of ${seeds.length} seeds, vs LLM labels bought`);
      lines.push(`| strategy | ${CHECKPOINTS.join(' | ')} |`);
      lines.push(`| --- | ${CHECKPOINTS.map(() => '---:').join(' | ')} |`);
      for (const s of strategies) lines.push(`| ${s} | ${CHECKPOINTS.map((c) => `${f3(med(setting, s, c, which))} (${f3(lo(setting, s, c, which))}-${f3(hi(setting, s, c, which))})`).join(' | ')} |`);
    }
    const estimateRows = strategies.map((s) => `${s}: ` + CHECKPOINTS.map((c) => {
      const e = results[setting]![s]!.map((r) => r.estimate[c]!);
      return `${c}: held-out ${f3(median(e.map((x) => x.holdout ?? NaN)))} (low ${f3(median(e.map((x) => x.low ?? NaN)))}), expected ${f3(median(e.map((x) => x.expected ?? NaN)))}`;
    }).join('; '));
    lines.push(`estimates (median): agreement with the LLM on the held-out labels, and expected agreement on the unlabeled pool`);
    lines.push(...estimateRows.map((r) => `  ${r}`));
    for (const active of strategies.filter((s) => s !== 'random' && strategies.includes('random'))) {
      for (const which of ['curveAll', 'curve'] as const) {
        const a = med(setting, active, 1000, which);
        const r = med(setting, 'random', 2000, which);
        const what = which === 'curveAll' ? 'classifiers on all labels bought' : 'round classifiers (90%)';
        lines.push(Number.isNaN(r) || Number.isNaN(a)
          ? `${setting}: ${active}@1000 = ${f3(a)}, random@2000 not measured (--max-labels): goal not evaluated`
          : `${setting}, ${what}: ${active}@1000 = ${f3(a)} vs random@2000 = ${f3(r)} -> ${a >= r ? 'MET' : 'NOT met'} (active at half the labels ${a >= r ? '>=' : '<'} random)`);
      }
    }
    if (setting === 'noisy') {
      for (const s of strategies) {
        const rs = results[setting]![s]!.map((r) => r.relabel!);
        const m = (f: (x: NonNullable<RunResult['relabel']>) => number) => median(rs.map(f));
        lines.push(`noisy ${s}@2000 (same picks, train() on all labels): gold labels ${f3(m((x) => x.goldSamePicks))}, noisy ${f3(m((x) => x.noisy))} ` +
          `(wrong labels ${m((x) => x.wrongBefore)}, audit flagged ${m((x) => x.flagged)})`);
        for (const k of Object.keys(rs[0]!.variants)) {
          const acc = m((x) => x.variants[k]!.accuracy);
          const share = m((x) => (x.variants[k]!.accuracy - x.noisy) / (x.goldSamePicks - x.noisy));
          lines.push(`  ${k}: ${f3(acc)}, recovers ${f3(share)} of the loss (median of per-seed shares); re-asked ${m((x) => x.variants[k]!.asked)}, changed ${m((x) => x.variants[k]!.changed)}, wrong after ${m((x) => x.variants[k]!.wrongAfter)}`);
        }
      }
    }
  }
  console.log(lines.join('\n'));
  const json = arg('json', '');
  if (json) await writeFile(json, JSON.stringify(results, null, 2));
}

await main();
