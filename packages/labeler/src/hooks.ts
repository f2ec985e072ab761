import type { LabelAssignment } from '@taxonomist/core';
import type { LabelProgress, LabelSummary } from './summary.js';

/**
 * Observer hooks emitted by the labeler through a plugin host (`options.host`). Declared by module augmentation so
 * plugins get typed payloads: `hooks: { 'label:record': ({ assignment }) => ... }`.
 */
declare module '@taxonomist/core' {
  interface ObserverHooks {
    /** One output line was written (ok or failed). */
    'label:record': (e: { assignment: LabelAssignment }) => void | Promise<void>;
    /** Progress (every `progressEvery` records and at the end). */
    'label:progress': (e: LabelProgress) => void | Promise<void>;
    /** The run ended (done, stopped or aborted). */
    'label:done': (e: LabelSummary) => void | Promise<void>;
  }
}

export const LABEL_HOOKS = ['label:record', 'label:progress', 'label:done'] as const;
