import type { ProgressHandle, ProgressState, Reporter } from './reporter.js';
import type { StageName, StageResult } from './result.js';

/**
 * What runPipeline tells while it works, in order. A listener (options.onEvent) shows them as it likes: the CLI
 * turns them into status lines, warnings and progress bars. Listeners must not throw (an exception stops the run).
 */
export type PipelineEvent =
  | { type: 'info'; message: string }
  | { type: 'warning'; message: string }
  /** A message worth showing once per key per process (the offline-baseline notice). */
  | { type: 'notice'; key: string; message: string }
  /** A progress bar starts: `id` names it in the following progress events. */
  | { type: 'progress:start'; id: number; label: string; total?: number }
  | { type: 'progress'; id: number; state: ProgressState }
  | { type: 'progress:end'; id: number }
  | { type: 'stage:start'; stage: StageName; mode: 'fresh' | 'resume' }
  /** A stage is over: done, skipped (unchanged since the last run), failed or stopped (budget, interruption). */
  | { type: 'stage:end'; stage: StageName; result: StageResult };

/** A Reporter for the stage helpers that turns each call into an event. */
export function eventReporter(emit: (event: PipelineEvent) => void): Reporter {
  let nextId = 1;
  return {
    info: (message) => emit({ type: 'info', message }),
    warn: (message) => emit({ type: 'warning', message }),
    notice: (key, message) => emit({ type: 'notice', key, message }),
    progress(label, total): ProgressHandle {
      const id = nextId++;
      let state: ProgressState = { done: 0, ...(total !== undefined ? { total } : {}) };
      let finished = false;
      emit({ type: 'progress:start', id, label, ...(total !== undefined ? { total } : {}) });
      return {
        update(patch) {
          state = { ...state, ...patch };
          if (!finished) emit({ type: 'progress', id, state });
        },
        tick(n = 1) {
          state = { ...state, done: state.done + n };
          if (!finished) emit({ type: 'progress', id, state });
        },
        finish() {
          if (finished) return;
          finished = true;
          emit({ type: 'progress:end', id });
        },
      };
    },
  };
}
