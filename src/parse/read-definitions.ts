/** The first phases of the parse: macros, generic tests and docs blocks, then the properties files. */
import type { DocBlock, ManifestMacro, SourceTable } from '../contracts/manifest.js';
import { MflowError } from '../errors.js';
import { findBlocks, parseArgList } from '../jinja/blocks.js';
import type { ProjectFiles } from './discover.js';
import type { ParseCtx } from './parse-context.js';
import { parseProperties, type Patch, type TestDef, type UnitTestDef } from './properties.js';
import type { ResourceDef } from './resources.js';

export function readMacrosAndDocs(c: ParseCtx, files: ProjectFiles): { macros: Record<string, ManifestMacro>; docs: Record<string, DocBlock> } {
  const { errors, pkgOf } = c;
  // Macros, generic tests and docs blocks.
  const macros: Record<string, ManifestMacro> = {};
  const docs: Record<string, DocBlock> = {};
  for (const f of files.macros) {
    for (const b of findBlocks(f.text)) {
      if (b.kind !== 'macro' && b.kind !== 'test') continue;
      const name = b.kind === 'test' ? `test_${b.name}` : b.name;
      const source = b.kind === 'test' ? b.source.replace(/^\{%(-?)\s*test\s+/, '{%$1 macro test_').replace(/\{%(-?)\s*endtest\s*(-?)%\}$/, '{%$1 endmacro $2%}') : b.source;
      const uid = `macro.${pkgOf(f)}.${name}`;
      if (macros[uid]) {
        errors.push(new MflowError('DUPLICATE_NODE', `Macro '${name}' is defined twice: in ${macros[uid].original_file_path}:${macros[uid].line} and here`, { file: f.path, line: b.line, hint: 'Rename or remove one of them.' }));
        continue;
      }
      macros[uid] = { unique_id: uid, name, package_name: pkgOf(f), path: f.path, original_file_path: f.path, macro_sql: source, description: '', arguments: parseArgList(b.args).map((a) => ({ name: a.name, default: a.default })), depends_on: { macros: [] }, line: b.line };
    }
  }
  for (const f of files.docs) {
    for (const b of findBlocks(f.text)) {
      if (b.kind !== 'docs') continue;
      docs[`doc.${pkgOf(f)}.${b.name}`] = { unique_id: `doc.${pkgOf(f)}.${b.name}`, name: b.name, package_name: pkgOf(f), original_file_path: f.path, block_contents: b.body.trim() };
    }
  }
  return { macros, docs };
}

export interface Properties {
  patches: Map<string, Patch>;
  sources: Record<string, SourceTable>;
  testDefs: TestDef[];
  unitDefs: UnitTestDef[];
  resourceDefs: ResourceDef[];
}

export function readProperties(c: ParseCtx, files: ProjectFiles, macros: Record<string, ManifestMacro>): Properties {
  const { o, errors, pkgOf } = c;
  // Properties.
  const patches = new Map<string, Patch>();
  const sources: Record<string, SourceTable> = {};
  const testDefs: TestDef[] = [];
  const unitDefs: UnitTestDef[] = [];
  const resourceDefs: ResourceDef[] = [];
  for (const f of files.properties) {
    try {
      const r = parseProperties(f.text, f.path, pkgOf(f), o.target.schema, o.warnings);
      for (const t of r.tests) t.pkg = f.pkg;
      for (const pt of r.patches) {
        const key = `${pkgOf(f)}:${pt.kind}:${pt.name}`;
        const prev = patches.get(key);
        if (prev) errors.push(new MflowError('DUPLICATE_NODE', `Properties for ${pt.kind.slice(0, -1)} '${pt.name}' are declared twice (also in ${prev.file}:${prev.line})`, { file: pt.file, line: pt.line }));
        else patches.set(key, pt);
      }
      for (const s of r.sources) {
        if (sources[s.unique_id]) errors.push(new MflowError('DUPLICATE_NODE', `Source table '${s.source_name}.${s.name}' is declared twice`, { file: f.path, line: s.declared_at?.line }));
        sources[s.unique_id] = s;
      }
      for (const m of r.macros) {
        const mac = macros[`macro.${pkgOf(f)}.${m.name}`];
        if (mac) mac.description = m.description;
        else o.warnings.push({ file: m.file, line: m.line, message: `Properties for macro '${m.name}', which does not exist` });
      }
      testDefs.push(...r.tests);
      unitDefs.push(...r.unitTests);
      resourceDefs.push(...r.resources);
    } catch (e) {
      if (e instanceof MflowError) errors.push(e);
      else throw e;
    }
  }
  return { patches, sources, testDefs, unitDefs, resourceDefs };
}
