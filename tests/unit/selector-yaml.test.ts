import { describe, expect, it } from 'vitest';
import { Dag } from '../../src/graph/dag.js';
import { selectNodes } from '../../src/graph/selector-eval.js';
import { parseSelectorsYaml } from '../../src/graph/selectors-yaml.js';
import { MflowError } from '../../src/errors.js';
import { ID, mediflowManifest } from './graph-manifest.js';

const manifest = mediflowManifest();
const dag = Dag.fromManifest(manifest);
const ids = (...xs: string[]) => [...xs].sort();

const YAML = `
selectors:
  - name: staging_cli
    description: CLI-style string
    definition: 'path:models/staging'
  - name: claims_views
    definition:
      intersection:
        - tag: claims
        - method: config.materialized
          value: view
  - name: core_up
    definition:
      method: fqn
      value: fct_claims
      parents: true
      parents_depth: 1
      indirect_selection: cautious
  - name: nightly
    default: true
    definition:
      union:
        - method: tag
          value: core
          children: true
        - 'state_codes'
        - exclude:
            - mart_costs
            - method: resource_type
              value: test
            - resource_type: unit_test
  - name: reuse
    definition:
      union:
        - method: selector
          value: claims_views
        - snap_patient
  - name: with_anchor
    definition: &anchored
      method: source
      value: raw.claims
      exclude:
        - method: test_type
          value: generic
`;

describe('selectors.yml', () => {
  const file = parseSelectorsYaml(YAML, 'selectors.yml');
  const pick = (selector?: string, more: object = {}) => [...selectNodes(manifest, dag, { selector, ...more }, file)].sort();

  it('reads names, descriptions, lines and the default', () => {
    expect(Object.keys(file.selectors)).toEqual(['staging_cli', 'claims_views', 'core_up', 'nightly', 'reuse', 'with_anchor']);
    expect(file.selectors.staging_cli.description).toBe('CLI-style string');
    expect(file.selectors.claims_views.line).toBe(6);
    expect(file.defaultSelector).toBe('nightly');
  });
  it('CLI-style string, key-value, full criteria and intersection', () => {
    expect(pick('staging_cli')).toEqual(ids(ID.stgBene, ID.stgClaims, ID.tNotNull, ID.tSource, ID.srcBene, ID.srcClaims));
    expect(pick('claims_views')).toEqual(ids(ID.stgClaims, ID.tNotNull));
  });
  it('parents/depth and per-criterion indirect_selection', () => {
    expect(pick('core_up')).toEqual(ids(ID.fctClaims, ID.stgClaims, ID.dimPatient, ID.tRel, ID.tNotNull, ID.tUnique, ID.unit));
  });
  it('union with exclude, and the default selector when nothing is selected', () => {
    const expected = ids(ID.dimPatient, ID.fctClaims, ID.seedStates);
    expect(pick('nightly')).toEqual(expected);
    // resource_type:test alone leaves unit tests in: they are their own resource type
    expect(file.selectors.nightly.definition.kind).toBe('difference');
    expect(pick(undefined)).toEqual(expected);
    // an explicit --select wins over the default selector
    expect(pick(undefined, { select: ['snap_patient'] })).toEqual([ID.snap]);
  });
  it('method: selector reuses another definition; exclude next to method/value', () => {
    expect(pick('reuse')).toEqual(ids(ID.stgClaims, ID.tNotNull, ID.snap));
    expect(pick('with_anchor')).toEqual([ID.srcClaims]);
  });
  it('unknown --selector name: did-you-mean and the file', () => {
    let e: MflowError | undefined;
    try {
      pick('nightyl');
    } catch (x) {
      e = x as MflowError;
    }
    expect(e?.code).toBe('SELECTOR');
    expect(e?.message).toBe('No selector named "nightyl". Did you mean "nightly"?');
    expect(e?.file).toBe('selectors.yml');
  });
});

describe('selectors.yml errors name the file and line', () => {
  const fail = (text: string): MflowError => {
    try {
      parseSelectorsYaml(text, 'selectors.yml');
    } catch (e) {
      return e as MflowError;
    }
    throw new Error('expected an error');
  };
  it('unknown method with did-you-mean', () => {
    const e = fail('selectors:\n  - name: a\n    definition:\n      method: tagg\n      value: x\n');
    expect(e.code).toBe('SELECTOR');
    expect(e.message).toContain('Did you mean "tag"?');
    expect(e.line).toBe(4);
  });
  it('structure problems', () => {
    expect(fail('selectors:\n  - name: a\n').message).toBe('Selector "a" has no "definition"');
    expect(fail('selectors:\n  - name: a\n    definition: x\n  - name: a\n    definition: y\n').line).toBe(4);
    expect(fail('selectors:\n  - name: a\n    definition: x\n    defualt: true\n').message).toContain('Did you mean "default"?');
    expect(fail('selectors:\n  - name: a\n    default: true\n    definition: x\n  - name: b\n    default: true\n    definition: y\n').message).toContain('both set default: true');
    expect(fail('selectors:\n  - name: a\n    definition:\n      method: selector\n      value: a\n').message).toContain('loop: a -> a');
    expect(fail('selectors:\n  - name: a\n    definition:\n      union:\n        - x\n        - exclude: [y]\n        - exclude: [z]\n').line).toBe(7);
    expect(fail('selectors:\n  - name: a\n    definition:\n      method: fqn\n      value: x\n      parents_depth: -1\n').message).toContain('parents_depth');
    expect(fail('selectors:\n  - name: a\n    default: "{{ target.name == \'prod\' }}"\n    definition: x\n').hint).toContain('Render Jinja');
  });
  it('YAML syntax errors', () => {
    const e = fail('selectors:\n  - name: [a\n');
    expect(e.code).toBe('YAML_SYNTAX');
    expect(e.file).toBe('selectors.yml');
  });
  it('an empty file has no selectors', () => {
    expect(parseSelectorsYaml('', 'selectors.yml').selectors).toEqual({});
  });
});
