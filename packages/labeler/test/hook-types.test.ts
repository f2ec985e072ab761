import { describe, it, expect, expectTypeOf } from 'vitest';
import { createPluginHost, definePlugin, type HookPayload, type TaxonomyStepEvent } from '@taxonomist/core';
import type { LabelProgress, LabelRecordEvent, LabelSummary } from '@taxonomist/labeler';

describe('hook payload types', () => {
  it('come from the package that emits them, with no extra import tricks', async () => {
    expectTypeOf<HookPayload<'label:record'>>().toEqualTypeOf<LabelRecordEvent>();
    expectTypeOf<HookPayload<'label:progress'>>().toEqualTypeOf<LabelProgress>();
    expectTypeOf<HookPayload<'label:done'>>().toEqualTypeOf<LabelSummary>();
    expectTypeOf<HookPayload<'taxonomy:updated'>>().toEqualTypeOf<TaxonomyStepEvent>();
    const seen: string[] = [];
    const plugin = definePlugin({
      name: 'typed',
      hooks: {
        'label:record': (e) => {
          expectTypeOf(e.assignment.id).toEqualTypeOf<string>();
          seen.push(e.assignment.id);
        },
        'taxonomy:updated': (e) => {
          expectTypeOf(e.fromCheckpoint).toEqualTypeOf<boolean>();
        },
      },
    });
    const host = createPluginHost([plugin]);
    await host.emit('label:record', { assignment: { id: 'r1' } as LabelRecordEvent['assignment'] });
    expect(seen).toEqual(['r1']);
  });
});
