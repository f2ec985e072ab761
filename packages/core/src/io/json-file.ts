import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { z } from 'zod';
import { redactText } from '../util/redact.js';
import { ensureDir } from './ensure-dir.js';
import { DataFileError } from './types.js';
import { jsonErrorOffset } from './json-error-offset.js';
import { describeZodError } from './zod-issues.js';

/** A text file's content, or undefined when it does not exist (other read errors are thrown). */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Write pretty JSON (2-space indent, trailing newline) atomically: a temp file in the same directory is written,
 * fsynced and renamed over the target, so readers see the old file or the new one, never a half-written one.
 * Secrets are redacted (see writeTextAtomic).
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const json = JSON.stringify(value, null, 2);
  if (json === undefined) throw new TypeError(`cannot write ${typeof value} as JSON to ${path}`);
  await writeTextAtomic(path, json + '\n');
}

/**
 * Write a text file (JSON, Markdown, HTML) atomically, like writeJsonAtomic. The choke point of every whole-file
 * artifact: registered secrets and credential-shaped tokens are redacted here (util/redact.ts), so no API key echoed
 * into an error, a model answer or a report reaches disk.
 */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  await ensureDir(dir);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(redactText(text), 'utf8');
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  // Make the rename itself durable; not supported on every platform (e.g. Windows), hence best effort.
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    /* best effort */
  }
}

/** 1-based line and column of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Read and validate a JSON file; errors name the file, the line (bad JSON) or the zod path (invalid content). */
export async function readJsonFile<T>(path: string, schema: z.ZodType<T>): Promise<T> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new DataFileError(`cannot read ${path}: ${(err as Error).message}`, { file: path, cause: err });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw new DataFileError(`${path}: invalid UTF-8`, { file: path, cause: err });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const offset = pos !== null ? Number(pos[1]) : jsonErrorOffset(text);
    if (offset !== undefined) {
      const { line, column } = lineColumn(text, offset);
      throw new DataFileError(`${path}:${line}:${column}: invalid JSON: ${msg}`, { file: path, line, cause: err });
    }
    throw new DataFileError(`${path}: invalid JSON: ${msg}`, { file: path, cause: err });
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const { field, text: detail } = describeZodError(result.error);
    throw new DataFileError(`${path}: ${detail}`, field === undefined ? { file: path, cause: result.error } : { file: path, field, cause: result.error });
  }
  return result.data;
}
