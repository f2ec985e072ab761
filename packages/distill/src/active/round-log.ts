/**
 * The round log: one JSONL line per finished round of the active loop (what was picked, how many labels were bought,
 * the quality estimate), a start line fingerprinting the settings and the pool, and a stop line. Lines are appended
 * only once a round's labels are all in, so after a SIGKILL the log holds whole rounds (a torn last line is cut
 * off); the labels themselves live in the labeler's own resumable output.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { QualityEstimate } from './quality.js';

export const ROUND_LOG_FORMAT = 'taxonomist-active-log';
export const ROUND_LOG_VERSION = 1;

export type StopReason = 'label-budget' | 'usd-budget' | 'target' | 'plateau' | 'pool-exhausted' | 'max-rounds' | 'aborted';

export interface ActiveRound {
  round: number;
  /** 'seed' for round 0, else the strategy name. */
  strategy: string;
  /** Ids chosen for training this round, in selection order. */
  picked: string[];
  /** Ids drawn at random this round for the held-out set. */
  holdoutAdded: string[];
  /** Records sent to the LLM so far (cumulative; answers reused from `known` count too). */
  bought: number;
  /** Of `bought`, answers taken from `known` instead of asking the LLM (cumulative, this process; not logged). */
  reused?: number;
  /** Records the LLM gave no usable label (cumulative). */
  unusable: number;
  /** Labels the classifier of this round trained on / held out. */
  training: number;
  holdout: number;
  quality: QualityEstimate | null;
  spentUsd?: number;
  /** Set on rounds read back from the log on resume. */
  restored?: boolean;
}

const StartLine = z.object({ type: z.literal('start'), format: z.literal(ROUND_LOG_FORMAT), version: z.number().int(), fingerprint: z.string(), pool: z.number().int() });
const RoundLine = z.looseObject({ type: z.literal('round'), round: z.number().int().min(0), picked: z.array(z.string()), holdoutAdded: z.array(z.string()) });
const StopLine = z.looseObject({ type: z.literal('stop'), reason: z.string() });
const OtherLine = z.looseObject({ type: z.string() });

export interface RoundLogContents {
  rounds: ActiveRound[];
  /** Every other line (stop, relabel...) in file order. */
  others: Record<string, unknown>[];
}

/** Fingerprint of the settings and the pool ids (texts are not needed: ids are the contract with the label file). */
export function fingerprintOf(config: unknown, ids: readonly string[]): string {
  const h = createHash('sha256').update(JSON.stringify(config)).update('\n');
  for (const id of ids) h.update(id).update('\n');
  return h.digest('hex').slice(0, 32);
}

export class RoundLog {
  private constructor(readonly path: string) {}

  /**
   * Open `path`: resume when it exists (its fingerprint must match) unless `fresh`, else start it. A torn last line
   * (killed while writing) is cut off.
   */
  static open(path: string, fingerprint: string, pool: number, fresh: boolean): { log: RoundLog; contents: RoundLogContents } {
    const log = new RoundLog(path);
    if (fresh || !existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, JSON.stringify({ type: 'start', format: ROUND_LOG_FORMAT, version: ROUND_LOG_VERSION, fingerprint, pool }) + '\n');
      return { log, contents: { rounds: [], others: [] } };
    }
    const text = readFileSync(path, 'utf8');
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) truncateSync(path, Buffer.byteLength(text.slice(0, end)));
    const lines = text.slice(0, end).split('\n').slice(0, -1);
    if (lines.length === 0) throw new Error(`${path}: empty round log (delete it or start fresh)`);
    const parse = (i: number): unknown => {
      try {
        return JSON.parse(lines[i]!);
      } catch (e) {
        throw new Error(`${path}:${i + 1}: not valid JSON (${(e as Error).message})`);
      }
    };
    const start = StartLine.safeParse(parse(0));
    if (!start.success) throw new Error(`${path}:1: not a round log start line (field ${start.error.issues[0]?.path.join('.') || 'type'}: ${start.error.issues[0]?.message})`);
    if (start.data.version !== ROUND_LOG_VERSION) throw new Error(`${path}:1: round log version ${start.data.version}, this version reads ${ROUND_LOG_VERSION}`);
    if (start.data.fingerprint !== fingerprint) {
      throw new Error(`${path}:1: the round log was written with other settings or another pool (fingerprint ${start.data.fingerprint}, now ${fingerprint}); start fresh or restore the settings`);
    }
    const contents: RoundLogContents = { rounds: [], others: [] };
    for (let i = 1; i < lines.length; i++) {
      const v = parse(i);
      const other = OtherLine.safeParse(v);
      if (!other.success) throw new Error(`${path}:${i + 1}: field type: expected a string`);
      if (other.data.type === 'round') {
        const r = RoundLine.safeParse(v);
        if (!r.success) throw new Error(`${path}:${i + 1}: field ${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`);
        if (r.data.round !== contents.rounds.length) throw new Error(`${path}:${i + 1}: field round: expected ${contents.rounds.length}, got ${r.data.round}`);
        const { type: _t, ...round } = r.data;
        contents.rounds.push(round as unknown as ActiveRound);
      } else {
        if (other.data.type === 'stop' && !StopLine.safeParse(v).success) throw new Error(`${path}:${i + 1}: field reason: expected a string`);
        contents.others.push(other.data);
      }
    }
    return { log, contents };
  }

  append(line: { type: string } & Record<string, unknown>): void {
    // appendFileSync: one write call per line; a kill lands between lines or tears the last one (cut on open).
    appendFileSync(this.path, JSON.stringify(line) + '\n');
  }
}
