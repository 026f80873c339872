/**
 * Strings are hoisted out of the generated code (compiler-patch.ts), so templates that differ only
 * in their text and string literals share one compiled function. Each must still render its own
 * strings exactly, including characters that need escaping in JavaScript.
 */
import { expect, it } from 'vitest';
import { compileTemplate, createJinjaEnvironment, renderTemplate, templateShapeCount } from '../../src/jinja/environment.js';

const render = (env: ReturnType<typeof createJinjaEnvironment>, src: string, ctx: Record<string, unknown> = {}) => renderTemplate(env, compileTemplate(env, src, 'models/t.sql'), ctx, 'models/t.sql');

it('templates of one shape share compiled code and keep their own strings', () => {
  const env = createJinjaEnvironment();
  const shape = (text: string, key: string, word: string) => `select '${text}' {% if flag %}{{ d['${key}'] ~ '${word}' }}{% endif %} {{ {'${key}': 1} }} {{ f(${key}=2) }}`;
  const f = (kw: Record<string, unknown>) => Object.keys(kw).filter((k) => k !== '__keywords').join(',');
  const ctx = { flag: true, d: { a: 'A', b: 'B' }, f };
  expect(render(env, shape('one', 'a', '!'), ctx)).toBe(`select 'one' A! {'a': 1} a`);
  expect(render(env, shape('two "quoted"\\n', 'b', '\u00e9\u2028'), ctx)).toBe(`select 'two "quoted"\\n' B\u00e9\u2028 {'b': 1} b`);
  expect(templateShapeCount(env)).toBe(1);
  // Positions are data too (errors still name them): the same shape one line lower is shared.
  expect(render(env, `\n${shape('x', 'a', '')}`, ctx)).toBe(`\nselect 'x' A {'a': 1} a`);
  expect(templateShapeCount(env)).toBe(1);
  let err: { line?: number; column?: number } = {};
  try {
    render(env, `\n\nselect {{ d.a.b.c() }}`, ctx);
  } catch (e) {
    err = e as typeof err;
  }
  expect([err.line, err.column]).toEqual([3, 11]);
  // A different structure is a different shape (the failing template above was one too).
  render(env, '{{ 1 }}');
  expect(templateShapeCount(env)).toBe(3);
});
