import { describe, expect, it } from 'vitest';
import { CliError, InputError, redactSecrets, renderError, toCliError } from '../src/errors.js';
import { EXIT } from '../src/exit-codes.js';

describe('error classification', () => {
  it('maps LLM error kinds to the provider exit code with a fix hint', () => {
    const auth = toCliError(Object.assign(new Error('401 Incorrect API key'), { kind: 'auth' }));
    expect(auth.exitCode).toBe(EXIT.PROVIDER);
    expect(auth.hint).toMatch(/OPENAI_API_KEY/);
    expect(toCliError(Object.assign(new Error('x'), { kind: 'quota' })).exitCode).toBe(EXIT.PROVIDER);
    expect(toCliError(Object.assign(new Error('x'), { kind: 'budget' })).exitCode).toBe(EXIT.BUDGET);
    expect(toCliError(Object.assign(new Error('x'), { kind: 'aborted' })).exitCode).toBe(EXIT.INTERRUPTED);
  });

  it('maps file errors to bad input, keeping file, line and field', () => {
    const e = toCliError(Object.assign(new Error('data.jsonl:17: field "text": expected a string, got number'), { file: 'data.jsonl', line: 17, field: 'text', kind: 'wrong_type' }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.exitCode).toBe(EXIT.BAD_INPUT);
    // the message already names file and line: not repeated
    expect(renderError(e)).toBe('error: data.jsonl:17: field "text": expected a string, got number\n');
    const missing = toCliError(Object.assign(new Error("ENOENT: no such file or directory, open 'x.jsonl'"), { code: 'ENOENT', path: 'x.jsonl' }));
    expect(missing.exitCode).toBe(EXIT.BAD_INPUT);
    expect(missing.message).toBe('file not found: x.jsonl');
  });

  it('anything else is an internal error with a stack excerpt', () => {
    const e = toCliError(new TypeError('boom'));
    expect(e.exitCode).toBe(EXIT.INTERNAL);
    expect(renderError(e)).toMatch(/looks like a bug/);
  });

  it('renders location, field and hint', () => {
    const e = new InputError('expected a label name', { location: { file: 't.json', line: 3, field: 'labels.0.name' }, hint: 'give every label a name' });
    expect(renderError(e)).toBe('error: t.json:3: field "labels.0.name": expected a label name\n  hint: give every label a name\n');
    expect(renderError(new CliError('x', { exitCode: EXIT.USAGE }))).toBe('error: x\n');
  });
});

describe('secrets never reach the terminal', () => {
  it('redacts environment keys, sk- keys, bearer tokens and URL passwords', () => {
    const env = { OPENAI_API_KEY: 'abc123secretvalue', HOME: '/root' };
    const text = 'key abc123secretvalue; sk-proj-AbCdEf0123456789; Authorization: Bearer tok_123456789abc; http://u:pw@host/v1 in /root';
    const out = redactSecrets(text, env);
    expect(out).not.toContain('abc123secretvalue');
    expect(out).not.toContain('AbCdEf0123456789');
    expect(out).not.toContain('tok_123456789abc');
    expect(out).not.toContain('u:pw@');
    expect(out).toContain('/root'); // not a secret variable
  });

  it('renderError redacts the key from provider messages', () => {
    const env = { OPENAI_API_KEY: 'test-key-0123456789' };
    const e = toCliError(Object.assign(new Error('401: Incorrect API key provided: test-key-0123456789'), { kind: 'auth' }));
    expect(renderError(e, env)).not.toContain('test-key-0123456789');
  });
});
