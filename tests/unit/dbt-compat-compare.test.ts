import { describe, expect, test } from 'vitest';
import { compareRuns, randomDescendants } from '../dbt-compat/compare.js';
import type { NodeOutcome, ToolRun } from '../dbt-compat/integration.js';

type Node = { key: string; compiled?: string; parents?: string[]; status: string };

/** A run as readRun builds it, from a few nodes. */
function run(nodes: Node[]): ToolRun {
  const id = (k: string) => `${k.split(':')[0]}.p.${k.split('.')[1]}`;
  const r: ToolRun = { ok: true, log: '', outcomes: new Map<string, NodeOutcome>(), nodes: new Map() };
  for (const n of nodes) {
    r.nodes.set(n.key, { unique_id: id(n.key), compiled: n.compiled, relation_name: null, resource_type: n.key.split(':')[0], depends_on: (n.parents ?? []).map(id) });
    r.outcomes.set(n.key, { key: n.key, unique_id: id(n.key), status: n.status, message: null, parents: n.parents ?? [] });
  }
  return r;
}

describe('compareRuns', () => {
  const dbt = run([
    { key: 'model:p.base', compiled: 'select 1 as d', status: 'success' },
    { key: 'model:p.series', compiled: 'select d, 100 * abs(rand()) as v from base', parents: ['model:p.base'], status: 'success' },
    { key: 'test:p.stdevs', compiled: 'select * from series', parents: ['model:p.series'], status: 'pass' },
    { key: 'test:p.unique', compiled: 'select * from base', parents: ['model:p.base'], status: 'pass' },
  ]);

  test('a model calling random() and what reads it are random; its parents are not', () => {
    expect([...randomDescendants(dbt)].sort()).toEqual(['model:p.series', 'test:p.stdevs']);
  });

  test('a warn over random rows is told apart; a warn over fixed rows and an error over random rows stay missing', () => {
    const mflow = run([
      { key: 'model:p.base', status: 'success' },
      { key: 'model:p.series', parents: ['model:p.base'], status: 'success' },
      { key: 'test:p.stdevs', parents: ['model:p.series'], status: 'warn' },
      { key: 'test:p.unique', parents: ['model:p.base'], status: 'warn' },
    ]);
    const c = compareRuns(dbt, mflow, {});
    expect(c.randomMissing).toEqual(['test:p.stdevs']);
    expect(c.missing.map((m) => m.key)).toEqual(['test:p.unique']);
    mflow.outcomes.get('test:p.stdevs')!.status = 'error';
    expect(compareRuns(dbt, mflow, {}).missing.map((m) => m.key)).toEqual(['test:p.stdevs', 'test:p.unique']);
  });
});
