import { createReadStream } from 'node:fs';

/** One physical line of a file, decoded (without '\n' and a '\r' before it). */
export interface RawLine {
  /** 1-based line number. */
  line: number;
  /** The line's text; when `valid` is false, decoded with U+FFFD replacements (for diagnostics only). */
  text: string;
  /** False when the line is not well-formed UTF-8. */
  valid: boolean;
  /** False for a final line that has no '\n' after it. */
  terminated: boolean;
  /** Size of the line in bytes (set for the unterminated final line, which resumers may need to report). */
  bytes?: number;
}

const NL = 0x0a;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const strictDecoder = new TextDecoder('utf-8', { fatal: true });
const lenientDecoder = new TextDecoder('utf-8', { fatal: false });

/** Decode bytes; `valid` is false when they are not well-formed UTF-8 (then `text` has U+FFFD replacements). */
export function decodeLine(bytes: Uint8Array): { text: string; valid: boolean } {
  try {
    return { text: strictDecoder.decode(bytes), valid: true };
  } catch {
    return { text: lenientDecoder.decode(bytes), valid: false };
  }
}

const stripCr = (s: string): string => (s.length > 0 && s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s);

/**
 * Stream a file as batches of decoded lines (one batch per read chunk, so the per-line work stays synchronous).
 * Splits on bytes: '\n' never occurs inside a multi-byte UTF-8 sequence, so a chunk's complete lines are decoded in
 * one strict call and split as a string; only a chunk holding invalid UTF-8 is re-decoded line by line, which
 * confines the damage to the lines that have it. Handles '\n' and '\r\n' and strips a UTF-8 byte-order mark.
 */
export async function* readLineBatches(
  path: string,
  options: { signal?: AbortSignal; highWaterMark?: number } = {},
): AsyncGenerator<RawLine[]> {
  const { signal } = options;
  signal?.throwIfAborted();
  const stream = createReadStream(path, { highWaterMark: options.highWaterMark ?? 256 * 1024 });
  // Bytes of a line not yet ended, from chunks without a '\n'; joined once when its '\n' arrives.
  let pending: Buffer[] = [];
  let lineNo = 0;
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      signal?.throwIfAborted();
      let buf = chunk;
      if (first) {
        first = false;
        if (buf.length >= 3 && buf.subarray(0, 3).equals(BOM)) buf = buf.subarray(3);
      }
      const lastNl = buf.lastIndexOf(NL);
      if (lastNl === -1) {
        // Copy: the stream may reuse its buffers.
        pending.push(Buffer.from(buf));
        continue;
      }
      let complete = buf.subarray(0, lastNl);
      if (pending.length > 0) {
        complete = Buffer.concat([...pending, complete]);
        pending = [];
      }
      if (lastNl + 1 < buf.length) pending.push(Buffer.from(buf.subarray(lastNl + 1)));
      const batch: RawLine[] = [];
      let text: string | undefined;
      try {
        text = strictDecoder.decode(complete);
      } catch {
        text = undefined;
      }
      if (text !== undefined) {
        for (const l of text.split('\n')) batch.push({ line: ++lineNo, text: stripCr(l), valid: true, terminated: true });
      } else {
        let start = 0;
        for (;;) {
          const nl = complete.indexOf(NL, start);
          const end = nl === -1 ? complete.length : nl;
          const d = decodeLine(complete.subarray(start, end));
          batch.push({ line: ++lineNo, text: stripCr(d.text), valid: d.valid, terminated: true });
          if (nl === -1) break;
          start = nl + 1;
        }
      }
      yield batch;
    }
    signal?.throwIfAborted();
    if (pending.length > 0) {
      const bytes = Buffer.concat(pending);
      const d = decodeLine(bytes);
      yield [{ line: ++lineNo, text: stripCr(d.text), valid: d.valid, terminated: false, bytes: bytes.length }];
    }
  } finally {
    stream.destroy();
  }
}
