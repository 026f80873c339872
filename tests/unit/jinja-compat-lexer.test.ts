/**
 * The fast scanner (compat/fast-lexer.ts) must produce exactly the tokens, lines and columns of
 * nunjucks' own scanner (kept as the fallback), or error positions and whitespace control drift.
 */
import { describe, expect, it } from 'vitest';
import { lexer } from '../../src/jinja/compat/internals.js';
import { compileTemplate, createJinjaEnvironment, renderTemplate } from '../../src/jinja/environment.js';

const env = createJinjaEnvironment();

function tokens(src: string, fast: boolean) {
  const t = lexer.lex(src, {});
  if (!fast) t.jinjaFast = false;
  const out: unknown[] = [];
  for (let k = t.nextToken(); k; k = t.nextToken()) out.push(k);
  return out;
}

const templates: string[] = [
  "{{ True }} {{ False }} {{ None }} {{ None is none }} {{ x is none }} {{ flag }} {{ not flag }}",
  "{{ True == true }} {% if None %}a{% else %}b{% endif %} {{ 1 if True else 2 }}",
  "{% set l = [1] %}{% do l.append(2) %}{% do l.extend([3, 4]) %}{{ l }} {{ l.pop() }} {{ l }}",
  "{% set ns = namespace(total=0, found=false) %}{% for i in [1,2,3] %}{% set ns.total = ns.total + i %}{% if i == 2 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.total }} {{ ns.found }}",
  "{% set x = 0 %}{% for i in [1,2,3] %}{% set x = i %}[{{ x }}]{% endfor %}{{ x }}",
  "{% set x = 'out' %}{% for i in [1,2] %}{% if i == 2 %}{% set x = 'in' %}{% endif %}{{ x }},{% endfor %}{{ x }}",
  "{% for x in xs if x > 1 %}{{ loop.index }}:{{ x }}/{{ loop.length }} {% endfor %}",
  "{% for x in xs if x > 10 %}{{ x }}{% else %}none{% endfor %}",
  "{% for x in 'abc' %}{{ loop.cycle('odd', 'even') }}{{ loop.first }}{{ loop.last }} {% endfor %}",
  "{% for x in range(10) %}{% if x == 3 %}{% break %}{% endif %}{% if x == 1 %}{% continue %}{% endif %}{{ x }}{% endfor %}",
  "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for k in d %}{{ k }}{% endfor %}",
  "{{ s.upper() }}|{{ s.lower() }}|{{ s.strip() }}|{{ s.lstrip() }}|{{ s.rstrip() }}|{{ s.split() }}|{{ 'a,b,,c'.split(',') }}|{{ 'a,b,c'.split(',', 1) }}",
  "{{ 'aaa'.replace('a', 'b') }}|{{ 'aaa'.replace('a','b',2) }}|{{ 'abc'.startswith('ab') }}|{{ 'abc'.endswith(('x','c')) }}|{{ '{} and {name}'.format(1, name='n') }}|{{ 'hello world'.title() }}|{{ 'hELLO'.capitalize() }}|{{ ', '.join(['a','b']) }}",
  "{{ '{:>5}|{:<4}|{:^6}|{:.2f}|{:05d}|{:,}'.format('ab', 'c', 'mid', 3.14159, 42, 1234567) }}",
  "{% set d = {'a': 1} %}{{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 5) }} {{ d.keys() | list }} {{ d.values() | list }}{% do d.update({'b': 2}) %} {{ d }} {{ d.items() | list }}",
  "{{ {'b': 1, 'a': [1, 'x', None, True]} | tojson }} {{ \"it's <b>\" | tojson }} {{ tojson({'b': 1, 'a': 2}) }}",
  "{{ users | map(attribute='name') | join(',') }} {{ ['a','b'] | map('upper') | list }} {{ users | map(attribute='age', default=0) | list }}",
  "{{ [3, 1, 3, 2] | unique | list }} {{ ['A', 'a', 'b'] | unique | list }} {{ [3,1,2] | min }} {{ [3,1,2] | max }} {{ users | max(attribute='age') }}",
  "{{ '%s-%s' | format('a', 1) }} {{ 'abc' | list }} {{ 12 | string }} {{ {'a': 1} | items | list }}",
  "{{ [1,2,3,4] | select('odd') | list }} {{ [1,2,3,4] | reject('odd') | list }} {{ [0, 1, '', 'a'] | select | list }} {{ users | selectattr('age', 'gt', 4) | map(attribute='name') | list }}",
  "{% macro m(a, b=2) %}{{ a }}-{{ b }}-{{ varargs }}-{{ kwargs }}{% endmacro %}{{ m(1) }}|{{ m(1, 3, 4, 5) }}|{{ m(1, c=9) }}|{{ m(b=7, a=0) }}",
  "{{ xs[1:] }} {{ xs[:-1] }} {{ xs[::2] }} {{ xs[::-1] }} {{ 'hello'[1:3] }} {{ xs[-1] }} {{ 'abc'[-1] }}",
  "{{ '-' * 3 }} {{ 3 * 'ab' }} {{ '%s!' % x }} {{ '%s and %d' % ('a', 3) }} {{ '%r' % 'q' }} {{ '%05.1f' % 3.14159 }} {{ -7 % 3 }} {{ [1] + [2] }} {{ 'a' ~ None ~ True }}",
  "{% set d = {'a': {'b': 1}} %}{{ d.a.b }} {{ {'x': {'y': 2}}.x.y }}",
  "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set c, d = [3, 4] %}{{ c }}{{ d }}",
  "{% set x = 1 %}{% with x = 2, y = 3 %}{{ x }}{{ y }}{% endwith %}{{ x }}",
  "{% set s | upper %}abc{% endset %}{{ s }}",
  "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}inner{% endcall %}",
  "{{ ['a', 1, None] }} {{ {'k': 'v'} }} {{ [] }} {% if [] %}t{% else %}f{% endif %} {% if {} %}t{% else %}f{% endif %}",
  "{{ [True, None, 1] | join(',') }}",
  "{{ not [] }} {{ not [1] }}",
  "{% macro m(a) %}{% for i in [1,2] %}{% set a = i %}{{ a }}{% endfor %}{{ a }}{% endmacro %}{{ m(9) }}",
  "{% macro m(a, b=a ~ '!') %}{{ b }}{% endmacro %}{{ m('x') }} {{ m('x', None) }}",
  "{{ 1 is integer }} {{ 1.5 is float }} {{ True is boolean }} {{ 'a' is in ['a'] }} {{ x is defined }} {{ y is undefined }} {{ {} is mapping }}",
  "{% for x in [5,6,7] %}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.previtem }}{{ loop.nextitem }},{% endfor %}",
  "{{ '%(a)s=%(b)d' % {'a': 'x', 'b': 2} }}",
  "a\n{%- if true %}\n b {{- ' c' }}\n{% endif -%}\nd",
  "{{ 'a.b.c'.rsplit('.', 1) }} {{ 'ab'.zfill(4) }} {{ 'x'.center(5, '*') }} {{ 'abc'.find('c') }} {{ 'a-b'.partition('-') }} {{ 'Ab1'.isalnum() }} {{ 'a b'.count(' ') }}",
  "{{ 4 is divisibleby 2 }} {{ x is not none }} {{ None is none }} {{ x is sameas 1 }} {{ 3 is in [1, 3] and true }}",
  "{% for i in [1,2] %}{% set s %}v{{ i }}{% endset %}{{ s }}{% endfor %}",
  "{{ x | default('d') }} {{ y | default('d') }} {{ none | default('d', true) }}",
  "{{ range(3) | list }} {{ range(1, 7, 2) | list }}",
  "{{ d['values'] }} {{ d.values() | list }}",
  "{% for x in [1,1,2,2,3] %}{% if loop.changed(x) %}{{ x }}{% endif %}{% endfor %}",
  "{{ 10 / 4 }} {{ 10 // 4 }} {{ 2 ** 3 }} {{ '3' | int + 1 }} {{ 7 % 3 }}",
  "{{ [3,1,2] | sort }} {{ [3,1,2] | sort(reverse=true) }} {{ users | sort(attribute='age') | map(attribute='n') | join }}",
  "{{ {'a': 1, 'b': 2} | length }} {{ 'abc' | length }} {{ [1] | count }}",
  "{{ 'a' in ['a','b'] }} {{ 'x' in 'xyz' }} {{ 'k' in {'k': 1} }} {{ 'z' not in 'abc' }}",
  "{{ none }} {{ true }} {{ false }}",
  "[{{ 'a' if false }}]",
  "{% macro m() %}{{ caller('arg') }}{% endmacro %}{% call(x) m() %}[{{ x }}]{% endcall %}",
  "{{ [1,2,3] | first }} {{ [1,2,3] | last }} {{ [1,2,3] | sum }} {{ -3 | abs }} {{ 3.14159 | round(2) }}",
  "{% set l = [] %}{% for i in range(3) %}{% do l.append(i) %}{% endfor %}{{ l }}",
  "{% macro m(a, b, c=3) %}{{ a }}{{ b }}{{ c }}{% endmacro %}{% set args = [1, 2] %}{% set kw = {'c': 9} %}{{ m(*args) }} {{ m(*args, **kw) }} {{ m(0, **{'b': 5}) }}",
  "{{ dict(a=1, b='x') }}",
  "{{ 'a' < 'b' }} {{ 'abc' == 'abc' }} {{ 1 != 2 }}",
  "{% set total = 0 %}{% for a in [1,2] %}{% for b in [3,4] %}{% set total = total + a * b %}{% endfor %}{{ total }}{% endfor %}{{ total }}",
  "{% macro m(xs) %}{% set ns = namespace(n=0) %}{% for x in xs %}{% set ns.n = ns.n + x %}{% endfor %}{{ ns.n }}{% endmacro %}{{ m([1, 2, 3]) }}",
  "{% for i in [1] %}{% set inner = 'x' %}{% endfor %}[{{ inner }}]",
  "{% if true %}{% set y = 'yes' %}{% endif %}{{ y }}",
  "{{ 'a b c' | replace(' ', '_') }} {{ 'Hello' | lower }} {{ '  x ' | trim }} {{ 'ab' | upper }}",
  "{{ 'a' ~ 1 ~ 2.5 }}",
  "{% for k, v in {'b': 1, 'a': 2} | dictsort %}{{ k }}{{ v }}{% endfor %}",
  "{% set t = ('a', 'b') %}{{ t }} {{ t[0] }} {{ t | length }}",
  "{% for a, b in [(1, 2), (3, 4)] %}{{ a + b }}{% endfor %}",
  "{{ ['1','2'] | map('int') | sum }}",
  "{{ users | selectattr('n', 'equalto', 'a') | list | length }} {{ users | rejectattr('age') | list }}",
  "{{ users | join(', ', attribute='n') }}",
  "{{ true and 'x' }} {{ false or 'y' }} {{ not none }}",
  "{{ [1,2,3][-2] }}",
  "{% for c in 'ab' %}{{ c }}.{% endfor %}",
  "{{ none == none }} {{ x == none }} {{ x is none }}",
  "{{ x is not defined }} {{ 1 is not string }}",
  "{% macro m(a=none) %}{{ a is none }}{% endmacro %}{{ m() }} {{ m(1) }}",
  "a\n{# c\nx #}\n  {%- if x -%}\r\n y {{- 'q\\'s\\n' -}} {% endif %}{{ 1.5 + 2 - -3 }}{{ x.0 }}{{ a===b }}{{ a!==b }}{{ 1. }}",
  "text { not a tag } {x}\n{{ {'a': {'b': 1}} }}",
  "{% raw %}{{ x }}{% endraw %} tail",
  "{{ \"dq\" }}\u00a0{{ x\u00a0}}",
  "{{ 12abc }}",
  "{#- c -#}x",
  "{",
  "abc {",
  "{{ 'unterminated"
];

describe('fast lexer', () => {
  it('matches the nunjucks scanner token for token on 83 templates', () => {
    for (const src of templates) expect(tokens(src, true), src).toEqual(tokens(src, false));
  });
  it('keeps {% raw %} working (the parser drives the scanner directly there)', () => {
    const src = 'a\n{% raw %}{{ x }}{% if %}{% endraw %}\n{{ 1 + 1 }}';
    expect(renderTemplate(env, compileTemplate(env, src, 'r.sql'), {}, 'r.sql')).toBe('a\n{{ x }}{% if %}\n2');
  });
  it('falls back to nunjucks for custom delimiters', () => {
    const t = lexer.lex('<< x >>', { tags: { variableStart: '<<', variableEnd: '>>' } });
    expect(t.nextToken()).toEqual({ type: 'variable-start', value: '<<', lineno: 0, colno: 0 });
  });
});
