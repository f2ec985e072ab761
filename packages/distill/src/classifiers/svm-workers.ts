/**
 * Runs the per-class SVM problems on `threads` threads: this one and threads - 1 workers, each taking the next
 * unsolved class from a counter in shared memory until none is left (a worker that is still starting, or a thread on
 * a busy core, takes fewer classes instead of holding up the others). Each class's solver depends only on
 * (seed, class), so the result is identical to the single-threaded one. The worker module is this package's own
 * svm-worker file next to this one (.ts when running from sources under tsx, .js when built).
 * The matrix is handed over in shared memory (csrToShared; trainOvrSvm builds it there already): every
 * worker reads the same bytes, where a structured clone would copy the whole matrix into each worker.
 * `share: false` copies it into each worker as before (kept to test that sharing changes nothing).
 */
import { Worker } from 'node:worker_threads';
import { csrToShared, type CsrMatrix } from '@taxonomist/core/csr';
import { solveSvmClasses, type OvrSvmOptions, type SvmClassSolution, type SvmTarget } from './linear-svm.js';

export interface SvmWorkerInput {
  X: { rows: number; cols: number; indptr: Int32Array; indices: Int32Array; data: Float32Array };
  target: SvmTarget;
  perm: Int32Array;
  classList: number[];
  classes: number;
  opts: Omit<OvrSvmOptions, 'onRound' | 'threads'>;
  /** Shared counter: the next position of classList to solve (see solveSvmClasses). */
  claim: Int32Array;
}

export function svmWorkerUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./svm-worker${ext}`, import.meta.url);
}

/**
 * Start the worker. Built (.js) code loads it directly. From TypeScript sources (tsx), Node 20 workers do not inherit
 * the parent's module hooks, so a small bootstrap registers tsx's loader in the worker before importing the entry.
 */
function startWorker(workerData: SvmWorkerInput): Worker {
  const url = svmWorkerUrl();
  if (url.pathname.endsWith('.js')) return new Worker(url, { workerData });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { eval: true, workerData });
}

export async function solveInWorkers(
  X: CsrMatrix,
  target: SvmTarget,
  perm: Int32Array,
  classList: readonly number[],
  classes: number,
  opts: Omit<OvrSvmOptions, 'onRound' | 'threads'>,
  threads: number,
  share = true,
): Promise<SvmClassSolution[]> {
  const M = share ? csrToShared(X) : X;
  const claim = new Int32Array(new SharedArrayBuffer(4));
  const list = [...classList];
  const workers: Worker[] = [];
  const runs = Array.from(
    { length: Math.max(0, Math.min(threads, list.length) - 1) },
    () =>
      new Promise<SvmClassSolution[]>((resolve, reject) => {
        const input: SvmWorkerInput = {
          X: { rows: M.rows, cols: M.cols, indptr: M.indptr, indices: M.indices, data: M.data },
          target,
          perm,
          classList: list,
          classes,
          opts,
          claim,
        };
        const worker = startWorker(input);
        workers.push(worker);
        let done = false;
        worker.once('message', (msg: SvmClassSolution[]) => {
          done = true;
          resolve(msg);
          void worker.terminate();
        });
        worker.once('error', reject);
        worker.once('exit', (code) => {
          if (!done) reject(new Error(`SVM worker exited with code ${code} before answering`));
        });
      }),
  );
  let local: SvmClassSolution[];
  try {
    // This thread solves classes too while the workers start: one worker (and its memory) fewer than a worker per share.
    local = solveSvmClasses(M, target, perm, list, classes, opts, claim);
  } catch (err) {
    for (const r of runs) r.catch(() => undefined);
    for (const w of workers) void w.terminate();
    throw err;
  }
  return [...local, ...(await Promise.all(runs)).flat()].sort((a, b) => a.c - b.c);
}
