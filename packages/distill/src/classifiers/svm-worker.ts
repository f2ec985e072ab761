/** Worker-thread entry: solves the SVM problems of the classes it is given (see svm-workers.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { solveSvmClasses } from './linear-svm.js';
import type { SvmWorkerInput } from './svm-workers.js';

const input = workerData as SvmWorkerInput;
const solutions = solveSvmClasses(input.X, input.target, input.perm, input.classList, input.classes, input.opts, input.claim);
parentPort!.postMessage(
  solutions,
  solutions.flatMap((s) => [s.w.buffer as ArrayBuffer, s.alpha.buffer as ArrayBuffer, ...(s.holdoutScores ? [s.holdoutScores.buffer as ArrayBuffer] : [])]),
);
