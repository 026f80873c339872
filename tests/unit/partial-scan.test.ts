import { describe, expect, it } from 'vitest';
import { envVarsRead, readsOwnConfig, volatileJinja } from '../../src/parse/partial/scan.js';

// What partial parsing reads from a template's text without rendering it (src/parse/partial/scan.ts).
describe('partial parsing: reading templates', () => {
  it('lists the env vars env_var() names, and says when a name is computed', () => {
    expect(envVarsRead(`select '{{ env_var("B") }}', '{{ env_var('A', 'x') }}', {{ env_var( 'A' ) }}`)).toEqual({ names: ['A', 'B'], dynamic: false });
    expect(envVarsRead(`{{ env_var('PREFIX_' ~ target.name) }}`).dynamic).toBe(true);
    expect(envVarsRead(`{% set n = 'X' %}{{ env_var(n) }}`).dynamic).toBe(true);
    expect(envVarsRead('select 1')).toEqual({ names: [], dynamic: false });
  });

  it('finds Jinja whose output changes between invocations, and ignores the same words in SQL', () => {
    for (const t of ['{{ run_started_at }}', '{{ invocation_id }}', "{{ modules.datetime.datetime.now() }}", '{% for n in graph.nodes.values() %}{% endfor %}', '{{ log("x", info=true) }}', "{% set r = run_query('select 1') %}", '{{ adapter.get_relation(this) }}', '{% if flags.FULL_REFRESH %}{% endif %}', '{{ selected_resources }}']) {
      expect(volatileJinja(`select 1 ${t}`), t).toBe(true);
    }
    expect(volatileJinja('select log(x), graph, flags from t')).toBe(false);
    expect(volatileJinja("select * from {{ ref('a') }} where x > {{ var('x', 1) }}")).toBe(false);
  });

  it('finds reads of the node\'s own config or model while parsing', () => {
    expect(readsOwnConfig("{% if config.get('materialized') == 'table' %}x{% endif %}")).toBe(true);
    expect(readsOwnConfig('{{ model.name }}')).toBe(true);
    expect(readsOwnConfig("{{ config(materialized='table') }} select model from t")).toBe(false);
  });
});
