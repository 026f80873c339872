import { describe, it, expect } from 'vitest';
import { plainFirstLine } from '../../src/docs/site-data.js';
import { layerOf, overviewData } from '../../src/docs/overview.js';
import { buildMediflowArtifacts } from '../browser/mediflow-fixture.js';

describe('docs index text', () => {
  it('keeps underscores of identifiers and drops Markdown marks', () => {
    expect(plainFirstLine('30-day rates by year of the index discharge (`fact_admission.index_year`)')).toBe('30-day rates by year of the index discharge (fact_admission.index_year)');
    expect(plainFirstLine('## One row per **beneficiary**, _renamed_ from [CMS](https://cms.gov)')).toBe('One row per beneficiary, renamed from CMS');
    expect(plainFirstLine('{{ doc("x") }}\nmax_by over stay_id')).toBe('max_by over stay_id');
  });
});

describe('overview data', () => {
  it('counts by layer, summarises the last run and freshness, demotes README headings', async () => {
    const art = await buildMediflowArtifacts();
    const o = overviewData({
      manifest: art.manifest, runResults: art.runResults, readme: '# Project\n\n![diagram](docs/x.png)\n\n<img src="docs/y.png" alt="phone view" width="200">\n\nText',
      freshness: { metadata: { generated_at: '2024-01-01T00:00:00Z' }, results: [{ unique_id: 'source.mediflow.raw.beneficiary', status: 'warn', max_loaded_at: '2023-12-01T00:00:00Z', max_loaded_at_time_ago_in_s: 2678400 }] },
    }) as any;
    expect(o.layers.staging).toEqual({ model: 4 });
    expect(o.layers.marts).toEqual({ model: 2 });
    expect(o.layers.sources).toEqual({ source: 4 });
    expect(o.layers.tests).toEqual({ test: 5 });
    expect(o.lastRun).toMatchObject({ status: 'failed', statuses: { success: 11, pass: 4, fail: 1 }, problemsTotal: 1 });
    expect(o.lastRun.problems[0]).toMatchObject({ status: 'fail', failures: 1 });
    expect(o.freshness.results[0]).toMatchObject({ status: 'warn', ageSeconds: 2678400 });
    // No <h1> inside the page's own, and no image the site does not ship.
    expect(o.about).toContain('<h3>Project</h3>');
    expect(o.about).not.toContain('<img');
    expect(o.about).toContain('picture: diagram');
    expect(o.about).toContain('(picture: phone view)');
    expect(layerOf('models/staging/stg_x.sql', 'model')).toBe('staging');
    expect(layerOf('seeds/codes.csv', 'seed')).toBe('seeds');
  });
});
