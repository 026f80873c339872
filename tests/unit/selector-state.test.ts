import { describe, expect, it } from 'vitest';
import type { Manifest, ResourceType } from '../../src/contracts/manifest.js';
import { Dag } from '../../src/graph/dag.js';
import { selectNodes } from '../../src/graph/selector-eval.js';
import { ID, mediflowManifest, node } from './graph-manifest.js';

/** Previous (production) manifest vs a current one with a handful of known changes. */
function scenario() {
  const previous = mediflowManifest();
  const current = mediflowManifest();
  previous.macros = {
    'macro.mediflow.cents': { unique_id: 'macro.mediflow.cents', name: 'cents', package_name: 'mediflow', path: '', original_file_path: 'macros/cents.sql', macro_sql: '{{ x }} * 100', description: '', arguments: [], depends_on: { macros: [] }, line: 1 },
    'macro.mediflow.money': { unique_id: 'macro.mediflow.money', name: 'money', package_name: 'mediflow', path: '', original_file_path: 'macros/money.sql', macro_sql: '{{ cents(x) }}', description: '', arguments: [], depends_on: { macros: ['macro.mediflow.cents'] }, line: 1 },
  };
  current.macros = structuredClone(previous.macros);
  // body change
  current.nodes[ID.stgClaims].checksum = { name: 'sha256', checksum: 'changed' };
  // config change
  current.nodes[ID.martCosts].config = { ...current.nodes[ID.martCosts].config, materialized: 'view' };
  // relation change (configured schema)
  current.nodes[ID.snap].config = { ...current.nodes[ID.snap].config, schema: 'history' };
  // a macro two levels down changes; fct_claims calls money() which calls cents()
  current.nodes[ID.fctClaims].depends_on = { ...current.nodes[ID.fctClaims].depends_on, macros: ['macro.mediflow.money'] };
  previous.nodes[ID.fctClaims].depends_on = { ...previous.nodes[ID.fctClaims].depends_on, macros: ['macro.mediflow.money'] };
  current.macros['macro.mediflow.cents'].macro_sql = '{{ x }} * 100.0';
  // a new model
  const added = node('model', 'model.mediflow.mart_new', { file: 'models/marts/mart_new.sql', deps: [ID.dimPatient] });
  current.nodes[added.unique_id] = added;
  // the rendered schema differs for every node (dev vs prod target): not a modification
  for (const n of Object.values(current.nodes)) n.schema = 'dev_schema';
  return { previous, current, added: added.unique_id };
}

const run = (current: Manifest, previous: Manifest, select: string, resourceTypes: ResourceType[] = ['model', 'seed', 'snapshot']) =>
  [...selectNodes(current, Dag.fromManifest(current), { select: [select], state: previous, resourceTypes })].sort();
const ids = (...xs: string[]) => [...xs].sort();

describe('state: selection against a previous manifest', () => {
  const { previous, current, added } = scenario();

  it('state:modified finds body, config, relation, macro changes and new nodes', () => {
    expect(run(current, previous, 'state:modified')).toEqual(ids(ID.stgClaims, ID.martCosts, ID.snap, ID.fctClaims, added));
  });
  it('narrower checks', () => {
    expect(run(current, previous, 'state:new')).toEqual([added]);
    expect(run(current, previous, 'state:modified.body')).toEqual(ids(ID.stgClaims, added));
    expect(run(current, previous, 'state:modified.configs')).toEqual(ids(ID.martCosts, ID.snap, added));
    expect(run(current, previous, 'state:modified.relation')).toEqual(ids(ID.snap, added));
    expect(run(current, previous, 'state:modified.macros')).toEqual([ID.fctClaims]);
    expect(run(current, previous, 'state:unmodified', ['model'])).toEqual(ids(ID.stgBene, ID.dimPatient, ID.calendar));
  });
  it('state:modified+ and +state:modified+ follow the graph', () => {
    expect(run(current, previous, 'state:modified.body+')).toEqual(ids(ID.stgClaims, ID.fctClaims, ID.martCosts, added));
    expect(run(current, previous, '+state:modified.body+', ['model', 'seed'])).toEqual(ids(ID.stgClaims, ID.fctClaims, ID.martCosts, added, ID.dimPatient, ID.stgBene, ID.seedStates));
  });
  it('tests of modified nodes come along eagerly', () => {
    expect(run(current, previous, 'state:modified.body', ['test'])).toEqual([ID.tNotNull]);
  });
  it('identical manifests: nothing modified', () => {
    const same = mediflowManifest();
    expect(run(same, mediflowManifest(), 'state:modified')).toEqual([]);
    // key order in config does not count as a change
    const reordered = mediflowManifest();
    const c = reordered.nodes[ID.dimPatient].config;
    reordered.nodes[ID.dimPatient].config = Object.fromEntries(Object.entries(c).reverse()) as typeof c;
    expect(run(reordered, mediflowManifest(), 'state:modified')).toEqual([]);
  });
  it('sources: a changed identifier is modified', () => {
    const cur = mediflowManifest();
    cur.sources[ID.srcBene].identifier = 'beneficiary_v2';
    expect(run(cur, mediflowManifest(), 'state:modified', ['source'])).toEqual([ID.srcBene]);
  });
  it('rejects unknown state checks with a did-you-mean', () => {
    expect(() => run(current, previous, 'state:modifed')).toThrow('Did you mean "modified"?');
  });
});
