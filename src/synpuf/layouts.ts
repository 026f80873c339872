/**
 * Exact column lists (names and order) of the eight DE-SynPUF files of one sample and of the
 * NPPES main file, as CMS publishes them (spec: shared/specs/cms-data.md §3 and §6). Both the
 * generator and ingestion use these lists, so a layout lives in exactly one place.
 */

/** `prefix_1 .. prefix_n`, the way CMS numbers repeated columns. */
function numbered(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}_${i + 1}`);
}

/** Beneficiary Summary, one file per year, 32 columns (§3.1). */
export const BENEFICIARY_COLUMNS: readonly string[] = Object.freeze([
  'DESYNPUF_ID', 'BENE_BIRTH_DT', 'BENE_DEATH_DT', 'BENE_SEX_IDENT_CD', 'BENE_RACE_CD',
  'BENE_ESRD_IND', 'SP_STATE_CODE', 'BENE_COUNTY_CD', 'BENE_HI_CVRAGE_TOT_MONS',
  'BENE_SMI_CVRAGE_TOT_MONS', 'BENE_HMO_CVRAGE_TOT_MONS', 'PLAN_CVRG_MOS_NUM',
  'SP_ALZHDMTA', 'SP_CHF', 'SP_CHRNKIDN', 'SP_CNCR', 'SP_COPD', 'SP_DEPRESSN', 'SP_DIABETES',
  'SP_ISCHMCHT', 'SP_OSTEOPRS', 'SP_RA_OA', 'SP_STRKETIA',
  'MEDREIMB_IP', 'BENRES_IP', 'PPPYMT_IP', 'MEDREIMB_OP', 'BENRES_OP', 'PPPYMT_OP',
  'MEDREIMB_CAR', 'BENRES_CAR', 'PPPYMT_CAR',
]);

/** Inpatient claims, 81 columns (§3.2). */
export const INPATIENT_COLUMNS: readonly string[] = Object.freeze([
  'DESYNPUF_ID', 'CLM_ID', 'SEGMENT', 'CLM_FROM_DT', 'CLM_THRU_DT', 'PRVDR_NUM', 'CLM_PMT_AMT',
  'NCH_PRMRY_PYR_CLM_PD_AMT', 'AT_PHYSN_NPI', 'OP_PHYSN_NPI', 'OT_PHYSN_NPI', 'CLM_ADMSN_DT',
  'ADMTNG_ICD9_DGNS_CD', 'CLM_PASS_THRU_PER_DIEM_AMT', 'NCH_BENE_IP_DDCTBL_AMT',
  'NCH_BENE_PTA_COINSRNC_LBLTY_AM', 'NCH_BENE_BLOOD_DDCTBL_LBLTY_AM', 'CLM_UTLZTN_DAY_CNT',
  'NCH_BENE_DSCHRG_DT', 'CLM_DRG_CD',
  ...numbered('ICD9_DGNS_CD', 10),
  ...numbered('ICD9_PRCDR_CD', 6),
  ...numbered('HCPCS_CD', 45),
]);

/** Outpatient claims, 76 columns; note the order differs from inpatient (§3.3). */
export const OUTPATIENT_COLUMNS: readonly string[] = Object.freeze([
  'DESYNPUF_ID', 'CLM_ID', 'SEGMENT', 'CLM_FROM_DT', 'CLM_THRU_DT', 'PRVDR_NUM', 'CLM_PMT_AMT',
  'NCH_PRMRY_PYR_CLM_PD_AMT', 'AT_PHYSN_NPI', 'OP_PHYSN_NPI', 'OT_PHYSN_NPI',
  'NCH_BENE_BLOOD_DDCTBL_LBLTY_AM',
  ...numbered('ICD9_DGNS_CD', 10),
  ...numbered('ICD9_PRCDR_CD', 6),
  'NCH_BENE_PTB_DDCTBL_AMT', 'NCH_BENE_PTB_COINSRNC_AMT', 'ADMTNG_ICD9_DGNS_CD',
  ...numbered('HCPCS_CD', 45),
]);

/** Number of wide line-item slots in a carrier claim. */
export const CARRIER_LINE_SLOTS = 13;

/** Carrier claims (files A and B share it), 142 columns, 13 wide line items (§3.4). */
export const CARRIER_COLUMNS: readonly string[] = Object.freeze([
  'DESYNPUF_ID', 'CLM_ID', 'CLM_FROM_DT', 'CLM_THRU_DT',
  ...numbered('ICD9_DGNS_CD', 8),
  ...numbered('PRF_PHYSN_NPI', CARRIER_LINE_SLOTS),
  ...numbered('TAX_NUM', CARRIER_LINE_SLOTS),
  ...numbered('HCPCS_CD', CARRIER_LINE_SLOTS),
  ...numbered('LINE_NCH_PMT_AMT', CARRIER_LINE_SLOTS),
  ...numbered('LINE_BENE_PTB_DDCTBL_AMT', CARRIER_LINE_SLOTS),
  ...numbered('LINE_BENE_PRMRY_PYR_PD_AMT', CARRIER_LINE_SLOTS),
  ...numbered('LINE_COINSRNC_AMT', CARRIER_LINE_SLOTS),
  ...numbered('LINE_ALOWD_CHRG_AMT', CARRIER_LINE_SLOTS),
  ...numbered('LINE_PRCSG_IND_CD', CARRIER_LINE_SLOTS),
  ...numbered('LINE_ICD9_DGNS_CD', CARRIER_LINE_SLOTS),
]);

/** Prescription Drug Events, 8 columns (§3.5). */
export const PDE_COLUMNS: readonly string[] = Object.freeze([
  'DESYNPUF_ID', 'PDE_ID', 'SRVC_DT', 'PROD_SRVC_ID', 'QTY_DSPNSD_NUM', 'DAYS_SUPLY_NUM',
  'PTNT_PAY_AMT', 'TOT_RX_CST_AMT',
]);

function nppesColumns(): string[] {
  const cols = [
    'NPI', 'Entity Type Code', 'Replacement NPI', 'Employer Identification Number (EIN)',
    'Provider Organization Name (Legal Business Name)', 'Provider Last Name (Legal Name)',
    'Provider First Name', 'Provider Middle Name', 'Provider Name Prefix Text',
    'Provider Name Suffix Text', 'Provider Credential Text', 'Provider Other Organization Name',
    'Provider Other Organization Name Type Code', 'Provider Other Last Name',
    'Provider Other First Name', 'Provider Other Middle Name', 'Provider Other Name Prefix Text',
    'Provider Other Name Suffix Text', 'Provider Other Credential Text',
    'Provider Other Last Name Type Code',
    'Provider First Line Business Mailing Address', 'Provider Second Line Business Mailing Address',
    'Provider Business Mailing Address City Name', 'Provider Business Mailing Address State Name',
    'Provider Business Mailing Address Postal Code',
    'Provider Business Mailing Address Country Code (If outside U.S.)',
    'Provider Business Mailing Address Telephone Number', 'Provider Business Mailing Address Fax Number',
    'Provider First Line Business Practice Location Address',
    'Provider Second Line Business Practice Location Address',
    'Provider Business Practice Location Address City Name',
    'Provider Business Practice Location Address State Name',
    'Provider Business Practice Location Address Postal Code',
    'Provider Business Practice Location Address Country Code (If outside U.S.)',
    'Provider Business Practice Location Address Telephone Number',
    'Provider Business Practice Location Address Fax Number',
    'Provider Enumeration Date', 'Last Update Date', 'NPI Deactivation Reason Code',
    'NPI Deactivation Date', 'NPI Reactivation Date', 'Provider Sex Code',
    'Authorized Official Last Name', 'Authorized Official First Name',
    'Authorized Official Middle Name', 'Authorized Official Title or Position',
    'Authorized Official Telephone Number',
  ];
  for (let n = 1; n <= 15; n++) {
    cols.push(
      `Healthcare Provider Taxonomy Code_${n}`, `Provider License Number_${n}`,
      `Provider License Number State Code_${n}`, `Healthcare Provider Primary Taxonomy Switch_${n}`,
    );
  }
  for (let n = 1; n <= 50; n++) {
    cols.push(
      `Other Provider Identifier_${n}`, `Other Provider Identifier Type Code_${n}`,
      `Other Provider Identifier State_${n}`, `Other Provider Identifier Issuer_${n}`,
    );
  }
  cols.push(
    'Is Sole Proprietor', 'Is Organization Subpart', 'Parent Organization LBN',
    'Parent Organization TIN', 'Authorized Official Name Prefix Text',
    'Authorized Official Name Suffix Text', 'Authorized Official Credential Text',
    ...numbered('Healthcare Provider Taxonomy Group', 15),
    'Certification Date',
  );
  return cols;
}

/** NPPES main file (npidata_pfile), 330 columns, Feb-2025 Readme order (§6). */
export const NPPES_COLUMNS: readonly string[] = Object.freeze(nppesColumns());

/**
 * Name of the NPPES extract the generator writes. It follows the real main-file pattern
 * `npidata_pfile_20050523-YYYYMMDD.csv` so ingestion code that globs for `npidata_pfile_*`
 * (and skips `*_fileheader.csv`) works on generated and real bundles alike.
 */
export const NPPES_FILE_NAME = 'npidata_pfile_20050523-20250209.csv';

export type SynpufKind = 'beneficiary' | 'inpatient' | 'outpatient' | 'carrier' | 'pde';

export interface SynpufFile {
  kind: SynpufKind;
  /** Calendar year, for the three yearly beneficiary files only. */
  year?: number;
  /** Half of the carrier file (A or B); read both halves and concatenate. */
  part?: 'A' | 'B';
  /** CSV name as CMS publishes it, for a subsample number (1..20; the OHDSI fixtures use 0). */
  fileName(sample: number): string;
  columns: readonly string[];
}

/** The eight files of one DE-SynPUF subsample, in CMS's listing order (§1). */
export const SYNPUF_FILES: readonly SynpufFile[] = Object.freeze([
  ...[2008, 2009, 2010].map((year): SynpufFile => ({
    kind: 'beneficiary', year, columns: BENEFICIARY_COLUMNS,
    fileName: (s) => `DE1_0_${year}_Beneficiary_Summary_File_Sample_${s}.csv`,
  })),
  {
    kind: 'inpatient', columns: INPATIENT_COLUMNS,
    fileName: (s) => `DE1_0_2008_to_2010_Inpatient_Claims_Sample_${s}.csv`,
  },
  {
    kind: 'outpatient', columns: OUTPATIENT_COLUMNS,
    fileName: (s) => `DE1_0_2008_to_2010_Outpatient_Claims_Sample_${s}.csv`,
  },
  ...(['A', 'B'] as const).map((part): SynpufFile => ({
    kind: 'carrier', part, columns: CARRIER_COLUMNS,
    fileName: (s) => `DE1_0_2008_to_2010_Carrier_Claims_Sample_${s}${part}.csv`,
  })),
  {
    kind: 'pde', columns: PDE_COLUMNS,
    fileName: (s) => `DE1_0_2008_to_2010_Prescription_Drug_Events_Sample_${s}.csv`,
  },
]);
