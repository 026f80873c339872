import { describe, expect, test } from 'vitest';
import { compile, ls, run } from '../../src/api.js';
import { MflowErrors } from '../../src/errors.js';
import { RESOURCE_MODELS, manifestOf } from './dbt-lang-helpers.js';
import { makeProject } from './helpers.js';

describe('groups and access', () => {
  test('a ref to a private model from outside its group is a parse error with file and line', async () => {
    const p = makeProject({ ...RESOURCE_MODELS, 'models/outsider.sql': "-- reads finance data\nselect *\nfrom {{ ref('fin_private') }}" });
    const e = await compile({ projectDir: p.dir, console: p.console }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MflowErrors);
    const err = (e as MflowErrors).errors[0];
    expect(err.message).toBe("Node model.fn.outsider attempted to reference node model.fn.fin_private, which is not allowed because the referenced node is private to the 'finance' group.");
    expect([err.file, err.line]).toEqual(['models/outsider.sql', 3]);
  });

  test('the same ref from inside the group is allowed; an unknown group or access value is an error', async () => {
    const inside = makeProject({ ...RESOURCE_MODELS, 'models/insider.sql': "{{ config(group='finance') }} select * from {{ ref('fin_private') }}" });
    await compile({ projectDir: inside.dir, console: inside.console });
    const m = manifestOf(inside.dir);
    expect(m.nodes['model.fn.fin_private']).toMatchObject({ access: 'private', group: 'finance' });
    expect(m.nodes['model.fn.orders']).toMatchObject({ access: 'protected', group: null });
    expect(m.group_map).toEqual({ finance: ['model.fn.fin_private', 'model.fn.insider'] });

    const bad = makeProject({ ...RESOURCE_MODELS, 'models/x.sql': "{{ config(group='financ', access='secret') }} select 1" });
    const e = (await compile({ projectDir: bad.dir, console: bad.console }).catch((x: unknown) => x)) as MflowErrors;
    expect(e.errors.map((x) => x.message)).toEqual(["Node model.fn.x has an invalid value (secret) for the access field", "Invalid group 'financ', expected one of ['finance']"]);
    expect(e.errors[1].hint).toBe("Did you mean 'finance'?");
  });
});

describe('exposures, semantic models, metrics, saved queries', () => {
  test("are in the manifest in dbt's shapes, keyed by unique_id, with their parents", async () => {
    const p = makeProject(RESOURCE_MODELS);
    await compile({ projectDir: p.dir, console: p.console });
    const m = manifestOf(p.dir);
    expect(Object.keys(m.groups!)).toEqual(['group.fn.finance']);
    expect(m.groups!['group.fn.finance']).toEqual({ name: 'finance', resource_type: 'group', package_name: 'fn', path: 'res.yml', original_file_path: 'models/res.yml', unique_id: 'group.fn.finance', owner: { email: 'fin@example.com', name: 'Fin Team' }, description: 'Money', config: { meta: {} } });
    expect(m.exposures!['exposure.fn.weekly_report']).toMatchObject({ type: 'dashboard', maturity: 'high', depends_on: { macros: [], nodes: ['model.fn.orders', 'model.fn.customers'] }, refs: [{ name: 'orders', package: null, version: null }, { name: 'customers', package: null, version: null }] });
    expect(Object.keys(m.metrics!).sort()).toEqual(['metric.fn.avg_order', 'metric.fn.orders_count', 'metric.fn.revenue']);
    expect(m.metrics!['metric.fn.avg_order'].depends_on).toEqual({ macros: [], nodes: ['metric.fn.revenue', 'metric.fn.orders_count'] });
    expect((m.metrics!['metric.fn.avg_order'].type_params as { input_measures: { name: string }[] }).input_measures.map((x) => x.name)).toEqual(['order_total', 'order_count']);
    expect(m.semantic_models!['semantic_model.fn.orders_sm']).toMatchObject({ node_relation: { alias: 'orders', schema_name: 'main', relation_name: '"main"."orders"' }, depends_on: { nodes: ['model.fn.orders'] } });
    expect(m.saved_queries!['saved_query.fn.revenue_by_day'].depends_on).toEqual({ macros: [], nodes: ['metric.fn.revenue'] });
    expect(m.parent_map['metric.fn.revenue']).toEqual(['semantic_model.fn.orders_sm']);
    expect(m.child_map['model.fn.orders']).toEqual(['exposure.fn.weekly_report', 'model.fn.fin_private', 'semantic_model.fn.orders_sm']);
  });

  test('are selectable: +exposure:x builds what the exposure needs, metric: and semantic_model: list', async () => {
    const p = makeProject(RESOURCE_MODELS);
    const r = await run({ projectDir: p.dir, console: p.console, select: ['+exposure:weekly_report'] });
    expect(r.results.map((x) => x.unique_id).sort()).toEqual(['model.fn.customers', 'model.fn.orders']);
    expect((await ls({ projectDir: p.dir, console: p.console, select: ['+metric:avg_order'] })).map((x) => x.unique_id)).toEqual([
      'model.fn.orders',
      'semantic_model.fn.orders_sm',
      'metric.fn.orders_count',
      'metric.fn.revenue',
      'metric.fn.avg_order',
    ]);
    expect((await ls({ projectDir: p.dir, console: p.console, select: ['semantic_model:orders_sm+'] })).map((x) => x.unique_id)).toEqual([
      'semantic_model.fn.orders_sm',
      'metric.fn.orders_count',
      'metric.fn.revenue',
      'metric.fn.avg_order',
      'saved_query.fn.revenue_by_day',
    ]);
    expect((await ls({ projectDir: p.dir, console: p.console, select: ['access:private'] })).map((x) => x.unique_id)).toEqual(['model.fn.fin_private']);
  });

  test('an exposure on a model that does not exist, or a metric on an unknown measure, names the file and line', async () => {
    const p = makeProject({
      'models/orders.sql': 'select 1 as order_id',
      'models/r.yml': "version: 2\nexposures:\n  - name: e\n    type: dashboard\n    owner: {name: x}\n    depends_on: [\"ref('order')\"]\nmetrics:\n  - name: m\n    label: M\n    type: simple\n    type_params: {measure: nope}\n",
    });
    const e = (await compile({ projectDir: p.dir, console: p.console }).catch((x: unknown) => x)) as MflowErrors;
    expect(e.errors.map((x) => [x.message, x.file, x.line])).toEqual([
      ["exposure 'e' depends on ref('order'), which was not found", 'models/r.yml', 3],
      ["metric 'm' uses measure 'nope', which no semantic model defines", 'models/r.yml', 8],
    ]);
    expect(e.errors[0].hint).toBe("Did you mean ref('orders')?");
  });
});
