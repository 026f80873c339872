/** Unit tests from properties files, as nodes attached to the model they test. */
import type { ManifestNode } from '../contracts/manifest.js';
import { MflowError, closest } from '../errors.js';
import { defaultConfig, mergeConfig } from './configs.js';
import type { ParseCtx } from './parse-context.js';
import type { UnitTestDef } from './properties.js';

export function buildUnitTestNodes(c: ParseCtx, unitDefs: UnitTestDef[], index: Map<string, ManifestNode[]>, disabled: Map<string, ManifestNode>, nodes: Record<string, ManifestNode>): { unitTests: Record<string, unknown>; disabledUnitTests: Record<string, ManifestNode> } {
  const { p, errors } = c;
  // Unit tests.
  const unitTests: Record<string, unknown> = {};
  const disabledUnitTests: Record<string, ManifestNode> = {};
  for (const u of unitDefs) {
    const model = index.get(u.model)?.[0];
    const off = disabled.get(u.model);
    if (!model && off?.resource_type === 'model') {
      // dbt: a unit test of a disabled model is disabled too (listed under `disabled`, never run).
      const uid = `unit_test.${p.name}.${u.model}.${u.name}`;
      disabledUnitTests[uid] = { ...off, unique_id: uid, resource_type: 'unit_test', name: u.name, fqn: [...off.fqn, u.name], original_file_path: u.file, path: u.file, description: u.description, config: mergeConfig(defaultConfig('unit_test'), { ...u.config, enabled: false }), depends_on: { nodes: [], macros: [] }, attached_node: off.unique_id, model: u.model, given: u.given, expect: u.expect, overrides: u.overrides } as ManifestNode;
      continue;
    }
    if (!model || model.resource_type !== 'model') {
      const s = closest(u.model, [...index.keys()]);
      errors.push(new MflowError('UNKNOWN_REF', `Unit test '${u.name}' is for model '${u.model}', which does not exist`, { file: u.file, line: u.line, hint: s ? `Did you mean '${s}'?` : undefined }));
      continue;
    }
    for (const g of u.given) {
      // `this`: the model's own table as an incremental run finds it (dbt's unit tests of incremental models).
      if (g.input?.trim() === 'this') continue;
      const m = /^\s*(ref|source)\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?\)\s*$/.exec(g.input ?? '');
      if (!m) {
        errors.push(new MflowError('CONFIG', `Unit test '${u.name}': given input '${g.input}' must be ref('name'), source('src', 'table') or this`, { file: u.file, line: g.line }));
        continue;
      }
      const id = m[1] === 'ref' ? index.get(m[2])?.[0]?.unique_id : `source.${p.name}.${m[2]}.${m[3]}`;
      if (!id || !model.depends_on.nodes.includes(id)) {
        errors.push(new MflowError('CONFIG', `Unit test '${u.name}': given input ${g.input} is not a parent of model '${u.model}'`, { file: u.file, line: g.line, hint: `Parents of ${u.model}: ${model.depends_on.nodes.map((x) => x.split('.').slice(2).join('.')).join(', ') || '(none)'}` }));
      }
    }
    const uid = `unit_test.${p.name}.${u.model}.${u.name}`;
    unitTests[uid] = { ...u, unique_id: uid, attached_node: model.unique_id };
    nodes[uid] = {
      ...model,
      unique_id: uid,
      resource_type: 'unit_test',
      name: u.name,
      fqn: [...model.fqn, u.name],
      original_file_path: u.file,
      path: u.file,
      raw_code: model.raw_code,
      description: u.description,
      config: mergeConfig(defaultConfig('unit_test'), u.config),
      tags: [...((u.config.tags as string[]) ?? [])],
      depends_on: { nodes: [model.unique_id], macros: [] },
      attached_node: model.unique_id,
      relation_name: null,
      declared_at: { file: u.file, line: u.line },
      columns: {},
    };
  }
  return { unitTests, disabledUnitTests };
}
