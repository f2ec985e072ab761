/**
 * Worker-thread entry: waits for one job (see svm-workers.ts: a worker may be started before its data exists, so the
 * job comes by message, not as workerData), solves the classes it claims and answers with their solutions (moved,
 * not copied) and whether the matrix it read was in shared memory.
 */
import { parentPort } from 'node:worker_threads';
import { solveSvmClasses } from './linear-svm.js';
import type { SvmWorkerInput, SvmWorkerReply } from './svm-workers.js';

parentPort!.once('message', (input: SvmWorkerInput) => {
  const solutions = solveSvmClasses(input.X, input.target, input.perm, input.classList, input.classes, input.opts, input.claim);
  const { indptr, indices, data } = input.X;
  const reply: SvmWorkerReply = { solutions, matrixShared: [indptr, indices, data].every((a) => a.buffer instanceof SharedArrayBuffer) };
  parentPort!.postMessage(
    reply,
    solutions.flatMap((s) => [s.w.buffer as ArrayBuffer, s.alpha.buffer as ArrayBuffer, ...(s.holdoutScores ? [s.holdoutScores.buffer as ArrayBuffer] : [])]),
  );
});
