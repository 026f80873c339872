/**
 * Exposures, a semantic model, metrics and a saved query in dbt's manifest shape (top-level maps
 * keyed by unique_id, as dbt-core 1.12 writes them), added to a real MediFlow manifest: the docs
 * site must give each a page and draw it in the graph.
 */
import type { Manifest } from '../../src/contracts/manifest.js';

export function withSemanticLayer(manifest: Manifest): Manifest {
  const base = { package_name: 'mediflow', tags: [], meta: {}, config: { enabled: true }, refs: [], sources: [], metrics: [] };
  const dep = (...nodes: string[]) => ({ nodes, macros: [] });
  const exposures = {
    'exposure.mediflow.readmission_dashboard': {
      ...base, unique_id: 'exposure.mediflow.readmission_dashboard', name: 'readmission_dashboard', resource_type: 'exposure', label: 'Readmission dashboard',
      type: 'dashboard', maturity: 'high', url: 'https://bi.example.org/dashboards/readmission', owner: { name: 'Quality team', email: 'quality@example.org' },
      description: 'The **HRRP** dashboard the quality team reviews monthly; reads `mart_readmission`.',
      original_file_path: 'models/marts/_exposures.yml', path: '_exposures.yml', fqn: ['mediflow', 'marts', 'readmission_dashboard'],
      depends_on: dep('model.mediflow.mart_readmission'), refs: [{ name: 'mart_readmission', package: null, version: null }],
    },
  };
  const semantic_models = {
    'semantic_model.mediflow.admissions': {
      ...base, unique_id: 'semantic_model.mediflow.admissions', name: 'admissions', resource_type: 'semantic_model', label: 'Admissions',
      description: 'Inpatient admissions as a semantic model.', model: "ref('fact_admission')", node_relation: { alias: 'fact_admission', schema_name: 'fact' },
      original_file_path: 'models/core/_semantic.yml', path: '_semantic.yml', fqn: ['mediflow', 'core', 'admissions'],
      defaults: { agg_time_dimension: 'admit_date' }, primary_entity: null,
      entities: [{ name: 'admission', type: 'primary', expr: 'admission_id' }, { name: 'patient', type: 'foreign', expr: 'patient_id' }],
      dimensions: [{ name: 'admit_date', type: 'time', expr: null, type_params: { time_granularity: 'day' } }, { name: 'index_year', type: 'categorical', expr: null }],
      measures: [{ name: 'admissions', agg: 'count', expr: 'admission_id', description: 'Admissions' }, { name: 'readmissions', agg: 'sum', expr: 'case when readmitted_30d then 1 else 0 end', description: 'Readmitted within 30 days' }],
      depends_on: dep('model.mediflow.fact_admission'),
    },
  };
  const metrics = {
    'metric.mediflow.readmission_rate': {
      ...base, unique_id: 'metric.mediflow.readmission_rate', name: 'readmission_rate', resource_type: 'metric', label: 'Readmission rate',
      description: 'Share of index admissions followed by a readmission within 30 days.', type: 'ratio',
      type_params: { numerator: { name: 'readmissions' }, denominator: { name: 'admissions' } }, filter: null,
      original_file_path: 'models/core/_semantic.yml', path: '_semantic.yml', fqn: ['mediflow', 'core', 'readmission_rate'],
      depends_on: dep('semantic_model.mediflow.admissions'),
    },
  };
  const saved_queries = {
    'saved_query.mediflow.readmission_by_year': {
      ...base, unique_id: 'saved_query.mediflow.readmission_by_year', name: 'readmission_by_year', resource_type: 'saved_query', label: 'Readmission by year',
      description: 'The readmission rate per index year.', query_params: { metrics: ['readmission_rate'], group_by: ["Dimension('admission__index_year')"], where: null },
      exports: [], original_file_path: 'models/core/_semantic.yml', path: '_semantic.yml', fqn: ['mediflow', 'core', 'readmission_by_year'],
      depends_on: dep('metric.mediflow.readmission_rate'),
    },
  };
  return { ...manifest, exposures, semantic_models, metrics, saved_queries } as Manifest;
}
