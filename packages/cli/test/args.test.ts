import { describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../src/args/parse.js';
import { closest, editDistance } from '../src/args/suggest.js';
import { findCommand } from '../src/commands/specs.js';
import { UsageError } from '../src/errors.js';

const label = findCommand('label')!;

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('parseCommandArgs', () => {
  it('converts kebab flags to camelCase and types numbers', () => {
    const p = parseCommandArgs(['corpus.jsonl', '--taxonomy', 't.json', '--pack', '5', '--budget=1.5', '--text-field', 'body', '--multi'], label.options, 'label');
    expect(p.positionals).toEqual(['corpus.jsonl']);
    expect(p.values).toEqual({ taxonomy: 't.json', pack: 5, budget: 1.5, textField: 'body', multi: true });
  });

  it('collects repeatable flags', () => {
    const p = parseCommandArgs(['c.jsonl', '--lock', 'Refunds', '--lock', 'L2'], findCommand('induce')!.options, 'induce');
    expect(p.values.lock).toEqual(['Refunds', 'L2']);
  });

  it('names an unknown flag and suggests the closest one', () => {
    const e = usageError(() => parseCommandArgs(['c.jsonl', '--taxonmy', 't.json'], label.options, 'label'));
    expect(e.message).toBe('unknown option --taxonmy');
    expect(e.hint).toBe('did you mean --taxonomy?');
    expect(e.exitCode).toBe(2);
  });

  it('a near miss of an old spelling suggests the canonical flag', () => {
    const e = usageError(() => parseCommandArgs(['c.jsonl', '--sampel', '5'], label.options, 'label'));
    expect(e.hint).toBe('did you mean --label-sample?');
  });

  it('rejects non-integers, out-of-range and non-positive budgets', () => {
    expect(usageError(() => parseCommandArgs(['--pack', '2.5'], label.options, 'label')).message).toBe('--pack must be an integer; got "2.5"');
    expect(usageError(() => parseCommandArgs(['--pack', '0'], label.options, 'label')).message).toBe('--pack must be at least 1; got 0');
    expect(usageError(() => parseCommandArgs(['--budget', '0'], label.options, 'label')).message).toBe('--budget must be greater than 0; got 0');
    expect(usageError(() => parseCommandArgs(['--concurrency', 'many'], label.options, 'label')).message).toMatch(/--concurrency must be an integer/);
  });

  it('checks choices and suggests a close one', () => {
    const e = usageError(() => parseCommandArgs(['--format', 'jsnol'], label.options, 'label'));
    expect(e.message).toBe('--format must be one of jsonl, csv, txt; got "jsnol"');
    expect(e.hint).toBe('did you mean --format jsonl?');
  });

  it('reports a missing flag value with the flag description', () => {
    const e = usageError(() => parseCommandArgs(['c.jsonl', '--out'], label.options, 'label'));
    expect(e.message).toBe('--out needs a value');
    expect(e.hint).toMatch(/labels JSONL/);
  });
});

describe('suggestions', () => {
  it('edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
  it('closest stays within a small distance or a unique prefix', () => {
    expect(closest('lable', ['label', 'induce'])).toBe('label');
    expect(closest('xyz', ['label', 'induce'])).toBeUndefined();
    expect(closest('dist', ['distill', 'induce'])).toBe('distill');
  });
});
