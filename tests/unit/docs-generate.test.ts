import { describe, it, expect } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { buildMediflowArtifacts } from '../browser/mediflow-fixture.js';
import { generateDocsSite } from '../../src/docs/generate.js';
import { serveDocs } from '../../src/docs/serve.js';
import { resolveDocBlocks } from '../../src/docs/site-data.js';
import { MflowError } from '../../src/errors.js';

describe('docs generate and serve', () => {
  it('writes a self-contained site whose data scripts carry positions, docs, types and lineage', async () => {
    const art = await buildMediflowArtifacts();
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'mflow-docs-unit-'));
    try {
      const res = await generateDocsSite({ targetDir: tmp, manifest: art.manifest, catalog: art.catalog, runResults: art.runResults });
      expect(res.outDir).toBe(path.join(tmp, 'docs'));
      const sandbox: Record<string, any> = { window: {} };
      sandbox.window.MF_SHARD = (k: number, d: Record<string, any>) => Object.assign((sandbox.details ??= {}), d);
      vm.runInNewContext(await readFile(path.join(res.outDir, 'data/index.js'), 'utf8'), sandbox);
      vm.runInNewContext(await readFile(path.join(res.outDir, 'data/nodes/0.js'), 'utf8'), sandbox);
      // The index is column-wise; the site's own core.js rebuilds the node objects.
      vm.runInNewContext(await readFile(path.resolve('src/docs/site/core.js'), 'utf8'), sandbox);
      vm.runInNewContext(await readFile(path.join(res.outDir, 'data/search.js'), 'utf8'), sandbox);
      const index = { nodes: sandbox.window.MF.nodes };
      expect(index.nodes.find((n: any) => n.id === 'model.mediflow.fact_admission').d).toContain('admission');
      const fact = index.nodes.find((n: any) => n.n === 'fact_admission');
      expect(fact).toMatchObject({ t: 'model', f: 'models/core', s: 'FACT', g: ['core', 'readmission'], st: 'success' });
      expect(typeof fact.x).toBe('number');
      const stg = index.nodes.find((n: any) => n.n === 'stg_admissions');
      expect(stg.x).toBeLessThan(fact.x);
      expect(index.nodes.find((n: any) => n.t === 'test').x).toBeUndefined();
      const d = sandbox.details['model.mediflow.fact_admission'];
      expect(d.description).toContain('<strong>within 30 days</strong>');
      const col = d.columns.find((c: any) => c.name === 'readmitted_30d');
      expect(col).toMatchObject({ type: 'BOOLEAN', typeFrom: 'warehouse' });
      expect(col.tests[0]).toMatchObject({ kind: 'accepted_values', status: 'fail', failures: 1 });
      expect(col.lineage.up).toEqual([['model.mediflow.int_admission_windows', 'discharge_date'], ['model.mediflow.int_admission_windows', 'next_admit_date']]);
      expect(d.warehouse.rows).toBe(5);
      const js = await readFile(path.join(res.outDir, 'assets/app.js'), 'utf8');
      expect(js).toContain('registerLanguage');
      const html = await readFile(path.join(res.outDir, 'index.html'), 'utf8');
      expect(html).not.toMatch(/https?:\/\//);

      const server = await serveDocs({ dir: res.outDir, port: 0 });
      try {
        expect((await fetch(server.url)).headers.get('content-type')).toContain('text/html');
        expect((await fetch(`${server.url}data/index.js`)).status).toBe(200);
        expect((await fetch(`${server.url}nope.js`)).status).toBe(404);
        expect((await fetch(`${server.url}..%2f..%2fetc%2fpasswd`)).status).toBe(403);
      } finally {
        await server.close();
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('refuses to serve a folder with no site, saying what to run', async () => {
    const err = await serveDocs({ dir: os.tmpdir(), port: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(MflowError);
    expect(err.hint).toContain('mflow docs generate');
  });

  it('resolves doc() blocks and flags unknown ones', async () => {
    const art = await buildMediflowArtifacts();
    expect(resolveDocBlocks(`a {{ doc('readmission_30d') }} b`, art.manifest)).toContain('Thirty-day readmission');
    expect(resolveDocBlocks(`{{ doc("mediflow", "readmission_30d") }}`, art.manifest)).toContain('CMS HRRP');
    expect(resolveDocBlocks(`{{ doc('nope') }}`, art.manifest)).toBe('*(doc block `nope` not found)*');
  });
});
