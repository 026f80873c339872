import { describe, expect, it } from 'vitest';
import type { ResourceType } from '../../src/contracts/manifest.js';
import { Dag } from '../../src/graph/dag.js';
import { selectNodes, selectNodesDetailed, type SelectArgs } from '../../src/graph/selector-eval.js';
import { MflowError } from '../../src/errors.js';
import { ID, manifestOf, mediflowManifest, node } from './graph-manifest.js';

const manifest = mediflowManifest();
const dag = Dag.fromManifest(manifest);
const sel = (select: string | string[] | undefined, more: Partial<SelectArgs> = {}) =>
  [...selectNodes(manifest, dag, { select: select === undefined ? undefined : Array.isArray(select) ? select : [select], ...more })].sort();
const ids = (...xs: string[]) => [...xs].sort();
const MODELS: ResourceType[] = ['model'];

describe('default selection', () => {
  it('is every enabled node and source', () => {
    const all = Object.values(ID).filter((id) => id !== ID.oldModel);
    expect(sel(undefined)).toEqual(ids(...all));
  });
  it('keeps only the requested resource types', () => {
    expect(sel(undefined, { resourceTypes: MODELS })).toEqual(ids(ID.stgBene, ID.stgClaims, ID.dimPatient, ID.fctClaims, ID.martCosts, ID.calendar));
    expect(sel(undefined, { resourceTypes: ['seed', 'snapshot'] })).toEqual(ids(ID.seedStates, ID.snap));
  });
  it('without a selector, node types only (no index is built), gives what unique_id:* gives', () => {
    for (const types of [['model', 'test', 'snapshot', 'analysis', 'seed', 'unit_test'], ['test'], ['unit_test', 'model']] as ResourceType[][]) {
      expect(sel(undefined, { resourceTypes: types }), types.join()).toEqual(sel('unique_id:*', { resourceTypes: types }));
      expect(sel([' '], { resourceTypes: types, exclude: [''] })).toEqual(sel('unique_id:*', { resourceTypes: types }));
    }
    expect(sel(undefined, { resourceTypes: ['model'] })).not.toContain(ID.oldModel);
  });
});

describe('names and graph operators', () => {
  it('bare name selects the node and, eagerly, the tests on it', () => {
    expect(sel('dim_patient')).toEqual(ids(ID.dimPatient, ID.tUnique, ID.tRel, ID.unit));
    expect(sel('dim_patient', { resourceTypes: MODELS })).toEqual([ID.dimPatient]);
    expect(sel('state_codes')).toEqual([ID.seedStates]);
    expect(sel('snap_patient')).toEqual([ID.snap]);
  });
  it('a disabled node is never selected', () => {
    expect(sel('old_model')).toEqual([]);
    expect(sel('fct_claims+', { resourceTypes: MODELS })).toEqual(ids(ID.fctClaims, ID.martCosts));
  });
  it('path-like fqn and package names', () => {
    expect(sel('staging.stg_claims')).toEqual(ids(ID.stgClaims, ID.tNotNull));
    expect(sel('mediflow.staging.stg_claims')).toEqual(ids(ID.stgClaims, ID.tNotNull));
    expect(sel('utils')).toEqual([ID.calendar]);
    expect(sel('mediflow.core')).toEqual(ids(ID.dimPatient, ID.fctClaims, ID.tUnique, ID.tRel, ID.unit));
  });
  it('name+ selects all descendants', () => {
    expect(sel('dim_patient+')).toEqual(ids(ID.dimPatient, ID.fctClaims, ID.martCosts, ID.tUnique, ID.tRel, ID.unit, ID.tSingular));
  });
  it('+name selects all ancestors, sources included', () => {
    expect(sel('+dim_patient')).toEqual(ids(ID.dimPatient, ID.stgBene, ID.seedStates, ID.srcBene, ID.tUnique, ID.tRel, ID.unit));
  });
  it('N+name and name+N limit the generations', () => {
    expect(sel('1+fct_claims', { resourceTypes: MODELS })).toEqual(ids(ID.fctClaims, ID.stgClaims, ID.dimPatient));
    expect(sel('2+fct_claims', { resourceTypes: ['model', 'seed', 'source'] })).toEqual(ids(ID.fctClaims, ID.stgClaims, ID.dimPatient, ID.stgBene, ID.seedStates, ID.srcClaims));
    expect(sel('stg_beneficiary+1')).toEqual(ids(ID.stgBene, ID.dimPatient, ID.snap, ID.tUnique, ID.tRel, ID.unit));
    expect(sel('1+fct_claims+1', { resourceTypes: MODELS })).toEqual(ids(ID.fctClaims, ID.stgClaims, ID.dimPatient, ID.martCosts));
  });
  it('@name selects descendants and all their ancestors', () => {
    expect(sel('@stg_claims', { resourceTypes: ['model', 'seed', 'snapshot'] })).toEqual(ids(ID.stgClaims, ID.fctClaims, ID.martCosts, ID.dimPatient, ID.stgBene, ID.seedStates));
    expect(sel('@stg_claims')).toEqual(
      ids(ID.stgClaims, ID.fctClaims, ID.martCosts, ID.dimPatient, ID.stgBene, ID.seedStates, ID.srcClaims, ID.srcBene, ID.tNotNull, ID.tRel, ID.tSingular, ID.tSource, ID.tUnique, ID.unit),
    );
  });
  it('wildcards in names', () => {
    expect(sel('stg_*')).toEqual(ids(ID.stgBene, ID.stgClaims, ID.tNotNull));
    expect(sel('fqn:mediflow.staging.*')).toEqual(ids(ID.stgBene, ID.stgClaims, ID.tNotNull, ID.tSource));
    expect(sel('fqn:*.core.dim_*', { resourceTypes: MODELS })).toEqual([ID.dimPatient]);
    expect(sel('unique_id:model.mediflow.stg_*')).toEqual(ids(ID.stgBene, ID.stgClaims, ID.tNotNull));
  });
});

describe('methods', () => {
  it('tag: (on the node or its config), also on tests and sources', () => {
    expect(sel('tag:claims')).toEqual(ids(ID.stgClaims, ID.fctClaims, ID.tNotNull, ID.tRel));
    expect(sel('tag:nightly')).toEqual(ids(ID.martCosts, ID.tSingular));
    expect(sel('tag:pii')).toEqual([ID.srcBene]);
    expect(sel('tag:c*', { resourceTypes: MODELS })).toEqual(ids(ID.stgClaims, ID.fctClaims, ID.dimPatient));
  });
  it('path: folder, file, properties file, glob and bare path', () => {
    expect(sel('path:models/staging')).toEqual(ids(ID.stgBene, ID.stgClaims, ID.tNotNull, ID.tSource, ID.srcBene, ID.srcClaims));
    expect(sel('path:models/staging/')).toEqual(sel('path:models/staging'));
    expect(sel('path:models/staging/stg_claims.sql')).toEqual(ids(ID.stgClaims, ID.tNotNull));
    expect(sel('models/core')).toEqual(ids(ID.dimPatient, ID.fctClaims, ID.tUnique, ID.tRel, ID.unit));
    expect(sel('path:models/*/stg_*.sql', { resourceTypes: MODELS })).toEqual(ids(ID.stgBene, ID.stgClaims));
    expect(sel('path:models/**/schema.yml')).toEqual(ids(ID.tUnique, ID.tNotNull, ID.tRel, ID.unit));
    expect(sel('path:models/stag')).toEqual([]);
  });
  it('file: by file name or stem', () => {
    expect(sel('file:stg_claims.sql')).toEqual(ids(ID.stgClaims, ID.tNotNull));
    expect(sel('stg_claims.sql')).toEqual(ids(ID.stgClaims, ID.tNotNull));
    expect(sel('file:state_codes', { resourceTypes: ['seed'] })).toEqual([ID.seedStates]);
  });
  it('config.<key>: with strings, case-insensitive severity, lists and booleans', () => {
    expect(sel('config.materialized:table', { resourceTypes: MODELS })).toEqual(ids(ID.dimPatient, ID.martCosts, ID.calendar));
    expect(sel('config.materialized:incremental')).toEqual(ids(ID.fctClaims, ID.tRel));
    expect(sel('config.severity:error')).toEqual([ID.tUnique]);
    expect(sel('config.tags:core', { resourceTypes: MODELS })).toEqual(ids(ID.dimPatient, ID.fctClaims));
    expect(sel('config.enabled:true', { resourceTypes: ['seed'] })).toEqual([ID.seedStates]);
    expect(sel('config.nope:x')).toEqual([]);
  });
  it('resource_type:', () => {
    expect(sel('resource_type:seed')).toEqual([ID.seedStates]);
    expect(sel('resource_type:snapshot')).toEqual([ID.snap]);
    expect(sel('resource_type:source')).toEqual(ids(ID.srcBene, ID.srcClaims, ID.tSource));
    expect(sel('resource_type:source', { indirectSelection: 'empty' })).toEqual(ids(ID.srcBene, ID.srcClaims));
  });
  it('source: by source, table, package, wildcard, and with +', () => {
    expect(sel('source:raw.beneficiary')).toEqual([ID.srcBene]);
    expect(sel('source:raw.claims')).toEqual(ids(ID.srcClaims, ID.tSource));
    expect(sel('source:mediflow.raw.bene*')).toEqual([ID.srcBene]);
    expect(sel('source:raw', { resourceTypes: ['source'] })).toEqual(ids(ID.srcBene, ID.srcClaims));
    expect(sel('source:raw+', { resourceTypes: ['model', 'snapshot'] })).toEqual(ids(ID.stgBene, ID.stgClaims, ID.dimPatient, ID.fctClaims, ID.martCosts, ID.snap));
  });
  it('test_type: and test_name:', () => {
    expect(sel('test_type:generic')).toEqual(ids(ID.tUnique, ID.tNotNull, ID.tRel, ID.tSource));
    expect(sel('test_type:singular')).toEqual([ID.tSingular]);
    expect(sel('test_type:unit')).toEqual([ID.unit]);
    expect(sel('test_type:data')).toEqual(ids(ID.tUnique, ID.tNotNull, ID.tRel, ID.tSource, ID.tSingular));
    expect(sel('test_name:unique')).toEqual([ID.tUnique]);
    expect(sel('test_name:not_null')).toEqual(ids(ID.tNotNull, ID.tSource));
    expect(sel('test_name:rel*')).toEqual([ID.tRel]);
  });
  it('package:', () => {
    expect(sel('package:utils')).toEqual([ID.calendar]);
    expect(sel('package:mediflow', { resourceTypes: MODELS })).toEqual(ids(ID.stgBene, ID.stgClaims, ID.dimPatient, ID.fctClaims, ID.martCosts));
  });
});

describe('set operations', () => {
  it('spaces and separate entries are unions', () => {
    const expected = ids(ID.martCosts, ID.tSingular, ID.seedStates);
    expect(sel('tag:nightly state_codes')).toEqual(expected);
    expect(sel(['tag:nightly', 'state_codes'])).toEqual(expected);
  });
  it('commas intersect', () => {
    expect(sel('tag:claims,config.materialized:view')).toEqual(ids(ID.stgClaims, ID.tNotNull));
    expect(sel('+fct_claims,resource_type:seed')).toEqual([ID.seedStates]);
  });
  it('--exclude removes a node and, eagerly, every test touching it', () => {
    expect(sel('+fct_claims', { exclude: ['stg_claims'] })).toEqual(ids(ID.fctClaims, ID.dimPatient, ID.stgBene, ID.seedStates, ID.srcBene, ID.srcClaims, ID.tRel, ID.tUnique, ID.unit, ID.tSource));
    // the relationships test depends on dim_patient too, so it leaves with it
    expect(sel('+fct_claims', { exclude: ['dim_patient'] })).toEqual(ids(ID.fctClaims, ID.stgClaims, ID.stgBene, ID.seedStates, ID.srcBene, ID.srcClaims, ID.tNotNull, ID.tSource));
    expect(sel(undefined, { exclude: ['tag:core tag:marts'], resourceTypes: MODELS })).toEqual(ids(ID.stgBene, ID.stgClaims, ID.calendar));
  });
});

describe('indirect selection of tests', () => {
  it('eager (default): a test goes when any parent goes', () => {
    expect(sel('fct_claims')).toEqual(ids(ID.fctClaims, ID.tRel));
  });
  it('cautious: only when all its parents are selected, across union members', () => {
    expect(sel('fct_claims', { indirectSelection: 'cautious' })).toEqual([ID.fctClaims]);
    expect(sel('dim_patient', { indirectSelection: 'cautious' })).toEqual(ids(ID.dimPatient, ID.tUnique, ID.unit));
    expect(sel('dim_patient fct_claims', { indirectSelection: 'cautious' })).toEqual(ids(ID.dimPatient, ID.fctClaims, ID.tUnique, ID.unit, ID.tRel));
  });
  it('buildable: also when the other parents are ancestors of the selection', () => {
    expect(sel('fct_claims', { indirectSelection: 'buildable' })).toEqual(ids(ID.fctClaims, ID.tRel));
    expect(sel('dim_patient', { indirectSelection: 'buildable' })).toEqual(ids(ID.dimPatient, ID.tUnique, ID.unit));
  });
  it('empty: no tests unless selected directly', () => {
    expect(sel('dim_patient', { indirectSelection: 'empty' })).toEqual([ID.dimPatient]);
    expect(sel('dim_patient test_name:unique', { indirectSelection: 'empty' })).toEqual(ids(ID.dimPatient, ID.tUnique));
  });
});

describe('errors and warnings', () => {
  const err = (select: string, more: Partial<SelectArgs> = {}): MflowError => {
    try {
      sel(select, more);
    } catch (e) {
      return e as MflowError;
    }
    throw new Error('expected an error');
  };
  it('unknown method: SELECTOR with a did-you-mean', () => {
    const e = err('tags:core');
    expect(e).toBeInstanceOf(MflowError);
    expect(e.code).toBe('SELECTOR');
    expect(e.message).toBe('Unknown selection method "tags" in "tags:core". Did you mean "tag"?');
    expect(e.hint).toContain('resource_type');
  });
  it('bad values and forms', () => {
    expect(err('resource_type:modle').message).toContain('Did you mean "model"?');
    expect(err('test_type:generc').message).toContain('Did you mean "generic"?');
    expect(err('@+x').message).toContain('"@" and a leading "+" cannot be combined');
    expect(err('source:a.b.c.d').code).toBe('SELECTOR');
    expect(err('config:table').message).toContain('config needs a key');
    expect(err('state:modified').hint).toContain('--state');
    expect(err('result:error').hint).toContain('run_results.json');
  });
  it('a term that matches nothing is a warning with a did-you-mean, not an error', () => {
    const r = selectNodesDetailed(manifest, dag, { select: ['dim_patinet', 'tag:core'] });
    expect([...r.selected].sort()).toEqual(sel('tag:core'));
    expect(r.warnings).toEqual([`The selection criterion 'dim_patinet' does not match any enabled nodes. Did you mean "dim_patient"?`]);
    const seen: string[] = [];
    selectNodes(manifest, dag, { select: ['tag:nope'], onWarning: (w) => seen.push(w) });
    expect(seen).toEqual([`The selection criterion 'tag:nope' does not match any enabled nodes`]);
  });
  it('--selector with --select is a usage error', () => {
    expect(() => selectNodes(manifest, dag, { selector: 'x', select: ['a'] })).toThrow(/cannot be combined/);
  });
});

describe('result:', () => {
  it('selects nodes by their status in a previous run', () => {
    const results = {
      metadata: { mflow_schema_version: '', mflow_version: '', generated_at: '', invocation_id: '' },
      elapsed_time: 1,
      args: {},
      results: [
        { unique_id: ID.fctClaims, status: 'error' as const },
        { unique_id: ID.tUnique, status: 'fail' as const },
        { unique_id: ID.oldModel, status: 'error' as const },
        { unique_id: ID.stgBene, status: 'success' as const },
      ].map((r) => ({ ...r, timing: [], execution_time: 0, message: null, failures: null, adapter_response: {} })),
    };
    expect(sel('result:error+', { results, resourceTypes: MODELS })).toEqual(ids(ID.fctClaims, ID.martCosts));
    expect(sel('result:fail', { results })).toEqual([ID.tUnique]);
    expect(sel('result:fail+', { results, resourceTypes: MODELS })).toEqual([]);
  });
});

describe('less common shapes', () => {
  it('versioned models: by name, name_vN, name.vN and version:', () => {
    const m = manifestOf([
      node('model', 'model.mediflow.dim_patient.v1', { fqn: ['mediflow', 'core', 'dim_patient', 'v1'], version: 1, latest: 2 }),
      node('model', 'model.mediflow.dim_patient.v2', { fqn: ['mediflow', 'core', 'dim_patient', 'v2'], version: 2, latest: 2 }),
      node('model', 'model.mediflow.plain', { fqn: ['mediflow', 'plain'] }),
    ]);
    const d = Dag.fromManifest(m);
    const s = (x: string) => [...selectNodes(m, d, { select: [x] })].sort();
    expect(s('dim_patient')).toEqual(['model.mediflow.dim_patient.v1', 'model.mediflow.dim_patient.v2']);
    expect(s('dim_patient_v2')).toEqual(['model.mediflow.dim_patient.v2']);
    expect(s('dim_patient.v1')).toEqual(['model.mediflow.dim_patient.v1']);
    expect(s('version:latest')).toEqual(['model.mediflow.dim_patient.v2']);
    expect(s('version:old')).toEqual(['model.mediflow.dim_patient.v1']);
    expect(s('version:none')).toEqual(['model.mediflow.plain']);
  });
  it('nested config keys', () => {
    const m = manifestOf([node('model', 'model.p.a', { config: { meta: { owner: 'claims-team' } } }), node('model', 'model.p.b', { config: { meta: { owner: 'x' } } })]);
    expect([...selectNodes(m, Dag.fromManifest(m), { select: ['config.meta.owner:claims-team'] })]).toEqual(['model.p.a']);
  });
  it('unit tests kept in manifest.unit_tests join the graph and follow their model', () => {
    const m = manifestOf([node('model', 'model.p.a'), node('model', 'model.p.b', { deps: ['model.p.a'] })]);
    m.unit_tests['unit_test.p.b.t1'] = { unique_id: 'unit_test.p.b.t1', resource_type: 'unit_test', name: 't1', package_name: 'p', fqn: ['p', 'b', 't1'], original_file_path: 'models/b.yml', depends_on: { nodes: ['model.p.b'] }, config: { enabled: true } };
    const d = Dag.fromManifest(m);
    expect(d.parents('unit_test.p.b.t1')).toEqual(['model.p.b']);
    expect([...selectNodes(m, d, { select: ['a+'] })].sort()).toEqual(['model.p.a', 'model.p.b', 'unit_test.p.b.t1']);
    expect([...selectNodes(m, d, { select: ['test_type:unit'] })]).toEqual(['unit_test.p.b.t1']);
    expect([...selectNodes(m, d, { select: ['b'], resourceTypes: ['model'] })]).toEqual(['model.p.b']);
  });
});

describe('bare values and dbt-only methods', () => {
  it('a bare top-level folder name selects by path, like dbt does for paths that exist', () => {
    expect(sel('seeds')).toEqual([ID.seedStates]);
    expect(sel('tests')).toEqual([ID.tSingular]);
  });
  it('dbt methods mflow lacks say so', () => {
    expect(() => sel('source_status:fresher')).toThrow('Selection method "source_status" in "source_status:fresher" is not supported: source freshness results are not compared between runs yet');
  });
});
