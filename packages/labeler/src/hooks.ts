import type { LabelAssignment } from '@taxonomist/core';
import type { LabelProgress, LabelSummary } from './summary.js';

/** Payload of 'label:record': one output line was written (ok or failed). */
export interface LabelRecordEvent {
  assignment: LabelAssignment;
}

/**
 * Payload types of the observer hooks the labeler emits through a plugin host (`options.host`). Core names the hooks
 * ('label:record', 'label:progress', 'label:done'); importing anything from this package types their payloads:
 * `hooks: { 'label:record': ({ assignment }) => ... }`.
 */
declare module '@taxonomist/core' {
  interface HookPayloads {
    'label:record': LabelRecordEvent;
    'label:progress': LabelProgress;
    'label:done': LabelSummary;
  }
}

export const LABEL_HOOKS = ['label:record', 'label:progress', 'label:done'] as const;
