import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compile } from '../../src/api.js';
import { findInertMacros } from '../../src/jinja/inert-macros.js';
import { parseStatic } from '../../src/jinja/static-template.js';
import { makeProject } from './helpers.js';

/**
 * The static fast path (templates whose Jinja is only calls with literal arguments) must give
 * exactly what nunjucks gives. Inert macros are skipped while parsing and their output is reused
 * for equal arguments; anything that reads the node, the variables or the database is not inert.
 */
describe('static fast path and inert macros', () => {
  const MACROS = [
    "{% macro cents(col) %}round({{ col }} * 100)::bigint{% endmacro %}",
    "{% macro twice(col) %}{{ cents(col) }} + {{ cents(col) }}{% endmacro %}",
    "{% macro my_name() %}'{{ this.name }}'{% endmacro %}",
    "{% macro year() %}{{ var('year', 2000) }}{% endmacro %}",
    "{% macro via_name() %}{{ my_name() }}{% endmacro %}",
    "{% macro counted() %}{% do log('called ' ~ model.name, info=True) %}1{% endmacro %}",
  ].join('\n');

  test('the analysis finds inert macros and their callees, and rejects anything context-dependent', () => {
    const names = new Set(['cents', 'twice', 'my_name', 'year', 'via_name', 'counted']);
    const { inert } = findInertMacros([MACROS], names);
    expect([...inert.keys()].sort()).toEqual(['cents', 'twice']);
    expect(inert.get('twice')!.sort()).toEqual(['cents', 'twice']);
    // Words in the SQL around the tags do not count; other templates pulled in by name do.
    const more = "{% macro plain() %}select x from this_table where ref = 1{% endmacro %}\n{% macro inc() %}{% include 'other.sql' %}{% endmacro %}\n{% macro imp() %}{% from 'x.sql' import y %}{{ y() }}{% endmacro %}";
    const r = findInertMacros([more], new Set(['plain', 'inc', 'imp']));
    expect([...r.inert.keys()]).toEqual(['plain']);
    // A project macro that shadows another definition is never trusted.
    expect(findInertMacros([MACROS, "{% macro cents(c) %}{{ c }}{% endmacro %}"], names).inert.has('cents')).toBe(false);
  });

  test('compiled SQL is the same through the fast path and through nunjucks, per node', async () => {
    const body = (n: string) => `select {{ twice('x') }} as a, {{ my_name() }} as b, {{ year() }} as c, {{ via_name() }} as d from {{ ref('base') }} -- ${n}`;
    const p = makeProject({
      'macros/m.sql': MACROS,
      'models/base.sql': 'select 1 as x',
      'models/m1.sql': body('m1'),
      'models/m2.sql': body('m2'),
      // The same calls inside a {% if %} go through nunjucks: the reference output.
      'models/m3.sql': `{% if true %}${body('m3')}{% endif %}`,
    });
    const r = await compile({ projectDir: p.dir, console: p.console, vars: '{year: 2009}' });
    const expected = (n: string) => `select round(x * 100)::bigint + round(x * 100)::bigint as a, '${n}' as b, 2009 as c, '${n}' as d from "main"."base" -- ${n}`;
    expect(r.compiled['model.fn.m1']).toBe(expected('m1'));
    expect(r.compiled['model.fn.m2']).toBe(expected('m2'));
    expect(r.compiled['model.fn.m3']).toBe(expected('m3'));
  });

  test('a macro that changes a list argument gets a fresh list on every render, as in Jinja', async () => {
    const p = makeProject({
      // `this` keeps it from being inert, so it runs at parse time and again at compile time.
      'macros/m.sql': "{% macro cols(xs) %}{% do xs.append('id') %}{{ xs | join(', ') }}{{ '' if this else '' }}{% endmacro %}",
      'models/a.sql': "select {{ cols(['a']) }} from t",
    });
    const r = await compile({ projectDir: p.dir, console: p.console });
    expect(r.compiled['model.fn.a']).toBe('select a, id from t');
  });

  test('depends_on.macros lists an inert macro and what it calls, though parsing skipped the call', async () => {
    const p = makeProject({ 'macros/m.sql': MACROS, 'models/m.sql': "select {{ twice('x') }} as a" });
    await compile({ projectDir: p.dir, console: p.console });
    const m = JSON.parse(readFileSync(join(p.dir, 'target', 'manifest.json'), 'utf8'));
    expect(m.nodes['model.fn.m'].depends_on.macros).toEqual(['macro.fn.cents', 'macro.fn.twice']);
  });

  test('a macro with side effects runs for every node (its log lines say so)', async () => {
    const p = makeProject({ 'macros/m.sql': MACROS, 'models/a.sql': 'select {{ counted() }} as x', 'models/b.sql': 'select {{ counted() }} as x' });
    await compile({ projectDir: p.dir, console: p.console });
    const lines = p.console.events.map((e) => ('msg' in e ? String(e.msg) : '')).filter((m) => m.startsWith('called '));
    expect(lines).toEqual(expect.arrayContaining(['called a', 'called b']));
  });

  // Literal printing (numbers, booleans, None, escapes, lists, dicts), keyword arguments, return(),
  // config() and ref(): each template once on the fast path, once through nunjucks ({% if %}).
  const bodies = [
    "select {{ show(1) }}, {{ show(1.5) }}, {{ show(-2) }}, {{ show(True) }}, {{ show(None) }}, {{ show(false) }}",
    "select {{ show(\"a\\\\nb\") }}, {{ show('x\\'y') }}, {{ show(\"q'\") }}",
    "select {{ show([1, 'a', None]) }}, {{ show({'k': [1, 2]}) }}, {{ show(('t', 1)) }}",
    "select {{ kw(a=1, b='x') }}, {{ kw(1, b=[1]) }}",
    "select * from {{ ref('base') }} join {{ ref('fn', 'base') }} using (id)",
    "{{ config(tags=['x']) }}{{ config(tags='y', materialized='table') }}select {{ lst() }}, {{ tf() }}",
  ];
  test.each(bodies.map((b, i) => [i, b]))('static path == nunjucks for template %i', async (_i, body) => {
    // All but the tuple (which the fast path leaves to nunjucks) really take the fast path.
    expect(parseStatic(body) !== null).toBe(!body.includes("('t', 1)"));
    const p = makeProject({
      'macros/m.sql': "{% macro show(x) %}{{ x }}{% endmacro %}\n{% macro kw(a=0, b=None) %}{{ a }}-{{ b }}{% endmacro %}\n{% macro lst() %}{{ return([1, 2]) }}{% endmacro %}\n{% macro tf() %}{{ return(True) }}{% endmacro %}",
      'models/base.sql': 'select 1 as id',
      'models/s.sql': body,
      'models/n.sql': `{% if true %}${body}{% endif %}`,
    });
    const r = await compile({ projectDir: p.dir, console: p.console });
    expect(r.compiled['model.fn.s']).toBe(r.compiled['model.fn.n']);
  });
});
