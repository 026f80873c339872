/**
 * Macros shared across files the way the compiler uses them: loaded with loadMacros, exposed to
 * model templates, calling each other late-bound, with dbt's return() and Jinja's call blocks.
 */
import type nunjucks from 'nunjucks';
import { describe, expect, it } from 'vitest';
import { MflowError } from '../../src/errors.js';
import { compileTemplate, createJinjaEnvironment, loadMacros, renderTemplate } from '../../src/jinja/environment.js';

function setup(files: { path: string; source: string }[]) {
  const env = createJinjaEnvironment();
  const macros = loadMacros(env, files, {});
  const render = (src: string, ctx: Record<string, unknown> = {}) => renderTemplate(env, compileTemplate(env, src, 'models/m.sql'), { ...macros, ...ctx }, 'models/m.sql');
  return { env, macros, render };
}

describe('loadMacros', () => {
  it('makes macros from several files callable from a model, with positional, keyword and default args', () => {
    const { render, macros } = setup([
      { path: 'macros/a.sql', source: "{% macro cents_to_dollars(col, scale=2) %}round({{ col }} / 100, {{ scale }}){% endmacro %}" },
      { path: 'macros/b.sql', source: "{% macro money(col) %}{{ cents_to_dollars(col, scale=4) }}::decimal{% endmacro %}" },
    ]);
    expect(Object.keys(macros).sort()).toEqual(['cents_to_dollars', 'money']);
    expect(render("select {{ cents_to_dollars('amt') }}, {{ money('x') }}, {{ cents_to_dollars(col='y', scale=0) }}")).toBe(
      'select round(amt / 100, 2), round(x / 100, 4)::decimal, round(y / 100, 0)',
    );
  });

  it('resolves macros defined in files loaded later (late lookup), and in a later loadMacros call', () => {
    const env = createJinjaEnvironment();
    loadMacros(env, [{ path: 'macros/first.sql', source: "{% macro outer() %}[{{ inner() }}|{{ later() }}]{% endmacro %}" }], {});
    loadMacros(env, [{ path: 'macros/second.sql', source: "{% macro inner() %}in{% endmacro %}{% macro later() %}{{ 'late' }}{% endmacro %}" }], {});
    expect(renderTemplate(env, compileTemplate(env, '{{ outer() }}', 'm.sql'), {}, 'm.sql')).toBe('[in|late]');
  });

  it('sees env globals added after loading (dbt context such as ref)', () => {
    const env = createJinjaEnvironment();
    loadMacros(env, [{ path: 'macros/r.sql', source: "{% macro from_ref(n) %}select * from {{ ref(n) }}{% endmacro %}" }], {});
    env.addGlobal('ref', (n: string) => `"db"."main"."${n}"`);
    expect(renderTemplate(env, compileTemplate(env, "{{ from_ref('orders') }}", 'm.sql'), {}, 'm.sql')).toBe('select * from "db"."main"."orders"');
  });

  it('return() gives the macro call any value: list, dict, bool, number', () => {
    const { render, macros } = setup([
      {
        path: 'macros/ret.sql',
        source: [
          "{% macro cols() %}{{ return(['a', 'b']) }}{% endmacro %}",
          "{% macro cfg() %}{% set d = {'x': 1} %}{{ return(d) }}never{% endmacro %}",
          '{% macro yes() %}{{ return(True) }}{% endmacro %}',
          '{% macro no() %}{{ return(False) }}{% endmacro %}',
          '{% macro early(n) %}{% if n > 1 %}{{ return(n * 10) }}{% endif %}{{ return(0) }}{% endmacro %}',
        ].join('\n'),
      },
    ]);
    expect(render("{{ cols() | join(',') }} {{ cols() | length }} {{ cfg().x }} {% if yes() %}Y{% endif %}{% if not no() %}N{% endif %} {{ early(5) + 1 }} {{ early(1) }}")).toBe(
      'a,b 2 1 YN 51 0',
    );
    expect(macros.cols()).toEqual(['a', 'b']);
    expect(macros.yes()).toBe(true);
  });

  it('passes caller() through {% call %} and keeps varargs/kwargs', () => {
    const { render } = setup([
      { path: 'macros/w.sql', source: "{% macro wrap(name) %}with {{ name }} as ({{ caller() }}){{ varargs | join }}{{ kwargs.get('tail', '') }}{% endmacro %}" },
    ]);
    expect(render("{% call wrap('cte', '!', '?', tail=' x') %}select 1{% endcall %}")).toBe('with cte as (select 1)!? x');
  });

  it('keeps the model frame intact after a macro returns early with return()', () => {
    const { render } = setup([{ path: 'macros/r.sql', source: '{% macro r() %}{{ return(1) }}{% endmacro %}' }]);
    expect(render("{% set x = 'kept' %}{% for i in [1, 2] %}{{ r() }}{{ i }}{% endfor %}{{ x }}")).toBe('1112kept');
  });

  it('rejects unknown keyword arguments when the macro does not read kwargs, naming the macro', () => {
    const { render } = setup([{ path: 'macros/k.sql', source: '{% macro k(a) %}{{ a }}{% endmacro %}' }]);
    expect(() => render('{{ k(1, b=2) }}')).toThrow("macro 'k' takes no keyword argument 'b'");
  });

  it('reports a macro defined twice with both files', () => {
    const env = createJinjaEnvironment();
    const err = (() => {
      try {
        loadMacros(env, [
          { path: 'macros/a.sql', source: '{% macro dup() %}{% endmacro %}' },
          { path: 'macros/b.sql', source: '{% macro dup() %}{% endmacro %}' },
        ], {});
      } catch (e) {
        return e as MflowError;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(MflowError);
    expect(err!.message).toBe("macro 'dup' is defined twice: in macros/a.sql and in macros/b.sql");
  });

  it('reports syntax errors in a macro file with that file and line', () => {
    const env = createJinjaEnvironment();
    try {
      loadMacros(env, [{ path: 'macros/bad.sql', source: '{% macro ok() %}x{% endmacro %}\n\n{% macro bad() %}{{ 1 + }}{% endmacro %}' }], {});
      expect.unreachable();
    } catch (e) {
      const err = e as MflowError;
      expect(err.code).toBe('JINJA_SYNTAX');
      expect(err.file).toBe('macros/bad.sql');
      expect(err.line).toBe(3);
    }
  });
});

describe('shared compiled code', () => {
  it('renders templates with identical source independently', () => {
    const env = createJinjaEnvironment();
    const src = '{% set n = namespace(v=x) %}{% set n.v = n.v * 2 %}{{ n.v }}';
    const a = compileTemplate(env, src, 'a.sql');
    const b = compileTemplate(env, src, 'b.sql');
    expect([renderTemplate(env, a, { x: 1 }, 'a.sql'), renderTemplate(env, b, { x: 5 }, 'b.sql'), renderTemplate(env, a, { x: 3 }, 'a.sql')]).toEqual(['2', '10', '6']);
  });
});

describe('templates from a loader', () => {
  it('support extends with super(), include and import/from-import', () => {
    const files: Record<string, string> = {
      'base.sql': 'A{% block b %}base{% endblock %}Z',
      'inc.sql': 'inc={{ x }}',
      'lib.sql': '{% macro hi(n) %}hi {{ n }}{% endmacro %}',
    };
    const loader = { getSource: (name: string) => ({ src: files[name], path: name, noCache: false }) } as unknown as nunjucks.ILoader;
    const env = createJinjaEnvironment({ loader });
    const r = (s: string) => renderTemplate(env, compileTemplate(env, s, 'm.sql'), { x: 1 }, 'm.sql');
    expect(r("{% extends 'base.sql' %}{% block b %}child {{ super() }}{% endblock %}")).toBe('Achild baseZ');
    expect(r("[{% include 'inc.sql' %}]")).toBe('[inc=1]');
    expect(r("{% import 'lib.sql' as lib %}{{ lib.hi('a') }} {% from 'lib.sql' import hi %}{{ hi('b') }}")).toBe('hi a hi b');
  });
});
