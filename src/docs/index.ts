/** The docs stage: a static site built from artifacts only (see README in this folder). */
export { generateDocsSite, type GenerateDocsOptions, type GenerateDocsResult } from './generate.js';
export { serveDocs, type ServeDocsOptions } from './serve.js';
export { computeColumnLineage, type ColumnLineage, type ColumnLineageEntry, type NodeColumnLineage, type ColumnLineageOptions } from './column-lineage.js';
export { syntheticManifest } from './synthetic.js';
export { buildCatalog, type Catalog, type CatalogTable, type CatalogColumn } from './catalog.js';
