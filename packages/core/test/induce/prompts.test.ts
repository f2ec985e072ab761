import { describe, expect, it } from 'vitest';
import { DEFAULT_PROMPTS, PROMPT_IDS, renderPrompt, type TaxonomyStepVars } from '../../src/index.js';

const vars: TaxonomyStepVars = {
  useCase: 'classify support chats by intent',
  rulesText: '1. rule one',
  parentText: '',
  taxonomyText: '- [L1] Card delivery: texts about cards',
  dataText: '1. DATA-MARKER my card',
  itemCount: 1,
};

describe('prompts', () => {
  it('has a default template for every prompt id, static parts first and data last', () => {
    expect(Object.keys(DEFAULT_PROMPTS).sort()).toEqual([...PROMPT_IDS].sort());
    for (const id of ['generate', 'update', 'review'] as const) {
      const messages = renderPrompt(id, vars, {});
      expect(messages[0]!.role).toBe('system');
      expect(messages[0]!.content).toContain(vars.useCase);
      expect(messages[0]!.content).toContain(vars.rulesText);
      // Data and the changing taxonomy never sit in the cached system prefix.
      expect(messages[0]!.content).not.toContain('DATA-MARKER');
      expect(messages[0]!.content).not.toContain('[L1]');
      expect(messages.at(-1)!.role).toBe('user');
    }
    expect(renderPrompt('update', vars, {}).at(-1)!.content).toMatch(/\[L1\][\s\S]*DATA-MARKER/);
    expect(renderPrompt('review', vars, {}).at(-1)!.content).not.toContain('DATA-MARKER');
  });

  it('appends instructions to the system message of every prompt', () => {
    const messages = renderPrompt('update', vars, { instructions: '  Use British spelling.  ' });
    expect(messages[0]!.content.endsWith('Additional instructions from the user:\nUse British spelling.')).toBe(true);
    expect(messages.filter((m) => m.content.includes('British'))).toHaveLength(1);
  });

  it('prefers a run override over a plugin override over the default, and passes the variables', () => {
    const seen: Record<string, unknown>[] = [];
    const plugin = { prompt: (id: string) => (id === 'update' ? () => [{ role: 'user' as const, content: 'plugin' }] : undefined) };
    expect(renderPrompt('update', vars, { host: plugin })).toEqual([{ role: 'user', content: 'plugin' }]);
    const run = renderPrompt('update', vars, {
      host: plugin,
      overrides: {
        update: (v) => {
          seen.push(v);
          return [{ role: 'user', content: `run ${String(v.itemCount)}` }];
        },
      },
      instructions: 'be brief',
    });
    // An override without a system message still gets the instructions, in a system message of their own.
    expect(run).toEqual([
      { role: 'system', content: 'Additional instructions from the user:\nbe brief' },
      { role: 'user', content: 'run 1' },
    ]);
    expect(seen[0]).toMatchObject({ useCase: vars.useCase, dataText: vars.dataText });
    expect(renderPrompt('review', vars, { host: plugin })[0]!.role).toBe('system');
  });

  it('rejects an override that does not return messages, naming the prompt', () => {
    expect(() => renderPrompt('generate', vars, { overrides: { generate: () => 'text' as never } })).toThrow(
      'prompt "generate" (override) must return a non-empty array',
    );
  });
});
