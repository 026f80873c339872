export { ingestSources, INGEST_ARTIFACT } from './ingest.js';
export { downloadSynpuf, downloadNppes, downloadNppesWeekly, downloadNppesDeactivated, type CmsDownloadOptions, type DownloadedFile } from './cms-download.js';
export { downloadFile, type DownloadProgress, type DownloadOptions, type DownloadResult } from './download.js';
export { synpufRemoteFiles, nppesUrl, nppesZipName, nppesDeactivatedUrl, nppesDeactivatedZipName } from './cms-urls.js';
export { progressBar } from './progress.js';
export { LINEAGE_COLUMNS } from './tables.js';
export type { IngestOptions, IngestReport, IngestEvent, FileResult, ExternalSpec } from './types.js';
