/**
 * Template errors name the file, line and column users must fix: syntax errors, runtime errors in
 * the model, and runtime errors inside macros that live in another file.
 */
import { describe, expect, it } from 'vitest';
import { MflowError } from '../../src/errors.js';
import { compileTemplate, createJinjaEnvironment, loadMacros, renderTemplate } from '../../src/jinja/environment.js';

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

const env = createJinjaEnvironment();
const macros = loadMacros(
  env,
  [{ path: 'macros/util.sql', source: "{% macro boom(x) %}\n  select\n    {{ x.nope() }}\n{% endmacro %}\n{% macro raise_it() %}\n{{ fail_with('bad thing') }}\n{% endmacro %}" }],
  {},
);
env.addGlobal('fail_with', (m: string) => {
  throw new MflowError('COMPILER_ERROR', m);
});
env.addGlobal('run_query', () => {
  throw { __mflowSuspend: true, sql: 'select 1' };
});
const render = (src: string, path = 'models/m.sql') => renderTemplate(env, compileTemplate(env, src, path), { ...macros }, path);

describe('syntax errors', () => {
  it('carry file, line and column of the bad token', () => {
    const e = caught(() => compileTemplate(env, 'select 1\n{% if x %}\n  {{ y +* }}\n{% endif %}', 'models/a.sql')) as MflowError;
    expect(e).toBeInstanceOf(MflowError);
    expect([e.code, e.file, e.line, e.column]).toEqual(['JINJA_SYNTAX', 'models/a.sql', 3, 9]);
    expect(e.message).toBe('Jinja syntax error: unexpected token: *');
  });
  it('name unknown tags', () => {
    const e = caught(() => compileTemplate(env, '{{ x }}\n\n  {% foo %}', 'models/b.sql')) as MflowError;
    expect([e.line, e.column, e.message]).toEqual([3, 6, 'Jinja syntax error: unknown block tag: foo']);
  });
  it('point at the tag that opened an unclosed block (issue 17)', () => {
    const e = caught(() => compileTemplate(env, 'select 1\n{% for x in y %}\n', 'models/c.sql')) as MflowError;
    expect([e.code, e.line, e.column]).toEqual(['JINJA_SYNTAX', 2, 1]);
    expect(e.message).toContain('{% for %} is never closed: add {% endfor %}');
    const nested = caught(() => compileTemplate(env, '{# {% if %} #}\n{% set a = 1 %}{% if a %}\n  {% for x in y %}{% endfor %}\n{% raw %}{% for %}{% endraw %}\n', 'models/d.sql')) as MflowError;
    expect([nested.line, nested.column, nested.message]).toEqual([2, 16, 'Jinja syntax error: {% if %} is never closed: add {% endif %}']);
  });
  it('reject break outside a loop at compile time', () => {
    const e = caught(() => compileTemplate(env, 'x\n{% break %}', 'models/d.sql')) as MflowError;
    expect([e.code, e.line, e.message]).toEqual(['JINJA_SYNTAX', 2, 'Jinja syntax error: {% break %} can only be used directly inside a for loop']);
  });
  it('reject recursive loops with a clear message', () => {
    const e = caught(() => compileTemplate(env, '{% for x in y recursive %}{% endfor %}', 'models/e.sql')) as MflowError;
    expect(e.message).toContain('recursive for loops are not supported');
  });
});

describe('runtime errors', () => {
  it('name an undefined callable at its line and column', () => {
    const e = caught(() => render('select\n  {{ nope(1) }}')) as MflowError;
    expect([e.code, e.file, e.line, e.column]).toEqual(['JINJA_RUNTIME', 'models/m.sql', 2, 6]);
    expect(e.message).toBe('`nope` is undefined: no macro, global or variable of that name exists');
  });
  it('name an unknown filter', () => {
    const e = caught(() => render('select\n\n  {{ 1 | nofilter }}')) as MflowError;
    expect([e.code, e.line, e.column, e.message]).toEqual(['JINJA_RUNTIME', 3, 10, 'filter not found: nofilter']);
  });
  it('inside a macro from another file point into that macro file', () => {
    const e = caught(() => render("select 1\n{{ boom('s') }}")) as MflowError;
    expect([e.code, e.file, e.line, e.column]).toEqual(['JINJA_RUNTIME', 'macros/util.sql', 3, 8]);
    expect(e.message).toBe("Unable to call `x[\"nope\"]`: str has no method 'nope'");
  });
  it('keep the code and message of MflowErrors and add the macro location', () => {
    const e = caught(() => render('\n\n{{ raise_it() }}')) as MflowError;
    expect([e.code, e.message, e.file, e.line]).toEqual(['COMPILER_ERROR', 'bad thing', 'macros/util.sql', 6]);
  });
  it('add the model location to MflowErrors raised directly in the model', () => {
    const e = caught(() => render("\n{{ fail_with('direct') }}")) as MflowError;
    expect([e.code, e.file, e.line, e.column]).toEqual(['COMPILER_ERROR', 'models/m.sql', 2, 4]);
  });
  it('from a macro called from JS still come out located', () => {
    const e = caught(() => macros.boom('s')) as MflowError;
    expect([e.code, e.file, e.line]).toEqual(['JINJA_RUNTIME', 'macros/util.sql', 3]);
  });
  it('report Python formatting errors', () => {
    const e = caught(() => render("\n\n   {{ '%d' % 'x' }}")) as MflowError;
    expect([e.line, e.message]).toEqual([3, '%d format: a real number is required, not str']);
  });
  it('rethrow suspend signals unchanged, also through macros', () => {
    const e = caught(() => render('{{ run_query() }}')) as Record<string, unknown>;
    expect(e).toEqual({ __mflowSuspend: true, sql: 'select 1' });
    expect(Object.getOwnPropertySymbols(e)).toEqual([]);
    const env2 = createJinjaEnvironment();
    const signal = { __mflowSuspend: true, id: 7 };
    env2.addGlobal('run_query', () => {
      throw signal;
    });
    loadMacros(env2, [{ path: 'macros/q.sql', source: '{% macro q() %}{% set r = run_query() %}{{ r }}{% endmacro %}' }], {});
    expect(caught(() => renderTemplate(env2, compileTemplate(env2, '\n{{ q() }}', 'm.sql'), {}, 'm.sql'))).toBe(signal);
  });
  it('reject return() outside a macro', () => {
    const e = caught(() => render('{{ return(1) }}')) as MflowError;
    expect([e.code, e.message]).toEqual(['JINJA_RUNTIME', 'return() can only be used inside a macro']);
  });
  it('name the right file when several templates share one source (compiled once)', () => {
    const src = "select 1\n{{ fail_with('x') }}";
    const a = caught(() => render(src, 'models/a.sql')) as MflowError;
    const b = caught(() => render(src, 'models/b.sql')) as MflowError;
    expect([a.file, a.line, b.file, b.line]).toEqual(['models/a.sql', 2, 'models/b.sql', 2]);
    const c = caught(() => render("x\n\n{{ 1 + nope() }}", 'models/c.sql')) as MflowError;
    const d = caught(() => render("x\n\n{{ 1 + nope() }}", 'models/d.sql')) as MflowError;
    expect([c.file, c.line, d.file, d.line]).toEqual(['models/c.sql', 3, 'models/d.sql', 3]);
  });
  it('refuse iterating None as Jinja does', () => {
    const e = caught(() => render('\n{% for x in None %}{% endfor %}')) as MflowError;
    expect([e.line, e.message]).toEqual([2, "'NoneType' object is not iterable"]);
  });
});
