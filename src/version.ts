export const MFLOW_VERSION = '0.1.0';
