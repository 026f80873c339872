import { SYNPUF_FILES } from '../synpuf/layouts.js';
import { MflowError } from '../errors.js';

/** CMS serves DE-SynPUF from two hosts; tests replace both with one local base URL. */
export const CMS_WWW = 'https://www.cms.gov';
export const CMS_DOWNLOADS = 'https://downloads.cms.gov';
export const NPPES_BASE = 'https://download.cms.gov';

const WWW_PATH = 'Research-Statistics-Data-and-Systems/Downloadable-Public-Use-Files/SynPUFs/Downloads';

export interface SynpufRemoteFile {
  url: string;
  /** Local ZIP name: always `<csv name without .csv>.zip`, whatever the site calls it. */
  zipName: string;
  /** The CSV name the rest of MediFlow expects (what the generator writes too). */
  csvName: string;
}

/**
 * The download list of one subsample, with the site's known quirks (after OHDSI ETL-CMS's
 * get_synpuf_files.py): carrier and PDE ZIPs live on downloads.cms.gov, the rest on www.cms.gov;
 * Sample 11A is published as `.csv.zip`; the 2010 beneficiary file of Sample 1 is linked under
 * another folder and name.
 */
export function synpufRemoteFiles(sample: number, baseUrl?: string): SynpufRemoteFile[] {
  if (!Number.isInteger(sample) || sample < 1 || sample > 20) {
    throw new MflowError('USAGE', `--sample must be a DE-SynPUF subsample number from 1 to 20, got ${sample}`, {
      hint: 'CMS publishes samples 1..20; for test data of any size use mflow generate synpuf',
    });
  }
  return SYNPUF_FILES.map((f) => {
    const csvName = f.fileName(sample);
    const zipName = csvName.replace(/\.csv$/, '.zip');
    const onDownloadsHost = f.kind === 'carrier' || f.kind === 'pde';
    let remoteName = zipName;
    if (sample === 11 && f.kind === 'carrier' && f.part === 'A') remoteName = csvName + '.zip';
    let path = onDownloadsHost ? `files/${remoteName}` : `${WWW_PATH}/${remoteName}`;
    if (sample === 1 && f.kind === 'beneficiary' && f.year === 2010) {
      path = 'Research-Statistics-Data-and-Systems/Statistics-Trends-and-Reports/SynPUFs/Downloads/DE1_0_2010_Beneficiary_Summary_File_Sample_20.zip';
    }
    const host = baseUrl ? baseUrl.replace(/\/+$/, '') : onDownloadsHost ? CMS_DOWNLOADS : CMS_WWW;
    return { url: `${host}/${path}`, zipName, csvName };
  });
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** `NPPES_Data_Dissemination_<Month>_<YYYY>[_V2].zip` for the month of `date`. */
export function nppesZipName(date: Date, v2 = false): string {
  return `NPPES_Data_Dissemination_${MONTHS[date.getUTCMonth()]}_${date.getUTCFullYear()}${v2 ? '_V2' : ''}.zip`;
}

export function nppesUrl(date: Date, v2 = false, baseUrl?: string): string {
  return `${(baseUrl ?? NPPES_BASE).replace(/\/+$/, '')}/nppes/${nppesZipName(date, v2)}`;
}

const mmddyy = (d: Date): string =>
  `${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}${String(d.getUTCFullYear() % 100).padStart(2, '0')}`;

/**
 * `NPPES_Data_Dissemination_<MMDDYY>_<MMDDYY>_Weekly[_V2].zip`: the weekly incremental bundle of
 * the seven days starting `weekStart` (CMS publishes Monday to Sunday).
 */
export function nppesWeeklyZipName(weekStart: Date, v2 = false): string {
  const end = new Date(weekStart.getTime() + 6 * 86_400_000);
  return `NPPES_Data_Dissemination_${mmddyy(weekStart)}_${mmddyy(end)}_Weekly${v2 ? '_V2' : ''}.zip`;
}

export function nppesWeeklyUrl(weekStart: Date, v2 = false, baseUrl?: string): string {
  return `${(baseUrl ?? NPPES_BASE).replace(/\/+$/, '')}/nppes/${nppesWeeklyZipName(weekStart, v2)}`;
}

/**
 * `NPPES_Deactivated_NPI_Report_<MMDDYY>[_V2].zip`: the monthly Deactivated NPI Report published on
 * `date` (CMS names it by its publication day), an Excel workbook inside a ZIP.
 */
export function nppesDeactivatedZipName(date: Date, v2 = false): string {
  return `NPPES_Deactivated_NPI_Report_${mmddyy(date)}${v2 ? '_V2' : ''}.zip`;
}

export function nppesDeactivatedUrl(date: Date, v2 = false, baseUrl?: string): string {
  return `${(baseUrl ?? NPPES_BASE).replace(/\/+$/, '')}/nppes/${nppesDeactivatedZipName(date, v2)}`;
}
