import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest } from '../../src/contracts/manifest.js';

/** The manifest a command left in target/ (as tools that read dbt artifacts see it). */
export function manifestOf(dir: string): Manifest & Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'target', 'manifest.json'), 'utf8')) as Manifest & Record<string, unknown>;
}

/** The project tests/dbt-lang/resources.test.ts also gives dbt-core 1.12, comparing the manifests. */
export const RESOURCES_YML = `version: 2
groups:
  - name: finance
    owner: {name: Fin Team, email: fin@example.com}
    description: Money
models:
  - name: fin_private
    access: private
    group: finance
exposures:
  - name: weekly_report
    label: Weekly report
    type: dashboard
    maturity: high
    url: https://bi.example.com/1
    description: The weekly numbers
    depends_on:
      - ref('orders')
      - ref('customers')
    owner: {name: Ana, email: ana@example.com}
    tags: [bi]
semantic_models:
  - name: orders_sm
    model: ref('orders')
    description: Orders
    defaults: {agg_time_dimension: ordered_at}
    entities:
      - {name: order, type: primary, expr: order_id}
      - {name: customer, type: foreign, expr: customer_id}
    dimensions:
      - {name: ordered_at, type: time, type_params: {time_granularity: day}}
    measures:
      - {name: order_total, agg: sum, expr: amount}
      - {name: order_count, agg: count, expr: order_id}
metrics:
  - name: revenue
    label: Revenue
    description: Sum of order totals
    type: simple
    type_params: {measure: order_total}
  - name: orders_count
    label: Orders
    type: simple
    type_params: {measure: order_count}
  - name: avg_order
    label: Average order
    type: ratio
    type_params: {numerator: revenue, denominator: orders_count}
saved_queries:
  - name: revenue_by_day
    description: Daily revenue
    query_params:
      metrics: [revenue]
      group_by: ["TimeDimension('order__ordered_at', 'day')"]
    exports:
      - name: revenue_by_day_export
        config: {export_as: table}
`;

export const RESOURCE_MODELS = {
  'models/orders.sql': 'select 1 as order_id, 10 as amount, current_date as ordered_at, 1 as customer_id',
  'models/customers.sql': 'select 1 as customer_id',
  'models/fin_private.sql': "select * from {{ ref('orders') }}",
  'models/res.yml': RESOURCES_YML,
};
