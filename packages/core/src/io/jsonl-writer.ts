import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { redactText } from '../util/redact.js';
import { ensureDir } from './ensure-dir.js';
import { isCompleteJsonLine } from './jsonl-reader.js';

export interface JsonlWriterOptions {
  /** Append to an existing file (default true); false truncates it. */
  append?: boolean;
  /**
   * When to fsync: 'always' after every write, 'batch' (default) after each writeMany and on flush/close,
   * 'never' (leave it to the OS). A process crash loses nothing already written in any mode; fsync only matters
   * for a machine crash.
   */
  fsync?: 'never' | 'batch' | 'always';
  /** Create missing parent directories (default true). */
  mkdir?: boolean;
}

export interface JsonlWriter {
  readonly path: string;
  /** Records written through this writer. */
  readonly written: number;
  /** Bytes of a torn final line (left by a crash) removed when the file was opened. */
  readonly repairedBytes: number;
  write(record: unknown): Promise<void>;
  /**
   * All records in one write call (each still a whole line); one fsync in 'batch' mode. `{ sync: false }` syncs
   * like `write` instead (only in 'always' mode): for callers that write a small group often, such as the lines of
   * one labeling call, where a system call per line costs CPU and an fsync per group costs far more.
   */
  writeMany(records: readonly unknown[], options?: { sync?: boolean }): Promise<void>;
  /** Wait for pending writes and fsync them (unless fsync is 'never'). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

function serialise(record: unknown): string {
  const json = JSON.stringify(record);
  if (json === undefined) throw new TypeError(`cannot write ${typeof record} as a JSONL record`);
  // JSON.stringify escapes control characters, so the line can never contain a raw newline. The one place every
  // JSONL record (labels, predictions, rejects) becomes text, so secrets are removed here (JSON-safe, see redact.ts).
  return redactText(json) + '\n';
}

/**
 * If the file does not end with '\n', its last line was torn by a crash mid-write: drop it (or, if it is in fact
 * a complete JSON value written by another tool without a final newline, end it with '\n'). Returns bytes dropped.
 */
async function repairTail(handle: FileHandle): Promise<number> {
  const { size } = await handle.stat();
  if (size === 0) return 0;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  if (last[0] === 0x0a) return 0;
  // Scan backwards for the previous newline.
  const chunk = Buffer.alloc(64 * 1024);
  let tailStart = 0;
  let end = size;
  search: while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await handle.read(chunk, 0, end - start, start);
    for (let i = bytesRead - 1; i >= 0; i--) {
      if (chunk[i] === 0x0a) {
        tailStart = start + i + 1;
        break search;
      }
    }
    end = start;
  }
  const tail = Buffer.alloc(size - tailStart);
  await handle.read(tail, 0, tail.length, tailStart);
  let text: string | undefined;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(tail);
  } catch {
    text = undefined;
  }
  if (text !== undefined && isCompleteJsonLine(text)) {
    await writeAll(handle, Buffer.from('\n'));
    return 0;
  }
  await handle.truncate(tailStart);
  return size - tailStart;
}

/** One write call in the normal case; loops only if the OS accepts part of the buffer. */
async function writeAll(handle: FileHandle, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await handle.write(buf, off, buf.length - off, null);
    off += bytesWritten;
  }
}

/**
 * Open a JSONL file for durable appending. Each record becomes one complete line written with a single write call;
 * writes are queued so concurrent callers never interleave. On open in append mode, a torn final line left by a
 * crash is removed first (`repairedBytes`), so the file always reads back as whole lines.
 * One writer per file: separate processes appending to the same file are not coordinated.
 */
export async function openJsonlWriter(path: string, options: JsonlWriterOptions = {}): Promise<JsonlWriter> {
  const append = options.append ?? true;
  const fsyncMode = options.fsync ?? 'batch';
  if (!['never', 'batch', 'always'].includes(fsyncMode)) {
    throw new TypeError(`fsync must be 'never', 'batch' or 'always', got ${JSON.stringify(fsyncMode)}`);
  }
  if (options.mkdir !== false) await ensureDir(dirname(path));
  // 'a+': O_APPEND, so every write lands at the end even if the file grew; readable for the tail check.
  const handle = await open(path, append ? 'a+' : 'w');
  let repairedBytes = 0;
  try {
    if (append) repairedBytes = await repairTail(handle);
  } catch (err) {
    await handle.close();
    throw err;
  }

  let written = 0;
  let queue: Promise<void> = Promise.resolve();
  let failure: unknown;
  let closed: Promise<void> | undefined;

  // Serialise every operation; after a failed write the file may end mid-line, so refuse further writes
  // (the next open repairs it) instead of appending after a torn line.
  const enqueue = (op: () => Promise<void>): Promise<void> => {
    const run = queue.then(async () => {
      if (failure !== undefined) throw failure;
      try {
        await op();
      } catch (err) {
        failure = err;
        throw err;
      }
    });
    queue = run.catch(() => undefined);
    return run;
  };

  const writeLines = (text: string, count: number, sync: boolean): Promise<void> => {
    if (closed !== undefined) return Promise.reject(new Error(`${path}: JSONL writer is closed`));
    const buf = Buffer.from(text, 'utf8');
    return enqueue(async () => {
      await writeAll(handle, buf);
      written += count;
      if (sync) await handle.datasync();
    });
  };

  return {
    path,
    get written() {
      return written;
    },
    repairedBytes,
    write(record: unknown): Promise<void> {
      let line: string;
      try {
        line = serialise(record);
      } catch (err) {
        return Promise.reject(err);
      }
      return writeLines(line, 1, fsyncMode === 'always');
    },
    writeMany(records: readonly unknown[], options: { sync?: boolean } = {}): Promise<void> {
      if (records.length === 0) return closed ? Promise.reject(new Error(`${path}: JSONL writer is closed`)) : queue;
      let text: string;
      try {
        text = records.map(serialise).join('');
      } catch (err) {
        return Promise.reject(err);
      }
      const sync = options.sync === false ? fsyncMode === 'always' : fsyncMode !== 'never';
      return writeLines(text, records.length, sync);
    },
    flush(): Promise<void> {
      if (closed !== undefined) return closed;
      return enqueue(async () => {
        if (fsyncMode !== 'never') await handle.datasync();
      });
    },
    close(): Promise<void> {
      if (closed !== undefined) return closed;
      closed = queue.then(async () => {
        try {
          if (failure === undefined && fsyncMode !== 'never') await handle.datasync();
        } finally {
          await handle.close();
        }
      });
      return closed;
    },
  };
}
