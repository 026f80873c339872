import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build, test } from '../../src/api.js';
import { main } from '../../src/cli/main.js';
import { esc, escText } from '../../src/junit/report.js';
import { makeProject } from './helpers.js';

interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

/** A strict little XML reader: fails on unbalanced tags, bad attributes or stray '<' / '&'. */
function parseXml(xml: string): El {
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/;
  if (!decl.test(xml)) throw new Error('missing XML declaration');
  const src = xml.replace(decl, '');
  const root: El = { name: '#root', attrs: {}, children: [], text: '' };
  const stack: El[] = [root];
  const ent = (s: string) => {
    if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(s)) throw new Error(`bad entity in ${s.slice(0, 40)}`);
    return s.replace(/&#(\d+);/g, (_, d) => String.fromCharCode(Number(d))).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  };
  const re = /<(\/?)([A-Za-z][\w-]*)((?:\s+[\w-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(src))) {
    pos = re.lastIndex;
    if (m[5] !== undefined) {
      stack[stack.length - 1].text += ent(m[5]);
      continue;
    }
    if (m[1]) {
      const open = stack.pop()!;
      if (open.name !== m[2]) throw new Error(`</${m[2]}> closes <${open.name}>`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of m[3].matchAll(/([\w-]+)="([^"]*)"/g)) attrs[a[1]] = ent(a[2]);
    const el: El = { name: m[2], attrs, children: [], text: '' };
    stack[stack.length - 1].children.push(el);
    if (!m[4]) stack.push(el);
  }
  if (pos !== src.length) throw new Error(`unparsable XML at ${src.slice(pos, pos + 40)}`);
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  return root.children[0];
}

const project = {
  'models/stg.sql': "select * from (values (1, 'a<b & \"c\"'), (1, 'x')) t(id, note)",
  'models/mart.sql': "select * from {{ ref('stg') }}",
  'models/schema.yml': `version: 2
models:
  - name: stg
    columns:
      - name: id
        data_tests: [unique, not_null]
      - name: note
        data_tests:
          - accepted_values:
              values: ['x']
              config: { severity: warn }
unit_tests:
  - name: keeps_rows
    model: mart
    given:
      - input: ref('stg')
        rows: [{id: 1, note: n}]
    expect:
      rows: [{id: 1, note: n}]
`,
};

describe('JUnit XML report', () => {
  it('has one testcase per node with failures, skips and counts that match', async () => {
    const p = makeProject(project);
    const path = join(p.dir, 'reports/junit.xml');
    const r = await build({ projectDir: p.dir, console: p.console, junitXml: path });
    const suites = parseXml(readFileSync(path, 'utf8'));
    expect(suites.name).toBe('testsuites');
    expect(suites.children).toHaveLength(1);
    const suite = suites.children[0];
    expect(r.results).toHaveLength(6);
    expect(suite.attrs).toMatchObject({ name: 'mflow build', tests: '6', failures: '1', errors: '0', skipped: '1' });
    expect(suites.attrs).toMatchObject({ tests: '6', failures: '1', errors: '0', skipped: '1' });
    expect(suite.children.map((c) => c.name)).toEqual(Array(r.results.length).fill('testcase'));
    const byName = Object.fromEntries(suite.children.map((c) => [c.attrs.name, c]));
    expect(Object.keys(byName).sort()).toEqual(['accepted_values_stg_note__x', 'mart', 'mart::keeps_rows', 'not_null_stg_id', 'stg', 'unique_stg_id']);
    const failed = byName.unique_stg_id.children[0];
    expect(failed.name).toBe('failure');
    expect(failed.attrs.message).toBe('1 failing row: Got 1 result, configured to fail if != 0');
    expect(failed.text).toContain('compiled code at target/compiled/fn/models/unique_stg_id.sql');
    expect(byName.unique_stg_id.attrs).toMatchObject({ classname: 'test.fn', file: 'models/schema.yml' });
    expect(byName.mart.children[0]).toMatchObject({ name: 'skipped', attrs: { message: "skipped because test 'unique_stg_id' failed" } });
    expect(byName.stg.children).toEqual([]);
    expect(byName.stg.attrs.classname).toBe('model.fn');
    expect(byName.accepted_values_stg_note__x.children[0].name).toBe('system-out');
    expect(byName.accepted_values_stg_note__x.children[0].text).toContain('WARN: Warning in test accepted_values_stg_note__x');
    expect(byName['mart::keeps_rows'].children).toEqual([]);
  });

  it('is written by mflow test --junit-xml from the CLI, with the exit code of the run', async () => {
    const p = makeProject(project);
    await build({ projectDir: p.dir, console: p.console, exclude: ['test_type:data'] });
    const path = join(p.dir, 'junit.xml');
    const code = await main(['node', 'mflow', 'test', '--project-dir', p.dir, '--log-format', 'json', '--junit-xml', path, '-s', 'test_type:unit']);
    expect(code).toBe(0);
    const suite = parseXml(readFileSync(path, 'utf8')).children[0];
    expect(suite.attrs).toMatchObject({ name: 'mflow test', tests: '1', failures: '0', errors: '0', skipped: '0' });
    expect(suite.children[0].attrs).toMatchObject({ name: 'mart::keeps_rows', classname: 'unit_test.fn.mart', file: 'models/schema.yml' });
    const r = await test({ projectDir: p.dir, console: p.console, junitXml: path, select: ['stg'] });
    expect(r.ok).toBe(false);
    expect(parseXml(readFileSync(path, 'utf8')).children[0].attrs).toMatchObject({ failures: '1' });
  });

  it('escapes what XML cannot hold raw', () => {
    expect(esc('a<b & "c" \'d\'\nline')).toBe('a&lt;b &amp; &quot;c&quot; &apos;d&apos;&#10;line');
    expect(escText('\u001b[31mred\u001b[0m <x>\u0001')).toBe('red &lt;x&gt;');
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<a m="${esc('1 < 2 & "q"\n')}">${escText('<b>&</b>')}</a>`;
    const el = parseXml(xml);
    expect(el.attrs.m).toBe('1 < 2 & "q"\n');
    expect(el.text).toBe('<b>&</b>');
  });
});
