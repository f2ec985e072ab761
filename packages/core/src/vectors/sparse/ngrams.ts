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

// Scratch copy of one space-padded word (code units), reused across calls.
let padded = new Uint16Array(64);

function emitPaddedCharNgrams(text: string, s: number, e: number, minN: number, maxN: number, out: KeyBuffer): void {
  const len = e - s + 2;
  if (padded.length < len) padded = new Uint16Array(len * 2);
  const buf = padded;
  buf[0] = 0x20;
  buf[len - 1] = 0x20;
  let surrogates = false;
  for (let j = 1; j < len - 1; j++) {
    const u = text.charCodeAt(s + j - 1);
    buf[j] = u;
    if (u >= 0xd800 && u <= 0xdfff) surrogates = true;
  }
  if (surrogates) {
    emitPaddedCharNgramsSlow(buf, len, minN, maxN, out);
    return;
  }
  // Fast path (no surrogate pairs: one code unit = one code point): make room once, then a tight loop.
  const need = out.count + len * (maxN - minN + 1);
  if (need > out.keys.length) {
    const k = new Uint32Array(Math.max(need, out.keys.length * 2));
    k.set(out.keys.subarray(0, out.count));
    out.keys = k;
  }
  const keys = out.keys;
  let c = out.count;
  for (let a = 0; a < len; a++) {
    let h = FNV_OFFSET;
    const stop = Math.min(len, a + maxN);
    for (let j = a; j < stop; j++) {
      h = Math.imul(h ^ buf[j]!, 0x01000193);
      if (j - a + 1 >= minN) keys[c++] = fmix32(h);
    }
  }
  out.count = c;
}

/** Code-point-aware variant for words containing surrogate pairs (never splits a pair). */
function emitPaddedCharNgramsSlow(buf: Uint16Array, len: number, minN: number, maxN: number, out: KeyBuffer): void {
  for (let a = 0; a < len; a++) {
    if (isLow(buf[a]!)) continue; // never start inside a surrogate pair
    let h = FNV_OFFSET;
    let j = a;
    for (let cp = 1; cp <= maxN && j < len; cp++) {
      const u = buf[j]!;
      h = fnvStep(h, u);
      j++;
      if (isHigh(u) && j < len && isLow(buf[j]!)) {
        h = fnvStep(h, buf[j]!);
        j++;
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
