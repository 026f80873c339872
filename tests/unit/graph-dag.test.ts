import { describe, expect, it } from 'vitest';
import { Dag } from '../../src/graph/dag.js';
import { MflowError } from '../../src/errors.js';
import { ID, manifestOf, mediflowManifest, node } from './graph-manifest.js';

describe('Dag.fromManifest', () => {
  const dag = Dag.fromManifest(mediflowManifest());

  it('links sources and nodes parent -> child from depends_on.nodes, sorted', () => {
    expect(dag.parents(ID.dimPatient)).toEqual([ID.stgBene, ID.seedStates]);
    expect(dag.children(ID.dimPatient)).toEqual([ID.fctClaims, ID.tRel, ID.tUnique, ID.unit]);
    expect(dag.children(ID.srcClaims)).toEqual([ID.stgClaims, ID.tSource]);
    expect(dag.graph.hasEdge(ID.stgBene, ID.dimPatient)).toBe(true);
    // disabled nodes are not part of the graph
    expect(dag.has(ID.oldModel)).toBe(false);
    expect(dag.children(ID.fctClaims)).toEqual([ID.martCosts, ID.tRel]);
  });

  it('ancestors and descendants, with depth limits', () => {
    expect([...dag.ancestors(ID.fctClaims)].sort()).toEqual([ID.dimPatient, ID.stgBene, ID.stgClaims, ID.seedStates, ID.srcBene, ID.srcClaims].sort());
    expect([...dag.ancestors(ID.fctClaims, 1)].sort()).toEqual([ID.dimPatient, ID.stgClaims].sort());
    expect([...dag.descendants(ID.stgBene, 1)].sort()).toEqual([ID.dimPatient, ID.snap].sort());
    expect([...dag.descendants(ID.martCosts)].sort()).toEqual([ID.tSingular]);
    expect(dag.ancestors(ID.srcBene).size).toBe(0);
  });

  it('topoSort is deterministic, ties broken by unique_id', () => {
    const order = dag.topoSort();
    expect(order.length).toBe(dag.size);
    for (const id of order) for (const p of dag.parents(id)) expect(order.indexOf(p)).toBeLessThan(order.indexOf(id));
    // roots first in id order: the smallest ready id always goes next
    expect(order.slice(0, 4)).toEqual([ID.calendar, ID.seedStates, ID.srcBene, ID.stgBene]);
  });

  it('topoSort of a subset keeps order through nodes outside it', () => {
    // z_first depends on m_mid which depends on a_last: a_last < z_first although "z" > "a".
    const d = Dag.fromEdges(['a_last', 'm_mid', 'z_first', 'b_free'], [
      ['z_first', 'm_mid'],
      ['m_mid', 'a_last'],
    ]);
    expect(d.topoSort(new Set(['a_last', 'z_first', 'b_free']))).toEqual(['b_free', 'z_first', 'a_last']);
    expect(d.topoSort()).toEqual(['b_free', 'z_first', 'm_mid', 'a_last']);
  });
});

describe('Dag.assertAcyclic', () => {
  it('passes on a DAG', () => {
    expect(() => Dag.fromManifest(mediflowManifest()).assertAcyclic()).not.toThrow();
  });

  it('names the whole cycle in order, from its smallest id, with that node\'s file', () => {
    const m = manifestOf([
      node('model', 'model.p.root', {}),
      node('model', 'model.p.c', { deps: ['model.p.b', 'model.p.root'], file: 'models/c.sql' }),
      node('model', 'model.p.a', { deps: ['model.p.c'], file: 'models/a.sql' }),
      node('model', 'model.p.b', { deps: ['model.p.a'], file: 'models/b.sql' }),
      node('model', 'model.p.after', { deps: ['model.p.b'] }),
    ]);
    const dag = Dag.fromManifest(m);
    let err: unknown;
    try {
      dag.assertAcyclic();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MflowError);
    const e = err as MflowError;
    expect(e.code).toBe('REF_CYCLE');
    expect(e.message).toBe('Found a cycle: model.p.a -> model.p.b -> model.p.c -> model.p.a');
    expect(e.file).toBe('models/a.sql');
    expect(e.node).toBe('model.p.a');
    expect(() => dag.topoSort()).toThrow(/model\.p\.a -> model\.p\.b/);
  });

  it('reports a self reference', () => {
    const dag = Dag.fromEdges(['x'], [['x', 'x']], { x: 'models/x.sql' });
    expect(() => dag.assertAcyclic()).toThrow('Found a cycle: x -> x');
  });
});
