export { computeSynpufFigures, type SynpufFigures } from './synpuf-check.js';
export { computeReadmissions, admissionOf, type Admission, type ReadmissionResult, type IndexCounts } from './readmission.js';
export { readRows, cents, dayNumber } from './csv.js';
