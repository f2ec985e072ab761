/**
 * What the stages say while they work: status lines, warnings, once-per-process notices and progress. The stage
 * helpers take a Reporter; runPipeline gives them one that turns every call into a PipelineEvent (see events.ts),
 * and the CLI's Ui is one as it is (its commands pass it straight to the helpers).
 */
export interface ProgressState {
  done: number;
  total?: number;
  tokens?: number;
  costUsd?: number;
  /** Extra short text, e.g. "12 failed". */
  note?: string;
  /** Of `done`, how many were already done before this session (a resumed run): not counted in a rate. */
  already?: number;
}

export interface ProgressHandle {
  /** Set absolute values (only the given fields change). */
  update(patch: Partial<ProgressState>): void;
  tick(n?: number): void;
  /** The work this handle tracks is over. */
  finish(): void;
}

export interface Reporter {
  info(text: string): void;
  warn(text: string): void;
  /** A message shown at most once per key (e.g. the offline-baseline notice). */
  notice(key: string, text: string): void;
  progress(label: string, total?: number): ProgressHandle;
}
