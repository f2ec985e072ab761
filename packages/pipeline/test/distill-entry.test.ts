import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as entry from '@taxonomist/pipeline/distill';
import * as index from '../src/index.js';

describe('@taxonomist/pipeline/distill', () => {
  it('exports the same functions as the package index (one implementation, a lighter import)', () => {
    const names = Object.keys(entry).sort();
    expect(names).toEqual(['corpusFlags', 'inputPath', 'loadCorpus', 'reportIssues', 'runDistillStage', 'seedOf', 'str']);
    for (const name of names) expect((entry as Record<string, unknown>)[name]).toBe((index as Record<string, unknown>)[name]);
  });

  it('does not import the stages `taxonomist distill` does not run', () => {
    // The point of the entry: none of its modules loads the labeler, the report or the LLM setup (type-only imports
    // are erased, so they do not count).
    const src = (f: string) => readFileSync(new URL(`../src/${f}`, import.meta.url), 'utf8');
    const loads = /^(?:import|export) (?!type )[^;]*from '(?:@taxonomist\/(?:labeler|report)|\.\/(?:run-pipeline|label-stage|models|induce-stage)\.js)'/m;
    expect(src('distill-stage.ts')).toMatch(/^import type [^;]*from '@taxonomist\/report'/m); // the pattern sees imports at all
    for (const f of ['distill-entry.ts', 'distill-stage.ts', 'corpus.ts', 'values.ts', 'sample.ts', 'errors.ts']) {
      expect(src(f)).not.toMatch(loads);
    }
    expect("import { x } from '@taxonomist/report';").toMatch(loads);
  });
});
