/**
 * Runs the per-class SVM problems on `threads` threads: this one and threads - 1 workers, each taking the next
 * unsolved class from a counter in shared memory until none is left (a worker that is still starting, or a thread on
 * a busy core, takes fewer classes instead of holding up the others). Each class's solver depends only on
 * (seed, class), so the result is identical to the single-threaded one. The worker module is this package's own
 * svm-worker file next to this one (.ts when running from sources under tsx, .js when built).
 * The matrix is handed over in shared memory (csrToShared; trainOvrSvm builds it there already): every
 * worker reads the same bytes, where a structured clone would copy the whole matrix into each worker.
 * `share: false` copies it into each worker as before (kept to test that sharing changes nothing).
 *
 * Workers can be started ahead (prestartSvmWorkers, from the classifier's `prepare` hook while the texts are
 * featurized): a Node worker takes tens of milliseconds to boot, which then overlaps featurization on the idle core
 * instead of delaying the solve. The job is sent by message once the matrix exists.
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

export interface SvmWorkerReply {
  solutions: SvmClassSolution[];
  /** The matrix arrays the worker read were views of SharedArrayBuffers (no copy was made). */
  matrixShared: boolean;
}

/** What solveInWorkers did (for tests and diagnostics). */
export interface SvmWorkersReport {
  /** Per worker that answered: whether it read the matrix in shared memory. */
  matrixShared: boolean[];
  /** Workers taken from prestartSvmWorkers instead of started on the spot. */
  prestarted: number;
}

export function svmWorkerUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./svm-worker${ext}`, import.meta.url);
}

/**
 * Start a worker (it waits for its job). Built (.js) code loads it directly. From TypeScript sources (tsx), Node 20
 * workers do not inherit the parent's module hooks, so a small bootstrap registers tsx's loader in the worker before
 * importing the entry.
 */
function startWorker(): Worker {
  const url = svmWorkerUrl();
  if (url.pathname.endsWith('.js')) return new Worker(url);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { eval: true });
}

/** Started workers waiting for a job: unref'd, so an idle one never keeps the process alive. */
const idle: Worker[] = [];

function dropIdle(worker: Worker): void {
  const i = idle.indexOf(worker);
  if (i >= 0) idle.splice(i, 1);
}

/**
 * Start up to `count` workers now (counting those already waiting), for a solve that comes later. Returns a release
 * function that terminates the ones no solve took (call it when training ends, also on failure).
 */
export function prestartSvmWorkers(count: number): () => void {
  const started: Worker[] = [];
  while (idle.length < count) {
    const worker = startWorker();
    worker.unref();
    // A worker that fails while waiting is simply not used (solveInWorkers starts another).
    worker.once('error', () => dropIdle(worker));
    worker.once('exit', () => dropIdle(worker));
    idle.push(worker);
    started.push(worker);
  }
  return () => {
    for (const worker of started) {
      if (!idle.includes(worker)) continue;
      dropIdle(worker);
      void worker.terminate();
    }
  };
}

function takeWorker(): { worker: Worker; prestarted: boolean } {
  const worker = idle.shift();
  if (worker === undefined) return { worker: startWorker(), prestarted: false };
  worker.removeAllListeners('error');
  worker.removeAllListeners('exit');
  worker.ref();
  return { worker, prestarted: true };
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
  report?: SvmWorkersReport,
): Promise<SvmClassSolution[]> {
  const M = share ? csrToShared(X) : X;
  const claim = new Int32Array(new SharedArrayBuffer(4));
  const list = [...classList];
  const workers: Worker[] = [];
  const input: SvmWorkerInput = {
    X: { rows: M.rows, cols: M.cols, indptr: M.indptr, indices: M.indices, data: M.data },
    target,
    perm,
    classList: list,
    classes,
    opts,
    claim,
  };
  const runs = Array.from(
    { length: Math.max(0, Math.min(threads, list.length) - 1) },
    () =>
      new Promise<SvmWorkerReply>((resolve, reject) => {
        const { worker, prestarted } = takeWorker();
        if (report && prestarted) report.prestarted++;
        workers.push(worker);
        let done = false;
        worker.once('message', (msg: SvmWorkerReply) => {
          done = true;
          resolve(msg);
          void worker.terminate();
        });
        worker.once('error', reject);
        worker.once('exit', (code) => {
          if (!done) reject(new Error(`SVM worker exited with code ${code} before answering`));
        });
        // Shared arrays are passed by reference; plain ones (share: false) are copied by the structured clone.
        worker.postMessage(input);
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
  const replies = await Promise.all(runs);
  if (report) report.matrixShared.push(...replies.map((r) => r.matrixShared));
  return [...local, ...replies.flatMap((r) => r.solutions)].sort((a, b) => a.c - b.c);
}
