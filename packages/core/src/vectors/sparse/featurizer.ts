/**
 * Sparse text featurizer: word and character n-grams -> (hashed or fitted) feature indices -> TF-IDF -> per-block L2
 * normalisation. Fitting counts document frequencies; transforming yields CSR rows. The per-text path
 * (`featurizeRow`) allocates nothing but the preprocessed string, so prediction can run at >100k texts/s.
 */
import { CsrBuilder, type CsrMatrix } from './csr.js';
import {
  SPARSE_FEATURIZER_STATE_VERSION,
  SparseTextConfigSchema,
  SparseTextFeaturizerStateSchema,
  type SparseBlock,
  type SparseTextConfig,
  type SparseTextConfigInput,
  type SparseTextFeaturizerState,
} from './config.js';
import { hashFeatureString } from './hash.js';
import { Uint32HashMap, normalizeKey } from './hash-table.js';
import {
  charNgramStrings,
  charWbNgramStrings,
  createKeyBuffer,
  emitCharNgrams,
  emitCharWbNgrams,
  emitCharWbNgramsOfTokens,
  emitWordNgrams,
  emitWordNgramsOfTokens,
  wordNgramStrings,
  type KeyBuffer,
} from './ngrams.js';
import {
  createTokenSpans,
  getTokenizer,
  tokenizeWhitespace,
  tokenizeWords,
  whitespaceSpans,
  wordSpans,
  type TokenSpans,
  type TokenizerFn,
} from './tokenize.js';
import { base64ToFloat32, base64ToUint32, float32ToBase64, uint32ToBase64 } from './typed-base64.js';

/** One featurised row: `indices[0..count)` / `values[0..count)`. Buffers are reused by the next call. */
export interface SparseRow {
  count: number;
  indices: Int32Array;
  values: Float32Array;
}

interface FittedBlock {
  size: number;
  offset: number;
  /** Fitted vocabulary: key -> local index (absent in hash mode). */
  table?: Uint32HashMap;
  keys?: Uint32Array;
  terms?: string[];
}

/**
 * Recorded n-gram occurrences of one block during fitTransform: the vocabulary slot of each occurrence, doc after doc
 * (doc d's end in docEnd[d]), and each slot's column in the pruned vocabulary (-1: pruned).
 */
interface RecordedBlock {
  occ: Int32Array;
  docEnd: Int32Array;
  slotToLocal: Int32Array;
}

interface SlotRecorder {
  /** Occurrences that may be recorded in all (bounds the memory: 4 bytes each); used > limit = gave up. */
  limit: number;
  used: number;
  blocks: RecordedBlock[];
}

/** Up to 32M recorded occurrences (128 MB): ~500k short texts with the default blocks; beyond that, two passes. */
const FIT_TRANSFORM_RECORD_LIMIT = 32 * 1024 * 1024;

const COMBINING_MARKS = /\p{M}/gu;
const WHITESPACE_RUN = /\s+/gu;

export class SparseTextFeaturizer {
  readonly config: SparseTextConfig;
  private fitted: FittedBlock[] | undefined;
  private idf: Float32Array | undefined;
  private nDocs = 0;
  private dim = 0;
  private readonly custom: TokenizerFn | undefined;
  // Scratch buffers reused across texts.
  private readonly spans: TokenSpans = createTokenSpans();
  private readonly wsSpans: TokenSpans = createTokenSpans();
  private readonly keyBuf: KeyBuffer = createKeyBuffer();
  private counts = new Int32Array(0);
  private rowVals = new Float64Array(0);
  private row: SparseRow = { count: 0, indices: new Int32Array(256), values: new Float32Array(256) };

  constructor(config: SparseTextConfigInput = {}) {
    this.config = SparseTextConfigSchema.parse(config);
    const tk = this.config.tokenizer;
    if (tk !== 'unicode' && tk !== 'whitespace') {
      this.custom = getTokenizer(tk);
      if (!this.custom) throw new Error(`sparse featurizer: unknown tokenizer "${tk}" (register it with registerTokenizer first)`);
    }
  }

  get isFitted(): boolean {
    return this.fitted !== undefined;
  }

  /** Number of feature columns (after fitting). */
  get dimension(): number {
    this.requireFitted();
    return this.dim;
  }

  /** Number of training documents seen by `fit`. */
  get documents(): number {
    return this.nDocs;
  }

  /** Lowercasing and Unicode normalisation, as applied before tokenisation. */
  preprocess(text: string): string {
    const c = this.config;
    let t = text;
    if (c.normalization !== 'none') t = t.normalize(c.normalization);
    if (c.stripAccents) t = t.normalize('NFD').replace(COMBINING_MARKS, '');
    if (c.lowercase) t = t.toLowerCase();
    return t;
  }

  /** Word tokens of a text as the featurizer sees them. */
  tokens(text: string): string[] {
    const pre = this.preprocess(text);
    if (this.custom) return this.custom(pre);
    if (this.config.tokenizer === 'whitespace') return tokenizeWhitespace(pre);
    return tokenizeWords(pre, this.config.minTokenLength);
  }

  /** The n-gram strings of each block for a text (inspection/debugging; the hot path never builds strings). */
  analyze(text: string): string[][] {
    const pre = this.preprocess(text);
    return this.config.blocks.map((b) => this.blockStrings(pre, b));
  }

  fit(texts: Iterable<string>): this {
    this.fitRecording(texts, undefined);
    return this;
  }

  /**
   * fit(texts) then transform(texts), without tokenising every text a second time: while fitting a vocabulary, the
   * vocabulary slot of every n-gram occurrence is recorded (4 bytes each, up to FIT_TRANSFORM_RECORD_LIMIT of them),
   * and the rows are then built from those slots. Same matrix as transform(texts) after fit(texts), bit for bit;
   * hashed features, kept term strings or a corpus beyond the limit (`recordLimit` occurrences) take the plain
   * two-pass path.
   */
  fitTransform(texts: readonly string[], options: { recordLimit?: number } = {}): CsrMatrix {
    const limit = options.recordLimit ?? FIT_TRANSFORM_RECORD_LIMIT;
    const recorder: SlotRecorder | undefined = this.config.vocabulary === 'fit' && !this.config.keepTerms ? { limit, used: 0, blocks: [] } : undefined;
    this.fitRecording(texts, recorder);
    if (!recorder || recorder.used > recorder.limit) return this.transform(texts);
    return this.transformRecorded(recorder, texts.length);
  }

  private fitRecording(texts: Iterable<string>, recorder: SlotRecorder | undefined): void {
    const c = this.config;
    const blocks = c.blocks;
    const docs: string[] = Array.isArray(texts) ? (texts as string[]) : Array.from(texts);
    const n = docs.length;
    if (n === 0) throw new Error('sparse featurizer: cannot fit on zero texts');
    const fitted: FittedBlock[] = [];
    const idfParts: Float32Array[] = [];
    let offset = 0;
    blocks.forEach((block, bi) => {
      const minDf = block.minDf ?? c.minDf;
      const maxDfCount = (block.maxDf ?? c.maxDf) * n;
      const maxFeatures = block.maxFeatures ?? c.maxFeatures;
      if (c.vocabulary === 'hash') {
        const size = 2 ** c.hashBits;
        const df = new Int32Array(size);
        const last = new Int32Array(size).fill(-1);
        const mask = size - 1;
        for (let d = 0; d < n; d++) {
          this.emitBlock(this.preprocess(docs[d]!), bi);
          const keys = this.keyBuf.keys;
          for (let i = 0; i < this.keyBuf.count; i++) {
            const h = keys[i]! & mask;
            if (last[h] !== d) {
              last[h] = d;
              df[h]++;
            }
          }
        }
        const idf = new Float32Array(size);
        for (let h = 0; h < size; h++) {
          // Buckets outside [minDf, maxDf] get idf 0: their features vanish, as pruned vocabulary entries would.
          idf[h] = df[h]! >= minDf && df[h]! <= maxDfCount ? this.idfOf(df[h]!, n) : 0;
        }
        fitted.push({ size, offset });
        idfParts.push(idf);
        offset += size;
        return;
      }
      // Fitted vocabulary: count document frequency per key.
      const table = new Uint32HashMap(1 << 14);
      let df: Int32Array = new Int32Array(1 << 14);
      let last: Int32Array = new Int32Array(1 << 14);
      let slotKeys: Uint32Array = new Uint32Array(1 << 14);
      const slotTerms: string[] | undefined = c.keepTerms ? [] : undefined;
      let slots = 0;
      // Occurrence slots of this block, doc after doc (see fitTransform); dropped once over the recorder's limit.
      let occ: Int32Array | undefined = recorder && recorder.used <= recorder.limit ? new Int32Array(1 << 16) : undefined;
      const docEnd = occ ? new Int32Array(n) : undefined;
      let occCount = 0;
      for (let d = 0; d < n; d++) {
        const pre = this.preprocess(docs[d]!);
        let termList: string[] | undefined;
        if (slotTerms) {
          termList = this.blockStrings(pre, block);
          this.keyBuf.count = 0;
          for (const s of termList) this.pushKey(hashFeatureString(s));
        } else {
          this.emitBlock(pre, bi);
        }
        const keys = this.keyBuf.keys;
        const kc = this.keyBuf.count;
        if (occ && recorder!.used + kc > recorder!.limit) {
          recorder!.used = recorder!.limit + 1;
          occ = undefined;
        }
        if (occ) while (occCount + kc > occ.length) occ = grow(occ);
        for (let i = 0; i < kc; i++) {
          const key = normalizeKey(keys[i]!);
          let slot = table.getOrInsert(key, slots);
          if (occ) occ[occCount + i] = slot;
          if (slot === slots) {
            slots++;
            if (slots > df.length) {
              df = grow(df);
              last = grow(last);
              slotKeys = growU(slotKeys);
            }
            last[slot] = -1;
            slotKeys[slot] = key;
            if (slotTerms) slotTerms[slot] = termList![i]!;
          }
          if (last[slot] !== d) {
            last[slot] = d;
            df[slot]++;
          }
        }
        if (occ) {
          occCount += kc;
          recorder!.used += kc;
          docEnd![d] = occCount;
        }
      }
      let kept: number[] = [];
      for (let s = 0; s < slots; s++) if (df[s]! >= minDf && df[s]! <= maxDfCount) kept.push(s);
      if (maxFeatures !== undefined && kept.length > maxFeatures) {
        kept.sort((a, b) => df[b]! - df[a]! || slotKeys[a]! - slotKeys[b]!);
        kept = kept.slice(0, maxFeatures);
      }
      // Feature order by key: independent of document order, so equal corpora in any order give equal models.
      kept.sort((a, b) => slotKeys[a]! - slotKeys[b]!);
      const size = kept.length;
      const finalKeys = new Uint32Array(size);
      const idf = new Float32Array(size);
      const finalTable = new Uint32HashMap(size);
      kept.forEach((s, i) => {
        finalKeys[i] = slotKeys[s]!;
        idf[i] = this.idfOf(df[s]!, n);
        finalTable.set(slotKeys[s]!, i);
      });
      fitted.push({ size, offset, table: finalTable, keys: finalKeys, terms: slotTerms ? kept.map((s) => slotTerms[s]!) : undefined });
      if (occ && recorder) {
        const slotToLocal = new Int32Array(slots).fill(-1);
        kept.forEach((s, i) => (slotToLocal[s] = i));
        recorder.blocks.push({ occ, docEnd: docEnd!, slotToLocal });
      }
      idfParts.push(idf);
      offset += size;
    });
    this.install(fitted, concat(idfParts, offset), n);
  }

  /** The rows of the texts fitTransform just fitted on, from the recorded occurrence slots (see fitTransform). */
  private transformRecorded(recorder: SlotRecorder, docs: number): CsrMatrix {
    const fitted = this.requireFitted();
    const b = new CsrBuilder(this.dim, 1024);
    const counts = this.counts;
    for (let d = 0; d < docs; d++) {
      let n = 0;
      for (let bi = 0; bi < fitted.length; bi++) {
        const { occ, docEnd, slotToLocal } = recorder.blocks[bi]!;
        const from = d === 0 ? 0 : docEnd[d - 1]!;
        const to = docEnd[d]!;
        this.ensureRow(n + to - from);
        const idx = this.row.indices;
        const start = n;
        const off = fitted[bi]!.offset;
        for (let i = from; i < to; i++) {
          const local = slotToLocal[occ[i]!]!;
          if (local < 0) continue;
          const g = off + local;
          if (counts[g] === 0) idx[n++] = g;
          counts[g]++;
        }
        n = this.weighBlock(bi, start, n);
      }
      this.row.count = n;
      this.pushSorted(b, this.row);
    }
    return b.build();
  }

  /** Rows of a CSR matrix (columns sorted within each row). */
  transform(texts: Iterable<string>): CsrMatrix {
    this.requireFitted();
    const b = new CsrBuilder(this.dim, 1024);
    for (const text of texts) this.pushSorted(b, this.featurizeRow(text));
    return b.build();
  }

  /** Append a featurised row to a CSR builder with its columns sorted (values moved along). */
  private pushSorted(b: CsrBuilder, row: SparseRow): void {
    const vals = this.rowVals;
    const n = row.count;
    for (let i = 0; i < n; i++) vals[row.indices[i]!] = row.values[i]!;
    const idx = row.indices.subarray(0, n).sort();
    for (let i = 0; i < n; i++) {
      const g = idx[i]!;
      row.values[i] = vals[g]!;
      vals[g] = 0;
    }
    b.pushRow(idx, row.values, n);
  }

  /**
   * Features of one text, unsorted, without zero entries. The returned buffers are reused by the next call
   * (copy them to keep them). This is the allocation-free hot path used for prediction.
   */
  featurizeRow(text: string): SparseRow {
    const fitted = this.requireFitted();
    const pre = this.preprocess(text);
    const counts = this.counts;
    let n = 0;
    for (let bi = 0; bi < fitted.length; bi++) {
      const fb = fitted[bi]!;
      this.emitBlock(pre, bi);
      const keys = this.keyBuf.keys;
      const kc = this.keyBuf.count;
      this.ensureRow(n + kc);
      const idx = this.row.indices;
      const start = n;
      const off = fb.offset;
      if (fb.table) {
        const table = fb.table;
        for (let i = 0; i < kc; i++) {
          const key = keys[i]!;
          const local = table.get(key === 0 ? 1 : key);
          if (local < 0) continue;
          const g = off + local;
          if (counts[g] === 0) idx[n++] = g;
          counts[g]++;
        }
      } else {
        const mask = fb.size - 1;
        for (let i = 0; i < kc; i++) {
          const g = off + (keys[i]! & mask);
          if (counts[g] === 0) idx[n++] = g;
          counts[g]++;
        }
      }
      n = this.weighBlock(bi, start, n);
    }
    this.row.count = n;
    return this.row;
  }

  /**
   * Block bi's entries of the row under construction, row.indices[start..end) with their raw counts in this.counts:
   * TF-IDF values, then the block's normalisation and weight. Resets the counts; returns the new end (zero values,
   * i.e. pruned hash buckets, are dropped).
   */
  private weighBlock(bi: number, start: number, end: number): number {
    const c = this.config;
    const block = c.blocks[bi]!;
    const counts = this.counts;
    const idf = this.idf!;
    const idx = this.row.indices;
    const vals = this.row.values;
    const binary = c.binary;
    const sublinear = c.sublinearTf;
    let ss = 0;
    let w = start;
    for (let t = start; t < end; t++) {
      const g = idx[t]!;
      const tf = counts[g]!;
      counts[g] = 0;
      const v = (tf === 1 || binary ? 1 : sublinear ? 1 + Math.log(tf) : tf) * idf[g]!;
      if (v === 0) continue; // pruned hash bucket
      idx[w] = g;
      vals[w++] = v;
      ss += v * v;
    }
    const scale = c.norm === 'l2' && ss > 0 ? block.weight / Math.sqrt(ss) : block.weight;
    if (scale !== 1) for (let t = start; t < w; t++) vals[t] = vals[t]! * scale;
    return w;
  }

  /** N-gram strings of each feature column (only for a fitted vocabulary with `keepTerms: true`). */
  featureNames(): string[] | undefined {
    const fitted = this.requireFitted();
    if (!fitted.every((b) => b.terms)) return undefined;
    return fitted.flatMap((b) => b.terms!);
  }

  toJSON(): SparseTextFeaturizerState {
    const fitted = this.requireFitted();
    const idf = this.idf!;
    return {
      kind: 'sparse-text',
      version: SPARSE_FEATURIZER_STATE_VERSION,
      config: this.config,
      documents: this.nDocs,
      blocks: fitted.map((b) => ({
        size: b.size,
        keys: b.keys ? uint32ToBase64(b.keys) : undefined,
        idf: this.config.useIdf || this.config.vocabulary === 'hash' ? float32ToBase64(idf.subarray(b.offset, b.offset + b.size)) : undefined,
        terms: this.config.keepTerms ? b.terms : undefined,
      })),
    };
  }

  static fromJSON(state: unknown): SparseTextFeaturizer {
    const parsed = SparseTextFeaturizerStateSchema.safeParse(state);
    if (!parsed.success) {
      const v = (state as { version?: unknown } | null)?.version;
      if (v !== undefined && v !== SPARSE_FEATURIZER_STATE_VERSION) {
        throw new Error(`sparse featurizer state has version ${String(v)}, this build reads version ${SPARSE_FEATURIZER_STATE_VERSION}`);
      }
      throw new Error(`invalid sparse featurizer state: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    const s = parsed.data;
    const f = new SparseTextFeaturizer(s.config);
    if (s.blocks.length !== s.config.blocks.length) throw new Error(`sparse featurizer state: ${s.blocks.length} fitted blocks for ${s.config.blocks.length} configured`);
    let offset = 0;
    const fitted: FittedBlock[] = [];
    const idfParts: Float32Array[] = [];
    s.blocks.forEach((b, i) => {
      const idf = b.idf !== undefined ? base64ToFloat32(b.idf, `blocks[${i}].idf`) : new Float32Array(b.size).fill(1);
      if (idf.length !== b.size) throw new Error(`sparse featurizer state: blocks[${i}].idf has ${idf.length} values, size is ${b.size}`);
      if (s.config.vocabulary === 'hash') {
        if (b.size !== 2 ** s.config.hashBits) throw new Error(`sparse featurizer state: blocks[${i}].size ${b.size} != 2^hashBits`);
        fitted.push({ size: b.size, offset });
      } else {
        if (b.keys === undefined) throw new Error(`sparse featurizer state: blocks[${i}].keys missing for a fitted vocabulary`);
        const keys = base64ToUint32(b.keys, `blocks[${i}].keys`);
        if (keys.length !== b.size) throw new Error(`sparse featurizer state: blocks[${i}].keys has ${keys.length} keys, size is ${b.size}`);
        const table = new Uint32HashMap(b.size);
        keys.forEach((k, j) => table.set(k, j));
        fitted.push({ size: b.size, offset, table, keys, terms: b.terms });
      }
      idfParts.push(idf);
      offset += b.size;
    });
    f.install(fitted, concat(idfParts, offset), s.documents);
    return f;
  }

  // ---- internals ----

  private install(fitted: FittedBlock[], idf: Float32Array, docs: number): void {
    const c = this.config;
    if (!c.useIdf && c.vocabulary === 'fit') idf.fill(1);
    if (!c.useIdf && c.vocabulary === 'hash') for (let i = 0; i < idf.length; i++) if (idf[i] !== 0) idf[i] = 1;
    this.fitted = fitted;
    this.idf = idf;
    this.nDocs = docs;
    this.dim = idf.length;
    this.counts = new Int32Array(this.dim);
    this.rowVals = new Float64Array(this.dim);
  }

  private idfOf(df: number, n: number): number {
    if (!this.config.useIdf) return 1;
    return this.config.smoothIdf ? Math.log((1 + n) / (1 + df)) + 1 : Math.log(n / df) + 1;
  }

  private requireFitted(): FittedBlock[] {
    if (!this.fitted) throw new Error('sparse featurizer is not fitted: call fit() or load a fitted state first');
    return this.fitted;
  }

  private ensureRow(n: number): void {
    if (n <= this.row.indices.length) return;
    let cap = this.row.indices.length;
    while (cap < n) cap *= 2;
    const idx = new Int32Array(cap);
    idx.set(this.row.indices);
    const vals = new Float32Array(cap);
    vals.set(this.row.values);
    this.row = { count: this.row.count, indices: idx, values: vals };
  }

  private pushKey(key: number): void {
    const kb = this.keyBuf;
    if (kb.count === kb.keys.length) {
      const k = new Uint32Array(kb.keys.length * 2);
      k.set(kb.keys);
      kb.keys = k;
    }
    kb.keys[kb.count++] = key;
  }

  /** Emit the keys of block `bi` for an already preprocessed text into `this.keyBuf`. */
  private emitBlock(pre: string, bi: number): void {
    const block = this.config.blocks[bi]!;
    const kb = this.keyBuf;
    kb.count = 0;
    const [minN, maxN] = block.ngramRange;
    if (block.analyzer === 'char') {
      emitCharNgrams(pre.replace(WHITESPACE_RUN, ' '), minN, maxN, kb);
      return;
    }
    if (block.analyzer === 'char_wb' && block.boundaries === 'whitespace') {
      emitCharWbNgrams(pre, whitespaceSpans(pre, this.wsSpans), minN, maxN, kb);
      return;
    }
    if (this.custom) {
      const tokens = this.custom(pre);
      if (block.analyzer === 'word') emitWordNgramsOfTokens(tokens, minN, maxN, kb);
      else emitCharWbNgramsOfTokens(tokens, minN, maxN, kb);
      return;
    }
    const spans = this.config.tokenizer === 'whitespace' ? whitespaceSpans(pre, this.spans) : wordSpans(pre, this.spans, this.config.minTokenLength);
    if (block.analyzer === 'word') emitWordNgrams(pre, spans, minN, maxN, kb);
    else emitCharWbNgrams(pre, spans, minN, maxN, kb);
  }

  private blockStrings(pre: string, block: SparseBlock): string[] {
    const [minN, maxN] = block.ngramRange;
    if (block.analyzer === 'char') return charNgramStrings(pre.replace(WHITESPACE_RUN, ' '), minN, maxN);
    if (block.analyzer === 'char_wb' && block.boundaries === 'whitespace') return charWbNgramStrings(tokenizeWhitespace(pre), minN, maxN);
    const tokens = this.custom
      ? this.custom(pre)
      : this.config.tokenizer === 'whitespace'
        ? tokenizeWhitespace(pre)
        : tokenizeWords(pre, this.config.minTokenLength);
    return block.analyzer === 'word' ? wordNgramStrings(tokens, minN, maxN) : charWbNgramStrings(tokens, minN, maxN);
  }
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
function growU(a: Uint32Array): Uint32Array {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}
function concat(parts: Float32Array[], total: number): Float32Array {
  const out = new Float32Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
