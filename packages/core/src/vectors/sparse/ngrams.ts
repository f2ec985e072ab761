/**
 * N-gram emission as 32-bit keys. Each emitted key equals `hashFeatureString(ngram)` where `ngram` is the n-gram as a
 * string (word n-grams joined by one space; character n-grams of a word padded with one space on each side for
 * `char_wb`), so keys computed on the hot path (no allocation) and feature names computed for inspection agree.
 * Character n-grams count code points, never splitting a surrogate pair.
 */
import { FNV_OFFSET, fmix32, fnvStep } from './hash.js';
import type { TokenSpans } from './tokenize.js';

/** Growable buffer of emitted keys, reused across texts. */
export interface KeyBuffer {
  count: number;
  keys: Uint32Array;
}

export function createKeyBuffer(capacity = 256): KeyBuffer {
  return { count: 0, keys: new Uint32Array(capacity) };
}

function push(out: KeyBuffer, key: number): void {
  if (out.count === out.keys.length) {
    const k = new Uint32Array(out.keys.length * 2);
    k.set(out.keys);
    out.keys = k;
  }
  out.keys[out.count++] = key;
}

/** Word n-grams (n in [minN, maxN]) of the tokens in `spans`, appended to `out`. */
export function emitWordNgrams(text: string, spans: TokenSpans, minN: number, maxN: number, out: KeyBuffer): void {
  const count = spans.count;
  const starts = spans.starts;
  const ends = spans.ends;
  for (let i = 0; i < count; i++) {
    let h = FNV_OFFSET;
    for (let n = 1; n <= maxN && i + n - 1 < count; n++) {
      const j = i + n - 1;
      if (n > 1) h = fnvStep(h, 0x20);
      for (let p = starts[j]!, e = ends[j]!; p < e; p++) h = fnvStep(h, text.charCodeAt(p));
      if (n >= minN) push(out, fmix32(h));
    }
  }
}

/** Word n-grams of tokens given as strings (custom tokenizers). */
export function emitWordNgramsOfTokens(tokens: readonly string[], minN: number, maxN: number, out: KeyBuffer): void {
  for (let i = 0; i < tokens.length; i++) {
    let h = FNV_OFFSET;
    for (let n = 1; n <= maxN && i + n - 1 < tokens.length; n++) {
      const tok = tokens[i + n - 1]!;
      if (n > 1) h = fnvStep(h, 0x20);
      for (let p = 0; p < tok.length; p++) h = fnvStep(h, tok.charCodeAt(p));
      if (n >= minN) push(out, fmix32(h));
    }
  }
}

const isHigh = (u: number): boolean => u >= 0xd800 && u <= 0xdbff;
const isLow = (u: number): boolean => u >= 0xdc00 && u <= 0xdfff;

/**
 * Character n-grams of each span padded with a space on both sides (scikit-learn's `char_wb`), appended to `out`.
 * Works on the code units of `text[start, end)` without copying them.
 */
export function emitCharWbNgrams(text: string, spans: TokenSpans, minN: number, maxN: number, out: KeyBuffer): void {
  for (let t = 0; t < spans.count; t++) emitPaddedCharNgrams(text, spans.starts[t]!, spans.ends[t]!, minN, maxN, out);
}

/** `char_wb` n-grams of tokens given as strings. */
export function emitCharWbNgramsOfTokens(tokens: readonly string[], minN: number, maxN: number, out: KeyBuffer): void {
  for (const tok of tokens) emitPaddedCharNgrams(tok, 0, tok.length, minN, maxN, out);
}

function emitPaddedCharNgrams(text: string, s: number, e: number, minN: number, maxN: number, out: KeyBuffer): void {
  // Virtual padded word: position 0 and L+1 are spaces, position j in 1..L is text[s + j - 1].
  const len = e - s + 2;
  const last = len - 1;
  for (let a = 0; a < len; a++) {
    const ua = a === 0 || a === last ? 0x20 : text.charCodeAt(s + a - 1);
    if (isLow(ua)) continue; // never start inside a surrogate pair
    let h = FNV_OFFSET;
    let j = a;
    for (let cp = 1; cp <= maxN && j < len; cp++) {
      const u = j === 0 || j === last ? 0x20 : text.charCodeAt(s + j - 1);
      h = fnvStep(h, u);
      j++;
      if (isHigh(u) && j < last) {
        const v = text.charCodeAt(s + j - 1);
        if (isLow(v)) {
          h = fnvStep(h, v);
          j++;
        }
      }
      if (cp >= minN) push(out, fmix32(h));
    }
  }
}

/** Character n-grams of a whole text (scikit-learn's `char`); `text` should already have whitespace collapsed. */
export function emitCharNgrams(text: string, minN: number, maxN: number, out: KeyBuffer): void {
  const len = text.length;
  for (let a = 0; a < len; a++) {
    if (isLow(text.charCodeAt(a))) continue;
    let h = FNV_OFFSET;
    let j = a;
    for (let cp = 1; cp <= maxN && j < len; cp++) {
      const u = text.charCodeAt(j);
      h = fnvStep(h, u);
      j++;
      if (isHigh(u) && j < len && isLow(text.charCodeAt(j))) {
        h = fnvStep(h, text.charCodeAt(j));
        j++;
      }
      if (cp >= minN) push(out, fmix32(h));
    }
  }
}

// ---- String forms (for feature names and inspection; same n-grams as the key emitters, in the same order). ----

function codePoints(s: string): string[] {
  return Array.from(s);
}

export function wordNgramStrings(tokens: readonly string[], minN: number, maxN: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    for (let n = 1; n <= maxN && i + n - 1 < tokens.length; n++) {
      if (n >= minN) out.push(tokens.slice(i, i + n).join(' '));
    }
  }
  return out;
}

export function charWbNgramStrings(tokens: readonly string[], minN: number, maxN: number): string[] {
  const out: string[] = [];
  for (const tok of tokens) {
    const cps = codePoints(` ${tok} `);
    for (let a = 0; a < cps.length; a++) {
      for (let n = 1; n <= maxN && a + n <= cps.length; n++) if (n >= minN) out.push(cps.slice(a, a + n).join(''));
    }
  }
  return out;
}

export function charNgramStrings(text: string, minN: number, maxN: number): string[] {
  const out: string[] = [];
  const cps = codePoints(text);
  for (let a = 0; a < cps.length; a++) {
    for (let n = 1; n <= maxN && a + n <= cps.length; n++) if (n >= minN) out.push(cps.slice(a, a + n).join(''));
  }
  return out;
}
