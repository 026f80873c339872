/**
 * Rendered output of Jinja2 constructs, each expected value taken from Jinja2 3.1.6 rendering the
 * same template and context (with the `do` and `loopcontrols` extensions, as dbt enables them).
 * The `tojson(...)` global is dbt's (json.dumps without sorting), not Jinja2's.
 */
import { describe, expect, it } from 'vitest';
import { compileTemplate, createJinjaEnvironment, renderTemplate } from '../../src/jinja/environment.js';

const env = createJinjaEnvironment();
const render = (src: string, ctx: Record<string, unknown> = {}) => renderTemplate(env, compileTemplate(env, src, 'models/t.sql'), ctx, 'models/t.sql');

describe('jinja compat: output matches Jinja2', () => {
  const cases: [string, string, Record<string, unknown>, string][] = [
    ["literals", "{{ True }} {{ False }} {{ None }} {{ None is none }} {{ x is none }} {{ flag }} {{ not flag }}", {"flag": true}, "True False None True False True False"],
    ["tuples-trailing-commas", "{{ (1,) }}|{{ () }}|{{ (1, 2,) }}|{{ [1, 2,] }}|{{ {'a': 1,} }}|{{ (1) }}|{{ ('a',) | length }}|{% for x in ('a',) %}{{ x }}{% endfor %}", {}, "(1,)|()|(1, 2)|[1, 2]|{'a': 1}|1|1|a"],
    ["cycler-joiner", "{% set c = cycler('a', 'b') %}{{ c.next() }}{{ c.next() }}{{ c.current }}{{ c.next() }}{% do c.reset() %}{{ c.next() }} {% set j = joiner() %}{% for x in [1, 2, 3] %}{{ j() }}{{ x }}{% endfor %} {% set k = joiner('|') %}{% for x in 'ab' %}{{ k() }}{{ x }}{% endfor %}", {}, "abaaa 1, 2, 3 a|b"],
    ["compare", "{{ True == true }} {% if None %}a{% else %}b{% endif %} {{ 1 if True else 2 }}", {}, "True b 1"],
    ["do", "{% set l = [1] %}{% do l.append(2) %}{% do l.extend([3, 4]) %}{{ l }} {{ l.pop() }} {{ l }}", {}, "[1, 2, 3, 4] 4 [1, 2, 3]"],
    ["namespace", "{% set ns = namespace(total=0, found=false) %}{% for i in [1,2,3] %}{% set ns.total = ns.total + i %}{% if i == 2 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.total }} {{ ns.found }}", {}, "6 True"],
    ["for-scope", "{% set x = 0 %}{% for i in [1,2,3] %}{% set x = i %}[{{ x }}]{% endfor %}{{ x }}", {}, "[1][2][3]0"],
    ["for-scope-if", "{% set x = 'out' %}{% for i in [1,2] %}{% if i == 2 %}{% set x = 'in' %}{% endif %}{{ x }},{% endfor %}{{ x }}", {}, "out,in,out"],
    ["for-if", "{% for x in xs if x > 1 %}{{ loop.index }}:{{ x }}/{{ loop.length }} {% endfor %}", {"xs": [1, 2, 3, 0, 5]}, "1:2/3 2:3/3 3:5/3 "],
    ["for-if-else", "{% for x in xs if x > 10 %}{{ x }}{% else %}none{% endfor %}", {"xs": [1, 2]}, "none"],
    ["cycle", "{% for x in 'abc' %}{{ loop.cycle('odd', 'even') }}{{ loop.first }}{{ loop.last }} {% endfor %}", {}, "oddTrueFalse evenFalseFalse oddFalseTrue "],
    ["break", "{% for x in range(10) %}{% if x == 3 %}{% break %}{% endif %}{% if x == 1 %}{% continue %}{% endif %}{{ x }}{% endfor %}", {}, "02"],
    ["dict-loop", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for k in d %}{{ k }}{% endfor %}", {"d": {"a": 1, "b": 2}}, "a=1;b=2;ab"],
    ["str-methods", "{{ s.upper() }}|{{ s.lower() }}|{{ s.strip() }}|{{ s.lstrip() }}|{{ s.rstrip() }}|{{ s.split() }}|{{ 'a,b,,c'.split(',') }}|{{ 'a,b,c'.split(',', 1) }}", {"s": "  Hello World  "}, "  HELLO WORLD  |  hello world  |Hello World|Hello World  |  Hello World|['Hello', 'World']|['a', 'b', '', 'c']|['a', 'b,c']"],
    ["str-methods2", "{{ 'aaa'.replace('a', 'b') }}|{{ 'aaa'.replace('a','b',2) }}|{{ 'abc'.startswith('ab') }}|{{ 'abc'.endswith(('x','c')) }}|{{ '{} and {name}'.format(1, name='n') }}|{{ 'hello world'.title() }}|{{ 'hELLO'.capitalize() }}|{{ ', '.join(['a','b']) }}", {}, "bbb|bba|True|True|1 and n|Hello World|Hello|a, b"],
    ["str-format-spec", "{{ '{:>5}|{:<4}|{:^6}|{:.2f}|{:05d}|{:,}'.format('ab', 'c', 'mid', 3.14159, 42, 1234567) }}", {}, "   ab|c   | mid  |3.14|00042|1,234,567"],
    ["dict-methods", "{% set d = {'a': 1} %}{{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 5) }} {{ d.keys() | list }} {{ d.values() | list }}{% do d.update({'b': 2}) %} {{ d }} {{ d.items() | list }}", {}, "1 None 5 ['a'] [1] {'a': 1, 'b': 2} [('a', 1), ('b', 2)]"],
    ["tojson", "{{ {'b': 1, 'a': [1, 'x', None, True]} | tojson }} {{ \"it's <b>\" | tojson }} {{ tojson({'b': 1, 'a': 2}) }}", {}, "{\"a\": [1, \"x\", null, true], \"b\": 1} \"it\\u0027s \\u003cb\\u003e\" {\"b\": 1, \"a\": 2}"],
    ["map", "{{ users | map(attribute='name') | join(',') }} {{ ['a','b'] | map('upper') | list }} {{ users | map(attribute='age', default=0) | list }}", {"users": [{"name": "x", "age": 3}, {"name": "y"}]}, "x,y ['A', 'B'] [3, 0]"],
    ["unique-min-max", "{{ [3, 1, 3, 2] | unique | list }} {{ ['A', 'a', 'b'] | unique | list }} {{ [3,1,2] | min }} {{ [3,1,2] | max }} {{ users | max(attribute='age') }}", {"users": [{"name": "x", "age": 3}, {"name": "y", "age": 9}]}, "[3, 1, 2] ['A', 'b'] 1 3 {'name': 'y', 'age': 9}"],
    ["format-filter", "{{ '%s-%s' | format('a', 1) }} {{ 'abc' | list }} {{ 12 | string }} {{ {'a': 1} | items | list }}", {}, "a-1 ['a', 'b', 'c'] 12 [('a', 1)]"],
    ["select", "{{ [1,2,3,4] | select('odd') | list }} {{ [1,2,3,4] | reject('odd') | list }} {{ [0, 1, '', 'a'] | select | list }} {{ users | selectattr('age', 'gt', 4) | map(attribute='name') | list }}", {"users": [{"name": "x", "age": 3}, {"name": "y", "age": 9}]}, "[1, 3] [2, 4] [1, 'a'] ['y']"],
    ["varargs", "{% macro m(a, b=2) %}{{ a }}-{{ b }}-{{ varargs }}-{{ kwargs }}{% endmacro %}{{ m(1) }}|{{ m(1, 3, 4, 5) }}|{{ m(1, c=9) }}|{{ m(b=7, a=0) }}", {}, "1-2-()-{}|1-3-(4, 5)-{}|1-2-()-{'c': 9}|0-7-()-{}"],
    ["slices", "{{ xs[1:] }} {{ xs[:-1] }} {{ xs[::2] }} {{ xs[::-1] }} {{ 'hello'[1:3] }} {{ xs[-1] }} {{ 'abc'[-1] }}", {"xs": [1, 2, 3, 4, 5]}, "[2, 3, 4, 5] [1, 2, 3, 4] [1, 3, 5] [5, 4, 3, 2, 1] el 5 c"],
    ["ops", "{{ '-' * 3 }} {{ 3 * 'ab' }} {{ '%s!' % x }} {{ '%s and %d' % ('a', 3) }} {{ '%r' % 'q' }} {{ '%05.1f' % 3.14159 }} {{ -7 % 3 }} {{ [1] + [2] }} {{ 'a' ~ None ~ True }}", {"x": "hi"}, "--- ababab hi! a and 3 'q' 003.1 2 [1, 2] aNoneTrue"],
    ["nested-dict", "{% set d = {'a': {'b': 1}} %}{{ d.a.b }} {{ {'x': {'y': 2}}.x.y }}", {}, "1 2"],
    ["tuple-set", "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set c, d = [3, 4] %}{{ c }}{{ d }}", {}, "1234"],
    ["with", "{% set x = 1 %}{% with x = 2, y = 3 %}{{ x }}{{ y }}{% endwith %}{{ x }}", {}, "231"],
    ["filter-set", "{% set s | upper %}abc{% endset %}{{ s }}", {}, "ABC"],
    ["caller", "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}inner{% endcall %}", {}, "<b>inner</b>"],
    ["list-print", "{{ ['a', 1, None] }} {{ {'k': 'v'} }} {{ [] }} {% if [] %}t{% else %}f{% endif %} {% if {} %}t{% else %}f{% endif %}", {}, "['a', 1, None] {'k': 'v'} [] f f"],
    ["join-bool", "{{ [True, None, 1] | join(',') }}", {}, "True,None,1"],
    ["truthy-not", "{{ not [] }} {{ not [1] }}", {}, "True False"],
    ["loop-macro-shadow", "{% macro m(a) %}{% for i in [1,2] %}{% set a = i %}{{ a }}{% endfor %}{{ a }}{% endmacro %}{{ m(9) }}", {}, "129"],
    ["defaults-ref", "{% macro m(a, b=a ~ '!') %}{{ b }}{% endmacro %}{{ m('x') }} {{ m('x', None) }}", {}, "x! None"],
    ["is-tests", "{{ 1 is integer }} {{ 1.5 is float }} {{ True is boolean }} {{ 'a' is in ['a'] }} {{ x is defined }} {{ y is undefined }} {{ {} is mapping }}", {"x": 1}, "True True True True True True True"],
    ["loop-vars", "{% for x in [5,6,7] %}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.previtem }}{{ loop.nextitem }},{% endfor %}", {}, "0326,12157,2106,"],
    ["percent-dict", "{{ '%(a)s=%(b)d' % {'a': 'x', 'b': 2} }}", {}, "x=2"],
    ["ws-control", "a\n{%- if true %}\n b {{- ' c' }}\n{% endif -%}\nd", {}, "a\n b c\nd"],
    ["string-rsplit", "{{ 'a.b.c'.rsplit('.', 1) }} {{ 'ab'.zfill(4) }} {{ 'x'.center(5, '*') }} {{ 'abc'.find('c') }} {{ 'a-b'.partition('-') }} {{ 'Ab1'.isalnum() }} {{ 'a b'.count(' ') }}", {}, "['a.b', 'c'] 00ab **x** 2 ('a', '-', 'b') True 1"],
    ["is-tests2", "{{ 4 is divisibleby 2 }} {{ x is not none }} {{ None is none }} {{ x is sameas 1 }} {{ 3 is in [1, 3] and true }}", {"x": 1}, "True True True True True"],
    ["block-set-loop", "{% for i in [1,2] %}{% set s %}v{{ i }}{% endset %}{{ s }}{% endfor %}", {}, "v1v2"],
    ["default-none", "{{ x | default('d') }} {{ y | default('d') }} {{ none | default('d', true) }}", {"x": null}, "None d d"],
    ["range-list", "{{ range(3) | list }} {{ range(1, 7, 2) | list }}", {}, "[0, 1, 2] [1, 3, 5]"],
    ["item-values-key", "{{ d['values'] }} {{ d.values() | list }}", {"d": {"values": [1, 2]}}, "[1, 2] [[1, 2]]"],
    ["changed", "{% for x in [1,1,2,2,3] %}{% if loop.changed(x) %}{{ x }}{% endif %}{% endfor %}", {}, "123"],
    ["arith", "{{ 10 / 4 }} {{ 10 // 4 }} {{ 2 ** 3 }} {{ '3' | int + 1 }} {{ 7 % 3 }}", {}, "2.5 2 8 4 1"],
    ["sort", "{{ [3,1,2] | sort }} {{ [3,1,2] | sort(reverse=true) }} {{ users | sort(attribute='age') | map(attribute='n') | join }}", {"users": [{"n": "b", "age": 9}, {"n": "a", "age": 3}]}, "[1, 2, 3] [3, 2, 1] ab"],
    ["length", "{{ {'a': 1, 'b': 2} | length }} {{ 'abc' | length }} {{ [1] | count }}", {}, "2 3 1"],
    ["in-op", "{{ 'a' in ['a','b'] }} {{ 'x' in 'xyz' }} {{ 'k' in {'k': 1} }} {{ 'z' not in 'abc' }}", {}, "True True True True"],
    ["lowercase-literals", "{{ none }} {{ true }} {{ false }}", {}, "None True False"],
    ["inline-if-no-else", "[{{ 'a' if false }}]", {}, "[]"],
    ["call-with-args", "{% macro m() %}{{ caller('arg') }}{% endmacro %}{% call(x) m() %}[{{ x }}]{% endcall %}", {}, "[arg]"],
    ["first-last-sum", "{{ [1,2,3] | first }} {{ [1,2,3] | last }} {{ [1,2,3] | sum }} {{ -3 | abs }} {{ 3.14159 | round(2) }}", {}, "1 3 6 3 3.14"],
    ["mutate-in-loop", "{% set l = [] %}{% for i in range(3) %}{% do l.append(i) %}{% endfor %}{{ l }}", {}, "[0, 1, 2]"],
    ["splat", "{% macro m(a, b, c=3) %}{{ a }}{{ b }}{{ c }}{% endmacro %}{% set args = [1, 2] %}{% set kw = {'c': 9} %}{{ m(*args) }} {{ m(*args, **kw) }} {{ m(0, **{'b': 5}) }}", {}, "123 129 053"],
    ["dict-global", "{{ dict(a=1, b='x') }}", {}, "{'a': 1, 'b': 'x'}"],
    ["string-compare", "{{ 'a' < 'b' }} {{ 'abc' == 'abc' }} {{ 1 != 2 }}", {}, "True True True"],
    ["nested-loop-scope", "{% set total = 0 %}{% for a in [1,2] %}{% for b in [3,4] %}{% set total = total + a * b %}{% endfor %}{{ total }}{% endfor %}{{ total }}", {}, "000"],
    ["loop-in-macro-ns", "{% macro m(xs) %}{% set ns = namespace(n=0) %}{% for x in xs %}{% set ns.n = ns.n + x %}{% endfor %}{{ ns.n }}{% endmacro %}{{ m([1, 2, 3]) }}", {}, "6"],
    ["set-after-loop", "{% for i in [1] %}{% set inner = 'x' %}{% endfor %}[{{ inner }}]", {}, "[]"],
    ["if-set-leaks", "{% if true %}{% set y = 'yes' %}{% endif %}{{ y }}", {}, "yes"],
    ["replace-filter", "{{ 'a b c' | replace(' ', '_') }} {{ 'Hello' | lower }} {{ '  x ' | trim }} {{ 'ab' | upper }}", {}, "a_b_c hello x AB"],
    ["concat-num", "{{ 'a' ~ 1 ~ 2.5 }}", {}, "a12.5"],
    ["dictsort", "{% for k, v in {'b': 1, 'a': 2} | dictsort %}{{ k }}{{ v }}{% endfor %}", {}, "a2b1"],
    ["tuple-literal", "{% set t = ('a', 'b') %}{{ t }} {{ t[0] }} {{ t | length }}", {}, "('a', 'b') a 2"],
    ["unpack-loop-tuples", "{% for a, b in [(1, 2), (3, 4)] %}{{ a + b }}{% endfor %}", {}, "37"],
    ["filter-chain-map-int", "{{ ['1','2'] | map('int') | sum }}", {}, "3"],
    ["selectattr-eq", "{{ users | selectattr('n', 'equalto', 'a') | list | length }} {{ users | rejectattr('age') | list }}", {"users": [{"n": "b", "age": 9}, {"n": "a", "age": 0}]}, "1 [{'n': 'a', 'age': 0}]"],
    ["join-attr", "{{ users | join(', ', attribute='n') }}", {"users": [{"n": "b"}, {"n": "a"}]}, "b, a"],
    ["bool-ops", "{{ true and 'x' }} {{ false or 'y' }} {{ not none }}", {}, "x y True"],
    ["neg-index", "{{ [1,2,3][-2] }}", {}, "2"],
    ["string-iter", "{% for c in 'ab' %}{{ c }}.{% endfor %}", {}, "a.b."],
    ["none-compare", "{{ none == none }} {{ x == none }} {{ x is none }}", {"x": null}, "True True True"],
    ["is-not", "{{ x is not defined }} {{ 1 is not string }}", {}, "True True"],
    ["macro-default-none", "{% macro m(a=none) %}{{ a is none }}{% endmacro %}{{ m() }} {{ m(1) }}", {}, "True False"],
    ["trailing-newline", "select 1\n", {}, "select 1"],
    ["trailing-newline-two", "select 1\n\n", {}, "select 1\n"],
    ["equality", "{{ [1,2] == [1,2] }} {{ {'a':1} == {'a':1} }} {{ 1 == 1.0 }} {{ '1' == 1 }} {{ True == 1 }} {{ [1] != [2] }} {{ none == none }}", {}, "True True True False True True True"],
    ["compare-chain", "{{ 1 < 2 < 3 }} {{ 3 > 2 > 1 }} {{ 1 < 3 < 2 }} {{ x < 5 }}", {"x": 2}, "True True False True"],
    ["raw", "a{% raw %}{{ x }}{% endraw %}b", {}, "a{{ x }}b"],
    ["macro-string-compare", "{% macro m() %}abc{% endmacro %}{{ m() == 'abc' }} {{ m() | length }}", {}, "True 3"],
    ["if-kwargs-in", "{% macro m() %}{{ 'x' in kwargs }}{% endmacro %}{{ m(x=1) }}{{ m() }}", {}, "TrueFalse"],
    ["set-in-macro-no-leak", "{% set v = 'top' %}{% macro m() %}{% set v = 'inner' %}{{ v }}{% endmacro %}{{ m() }}{{ v }}", {}, "innertop"],
    ["loop-index-nested", "{% for a in [1,2] %}{% for b in [1,2] %}{{ loop.index }}{% endfor %}{{ loop.index }};{% endfor %}", {}, "121;122;"],
    ["filter-block", "{% filter upper %}abc{{ 'd' }}{% endfilter %}", {}, "ABCD"],
    ["string-escapes", "{{ 'a\\'b' }} {{ \"q\\\"q\" }} {{ 'tab\\there' }}", {}, "a'b q\"q tab\there"],
    ["concat-list-join", "{{ (['a'] + ['b']) | join('-') }}", {}, "a-b"],
    ["ns-in-nested-loops", "{% set ns = namespace(items=[]) %}{% for a in [1,2] %}{% for b in ['x'] %}{% do ns.items.append(a ~ b) %}{% endfor %}{% endfor %}{{ ns.items | join(',') }}", {}, "1x,2x"],
    ["default-filter-undefined-attr", "{{ d.missing | default('dflt') }}", {"d": {}}, "dflt"],
    ["int-float-filters", "{{ '42' | int }} {{ 'x' | int }} {{ '3.5' | float }} {{ 3.7 | int }}", {}, "42 0 3.5 3"],
    ["wordwrap-free-trim", "{{ '  a  ' | trim }}|{{ 'xxaxx' | trim('x') }}", {}, "a|a"],
    ["and-or-values", "{{ [] or 'x' }} {{ [1] or 'x' }} {{ [] and 'y' }} {{ 'a' and 'b' }} {{ none or {} or 'z' }} {{ (0 or []) | length }} {{ 1 and 2 and 3 }}", {}, "x [1] [] b z 0 3"],
    ["loop-iteration-scope", "{% for i in [1,2] %}[{{ x | default('u') }}]{% set x = i %}{% endfor %}{% set y = 'o' %}{% for i in [1,2] %}[{{ y }}]{% set y = i %}{% endfor %}{{ y }}", {}, "[u][u][o][o]o"],
    ["groupby", "{% for g in users | groupby('city') %}{{ g.grouper }}:{{ g.list | map(attribute='n') | join(',') }};{% endfor %}{% for city, items in users | groupby('city') %}{{ city }}={{ items | length }} {% endfor %}|{{ (users | groupby('city'))[0][0] }}", {"users": [{"n": "a", "city": "Y"}, {"n": "b", "city": "X"}, {"n": "c", "city": "Y"}]}, "X:b;Y:a,c;X=1 Y=2 |X"],
    ["plus-whitespace-overrides", "a\n    {%+ if true %}x{% endif +%}\nb", {}, "a\n    x\nb"],
  ];
  for (const [name, src, ctx, expected] of cases) {
    it(name, () => {
      expect(render(src, ctx)).toBe(expected);
    });
  }
});

describe('jinja compat: dbt additions', () => {
  it('as_text, as_bool, as_number, as_native convert as dbt does', () => {
    expect(render("{{ 'True' | as_bool }} {{ true | as_bool }} {{ '42' | as_number + 1 }} {{ 7 | as_text }} {{ \"['a', 1]\" | as_native }} {{ '{\"k\": None}' | as_native }}")).toBe(
      "True True 43 7 ['a', 1] {'k': None}",
    );
  });
  it('as_bool and as_number refuse values of the wrong type', () => {
    expect(() => render("{{ 'maybe' | as_bool }}")).toThrow("as_bool: expected a boolean, got 'maybe'");
    expect(() => render("{{ 'x1' | as_number }}")).toThrow("as_number: expected a number, got 'x1'");
  });
  it('booleans and None from env globals print as Python', () => {
    const env2 = createJinjaEnvironment();
    env2.addGlobal('flag', false);
    env2.addGlobal('nothing', null);
    env2.addGlobal('cfg', { on: true, tags: ['a'] });
    expect(renderTemplate(env2, compileTemplate(env2, '{{ flag }} {{ nothing }} {{ cfg.on }} {{ cfg }} {{ nothing is none }}', 'g.sql'), {}, 'g.sql')).toBe(
      "False None True {'on': True, 'tags': ['a']} True",
    );
  });
});
