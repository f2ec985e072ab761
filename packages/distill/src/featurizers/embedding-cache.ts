/**
 * On-disk cache of embedding vectors keyed by sha256(text), one append-only JSONL file per embedding model
 * (`<dir>/<sha256(model)[0..16]>.jsonl`, lines {"h": text hash, "v": base64 float32}). Texts themselves are never
 * stored, only their hashes. A torn last line (crash mid-append) is ignored on load.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { base64ToFloat32, ensureDir, float32ToBase64, sha256 } from '@taxonomist/core';

export class EmbeddingCache {
  private entries: Map<string, Float32Array> | undefined;
  readonly file: string;
  hits = 0;
  misses = 0;

  constructor(
    readonly dir: string,
    readonly model: string,
  ) {
    this.file = join(dir, `${sha256(model).slice(0, 16)}.jsonl`);
  }

  static key(text: string): string {
    return sha256(text);
  }

  async load(): Promise<Map<string, Float32Array>> {
    if (this.entries) return this.entries;
    const map = new Map<string, Float32Array>();
    let raw = '';
    try {
      raw = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const line of raw.split('\n')) {
      if (!line) continue;
      try {
        const { h, v } = JSON.parse(line) as { h: string; v: string };
        if (typeof h === 'string' && typeof v === 'string') map.set(h, base64ToFloat32(v));
      } catch {
        // torn final line: recomputed on demand
      }
    }
    this.entries = map;
    return map;
  }

  async get(hash: string): Promise<Float32Array | undefined> {
    const v = (await this.load()).get(hash);
    if (v) this.hits++;
    else this.misses++;
    return v;
  }

  async putMany(items: ReadonlyArray<{ hash: string; vector: Float32Array }>): Promise<void> {
    if (items.length === 0) return;
    const map = await this.load();
    await ensureDir(this.dir);
    let out = '';
    for (const { hash, vector } of items) {
      if (map.has(hash)) continue;
      map.set(hash, vector);
      out += JSON.stringify({ h: hash, v: float32ToBase64(vector) }) + '\n';
    }
    if (out) await appendFile(this.file, out, 'utf8');
  }
}
