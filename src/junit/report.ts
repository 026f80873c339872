import type { Manifest } from '../contracts/manifest.js';
import type { NodeResult } from '../contracts/results.js';
import { writeAtomic } from '../artifacts/write.js';

/**
 * A JUnit XML report of one invocation, the format CI systems (GitHub, GitLab, Jenkins) show as
 * test results: one testsuite, one testcase per node (models and seeds too, so a model that failed
 * to build is visible next to the tests it skipped). Data-test failures carry the failing-row count.
 */
export interface JunitOptions {
  /** The command, for the suite name (`mflow build`). */
  which: string;
  elapsed: number;
  timestamp?: Date;
}

export function junitXml(results: NodeResult[], manifest: Manifest, o: JunitOptions): string {
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  const cases: string[] = [];
  for (const r of results) {
    const n = manifest.nodes[r.unique_id];
    const type = n?.resource_type ?? r.unique_id.split('.')[0];
    const name = n ? (type === 'unit_test' ? `${n.attached_node?.split('.').pop()}::${n.name}` : n.name) : r.unique_id;
    const classname = n ? [type, ...n.fqn.slice(0, -1)].join('.') : type;
    const attrs = `classname="${esc(classname)}" name="${esc(name)}" time="${r.execution_time.toFixed(3)}"${n ? ` file="${esc(n.original_file_path)}"` : ''}`;
    const message = r.message ?? '';
    const firstLine = message.split('\n').find((l) => /Got \d+ result|failed|error/i.test(l))?.trim() ?? message.split('\n')[0] ?? '';
    let body = '';
    if (r.status === 'fail') {
      failures++;
      const count = r.failures ?? 0;
      const what = type === 'unit_test' ? `${count} row${count === 1 ? '' : 's'} differ` : `${count} failing row${count === 1 ? '' : 's'}`;
      body = `\n      <failure type="${esc(type)}" message="${esc(`${what}: ${firstLine}`)}">${escText(message)}</failure>\n    `;
    } else if (r.status === 'error' || r.status === 'runtime error') {
      errors++;
      body = `\n      <error type="${esc(r.status)}" message="${esc(firstLine)}">${escText(message)}</error>\n    `;
    } else if (r.status === 'skipped') {
      skipped++;
      body = `\n      <skipped message="${esc(message)}"/>\n    `;
    } else if (r.status === 'warn') {
      body = `\n      <system-out>${escText(`WARN: ${message}`)}</system-out>\n    `;
    }
    cases.push(`    <testcase ${attrs}${body ? `>${body}</testcase>` : '/>'}`);
  }
  const totals = `tests="${results.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${o.elapsed.toFixed(3)}"`;
  const ts = (o.timestamp ?? new Date()).toISOString().slice(0, 19);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="mflow" ${totals}>`,
    `  <testsuite name="mflow ${esc(o.which)}" ${totals} timestamp="${ts}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export function writeJunitXml(path: string, results: NodeResult[], manifest: Manifest, o: JunitOptions): void {
  writeAtomic(path, junitXml(results, manifest, o));
}

/** XML 1.0 escaping for element text; characters XML cannot hold at all (most C0 controls, ANSI colour codes) are dropped. */
export function escText(s: string): string {
  return s
    .replace(/\u001b\[[0-9;]*m/g, '')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Attribute values: also quotes, and line breaks kept as character references (parsers fold raw ones to spaces). */
export function esc(s: string): string {
  return escText(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}
