/**
 * Unicode-aware tokenisation into code-unit spans of a string (no substring allocation on the hot path).
 *
 * A word character is a letter, number, combining mark or connector punctuation (`\p{L}\p{N}\p{M}\p{Pc}`, the
 * Unicode reading of `\w`). ASCII is classified by a table; other code units are classified once by a Unicode
 * regex and cached, so the per-character cost stays a table lookup. Scripts written without spaces (Han, Hiragana,
 * Katakana, Thai...) would otherwise turn a whole sentence into one token, so their characters become one-character
 * tokens (word bigrams then act as character bigrams for them).
 */

/** Reusable span buffer: token i is `text.slice(starts[i], ends[i])`. */
export interface TokenSpans {
  count: number;
  starts: Int32Array;
  ends: Int32Array;
}

export function createTokenSpans(capacity = 64): TokenSpans {
  return { count: 0, starts: new Int32Array(capacity), ends: new Int32Array(capacity) };
}

function pushSpan(out: TokenSpans, start: number, end: number): void {
  if (out.count === out.starts.length) {
    const s = new Int32Array(out.starts.length * 2);
    s.set(out.starts);
    const e = new Int32Array(out.ends.length * 2);
    e.set(out.ends);
    out.starts = s;
    out.ends = e;
  }
  out.starts[out.count] = start;
  out.ends[out.count] = end;
  out.count++;
}

// Character classes.
const SEP = 1;
const WORD = 2;
const SOLO = 3; // a word character that forms a token on its own (scripts without spaces)
const SPACE = 4; // whitespace (also a separator)

const WORD_RE = /^[\p{L}\p{N}\p{M}\p{Pc}]$/u;
const SOLO_RE = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tibetan}]$/u;
const SPACE_RE = /^\s$/u;

/** Class of each BMP code unit; 0 = not yet computed. Surrogates are handled separately. */
const classOf = new Uint8Array(65536);
(() => {
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c);
    classOf[c] = /[A-Za-z0-9_]/.test(ch) ? WORD : SPACE_RE.test(ch) ? SPACE : SEP;
  }
})();
const astralClass = new Map<number, number>();

function classifyString(ch: string): number {
  if (SOLO_RE.test(ch)) return SOLO;
  if (WORD_RE.test(ch)) return WORD;
  if (SPACE_RE.test(ch)) return SPACE;
  return SEP;
}

/** Class of the character starting at `i` and its length in code units (2 for a surrogate pair). */
function classAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  let k = classOf[c]!;
  if (k !== 0) return k;
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) {
      const cp = (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
      k = astralClass.get(cp) ?? 0;
      if (k === 0) {
        k = classifyString(String.fromCodePoint(cp));
        astralClass.set(cp, k);
      }
      return k;
    }
  }
  if (c >= 0xd800 && c <= 0xdfff) return SEP; // lone surrogate
  k = classifyString(String.fromCharCode(c));
  classOf[c] = k;
  return k;
}

function unitLength(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

/**
 * Word tokens of `text` as spans (tokens shorter than `minLength` code points are dropped).
 * `out` is reset and reused; returns it.
 */
export function wordSpans(text: string, out: TokenSpans, minLength = 1): TokenSpans {
  out.count = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const k = c < 128 ? classOf[c]! : classAt(text, i);
    if (k === WORD) {
      const start = i;
      let chars = 0;
      while (i < n) {
        const cc = text.charCodeAt(i);
        const kk = cc < 128 ? classOf[cc]! : classAt(text, i);
        if (kk !== WORD) break;
        i += cc < 128 ? 1 : unitLength(text, i);
        chars++;
      }
      if (chars >= minLength) pushSpan(out, start, i);
    } else if (k === SOLO) {
      const len = unitLength(text, i);
      if (minLength <= 1) pushSpan(out, i, i + len);
      i += len;
    } else {
      i += c < 128 ? 1 : unitLength(text, i);
    }
  }
  return out;
}

/** Whitespace-separated chunks of `text` (punctuation kept), as spans. */
export function whitespaceSpans(text: string, out: TokenSpans): TokenSpans {
  out.count = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    while (i < n && isSpaceAt(text, i)) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isSpaceAt(text, i)) i++;
    pushSpan(out, start, i);
  }
  return out;
}

function isSpaceAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return classOf[c] === SPACE;
  return classAt(text, i) === SPACE;
}

/** Convenience: word tokens as strings. */
export function tokenizeWords(text: string, minLength = 1): string[] {
  const spans = wordSpans(text, createTokenSpans(), minLength);
  const out: string[] = [];
  for (let i = 0; i < spans.count; i++) out.push(text.slice(spans.starts[i], spans.ends[i]));
  return out;
}

/** Convenience: whitespace-separated chunks as strings. */
export function tokenizeWhitespace(text: string): string[] {
  const spans = whitespaceSpans(text, createTokenSpans());
  const out: string[] = [];
  for (let i = 0; i < spans.count; i++) out.push(text.slice(spans.starts[i], spans.ends[i]));
  return out;
}

/** A custom tokenizer: text (already preprocessed) to tokens. Registered by name so model files can refer to it. */
export type TokenizerFn = (text: string) => string[];

const customTokenizers = new Map<string, TokenizerFn>();

/** Built-in tokenizer names; custom ones are added with `registerTokenizer`. */
export const BUILTIN_TOKENIZERS = ['unicode', 'whitespace'] as const;

export function registerTokenizer(name: string, fn: TokenizerFn): void {
  if ((BUILTIN_TOKENIZERS as readonly string[]).includes(name)) throw new Error(`tokenizer "${name}" is built in and cannot be replaced`);
  customTokenizers.set(name, fn);
}

export function getTokenizer(name: string): TokenizerFn | undefined {
  return customTokenizers.get(name);
}
