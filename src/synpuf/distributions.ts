/**
 * Distributions and code lists. Figures marked [spec] come from shared/specs/cms-data.md
 * (measured on the real DE-SynPUF rows); everything else is our assumption, chosen to look like
 * Medicare fee-for-service data (see README.md in this folder).
 */
import { weighted, type Weighted } from './random.js';

/** [spec] sex 1 = 45%, 2 = 55%. */
export const SEX = weighted([['1', 45], ['2', 55]] as const);
/** [spec] race 1 = 82%, 2 = 11%, 3 = 4.5%, 5 = 2.3%. */
export const RACE = weighted([['1', 82], ['2', 11], ['3', 4.5], ['5', 2.3]] as const);

/**
 * SSA state code -> [postal code, weight]. Codes 40 and 48 never occur [spec]; 54 "Others" is
 * 1.5% of rows [spec]. Weights are rough 2008 state populations in millions (assumption).
 */
export const SSA_STATES: readonly (readonly [string, string, number])[] = [
  ['01', 'AL', 4.7], ['02', 'AK', 0.7], ['03', 'AZ', 6.5], ['04', 'AR', 2.9], ['05', 'CA', 36.8],
  ['06', 'CO', 4.9], ['07', 'CT', 3.5], ['08', 'DE', 0.9], ['09', 'DC', 0.6], ['10', 'FL', 18.3],
  ['11', 'GA', 9.7], ['12', 'HI', 1.3], ['13', 'ID', 1.5], ['14', 'IL', 12.9], ['15', 'IN', 6.4],
  ['16', 'IA', 3.0], ['17', 'KS', 2.8], ['18', 'KY', 4.3], ['19', 'LA', 4.4], ['20', 'ME', 1.3],
  ['21', 'MD', 5.6], ['22', 'MA', 6.5], ['23', 'MI', 10.0], ['24', 'MN', 5.2], ['25', 'MS', 2.9],
  ['26', 'MO', 5.9], ['27', 'MT', 1.0], ['28', 'NE', 1.8], ['29', 'NV', 2.6], ['30', 'NH', 1.3],
  ['31', 'NJ', 8.7], ['32', 'NM', 2.0], ['33', 'NY', 19.5], ['34', 'NC', 9.2], ['35', 'ND', 0.64],
  ['36', 'OH', 11.5], ['37', 'OK', 3.6], ['38', 'OR', 3.8], ['39', 'PA', 12.4], ['41', 'RI', 1.05],
  ['42', 'SC', 4.5], ['43', 'SD', 0.8], ['44', 'TN', 6.2], ['45', 'TX', 24.3], ['46', 'UT', 2.7],
  ['47', 'VT', 0.62], ['49', 'VA', 7.8], ['50', 'WA', 6.5], ['51', 'WV', 1.8], ['52', 'WI', 5.6],
  ['53', 'WY', 0.53], ['54', '', 4.6],
];
/** Index into SSA_STATES, weighted by population. */
export const STATE_INDEX: Weighted<number> = weighted(SSA_STATES.map((s, i) => [i, s[2]] as const));

/**
 * Chronic-condition prevalence per beneficiary-year (assumption, close to published CMS
 * chronic-condition rates for FFS Medicare). Order = BENEFICIARY_COLUMNS SP_* order.
 */
export const CHRONIC_PREVALENCE = [
  0.19, // SP_ALZHDMTA
  0.28, // SP_CHF
  0.17, // SP_CHRNKIDN
  0.07, // SP_CNCR
  0.14, // SP_COPD
  0.21, // SP_DEPRESSN
  0.38, // SP_DIABETES
  0.42, // SP_ISCHMCHT
  0.17, // SP_OSTEOPRS
  0.15, // SP_RA_OA
  0.045, // SP_STRKETIA
] as const;
/** A chronic flag that is 1 one year stays 1 the next with this chance; flags are not monotonic [spec]. */
export const CHRONIC_PERSISTENCE = 0.82;
/** ICD-9 codes that show each chronic condition as a secondary diagnosis. */
export const CHRONIC_DX: readonly (readonly string[])[] = [
  ['3310', '29040', '2900', '29410'],
  ['4280', '42832', '4254', '40291'],
  ['5856', '5853', '40390', '5859'],
  ['1629', '1749', '185', '1539', '20300'],
  ['496', '49121', '4928'],
  ['311', '29630', '3004'],
  ['25000', '25002', '25060', '25040'],
  ['41401', '4111', '412', '4139'],
  ['73300', '73301'],
  ['71590', '71536', '7140'],
  ['43491', 'V1254', '4359'],
];

/** Part A inpatient deductible by year [spec]: also the unit of BENRES_IP. */
export const IP_DEDUCTIBLE: Record<number, number> = { 2007: 992, 2008: 1024, 2009: 1068, 2010: 1100 };
/** Part B annual deductible by year (assumption from CMS fee tables). */
export const PTB_DEDUCTIBLE: Record<number, number> = { 2007: 131, 2008: 135, 2009: 135, 2010: 155 };

export interface DrgGroup {
  drgs: readonly string[];
  dx: readonly string[];
  px: readonly string[];
  /** Median length of stay in days. */
  los: number;
  /** Median Medicare payment in dollars. */
  pay: number;
}

/**
 * Common Medicare MS-DRGs with matching principal diagnoses (assumption: the DRG mix of FFS
 * Medicare, heart failure, sepsis, joints, pneumonia and COPD on top). The planned-care groups
 * (chemotherapy V5811, rehab V57x, psychoses) let readmission models exercise their exclusions.
 */
export const DRG_GROUPS: Weighted<DrgGroup> = weighted<DrgGroup>([
  [{ drgs: ['291', '292', '293'], dx: ['4280', '42823', '42833', '40291', '4254'], px: [], los: 4, pay: 7000 }, 7],
  [{ drgs: ['871', '872'], dx: ['0389', '03811', '0380', '99591', '99592'], px: ['3893', '9904'], los: 6, pay: 10000 }, 6],
  [{ drgs: ['470', '469'], dx: ['71536', '71535', '71516', '71596'], px: ['8154', '8151'], los: 3, pay: 12000 }, 6],
  [{ drgs: ['193', '194', '195'], dx: ['486', '4829', '481', '5070'], px: [], los: 5, pay: 7000 }, 5],
  [{ drgs: ['190', '191', '192'], dx: ['49121', '49122', '4928', '496'], px: [], los: 4, pay: 6000 }, 4],
  [{ drgs: ['308', '309', '310'], dx: ['42731', '42732', '4271'], px: ['9962'], los: 3, pay: 5000 }, 3.5],
  [{ drgs: ['064', '065', '066'], dx: ['43491', '43411', '4359', '436'], px: [], los: 4, pay: 7000 }, 3],
  [{ drgs: ['392'], dx: ['5589', '53081', '5789', '56089'], px: ['4513'], los: 3, pay: 4000 }, 2.5],
  [{ drgs: ['690', '689'], dx: ['5990', '5908'], px: [], los: 4, pay: 5000 }, 2.5],
  [{ drgs: ['682', '683'], dx: ['5849', '5845', '40391'], px: ['3995'], los: 5, pay: 6000 }, 2.5],
  [{ drgs: ['247', '246', '249'], dx: ['41401', '4111', '41071'], px: ['0066', '3606', '3722', '8856'], los: 2, pay: 11000 }, 2.5],
  [{ drgs: ['377', '378'], dx: ['5789', '5781', '53240'], px: ['4513', '4516'], los: 4, pay: 6000 }, 2],
  [{ drgs: ['603', '602'], dx: ['6826', '6827', '6823'], px: [], los: 4, pay: 5000 }, 2],
  [{ drgs: ['280', '281'], dx: ['41071', '41041', '41011'], px: ['8856', '3722'], los: 5, pay: 10000 }, 2],
  [{ drgs: ['189'], dx: ['51881', '5184'], px: ['9671', '9604'], los: 5, pay: 8000 }, 2],
  [{ drgs: ['885'], dx: ['29590', '29634', '29623', '29630'], px: [], los: 9, pay: 8000 }, 2],
  [{ drgs: ['313'], dx: ['78650', '78659', '7865'], px: [], los: 1, pay: 3000 }, 1.5],
  [{ drgs: ['312'], dx: ['7802'], px: [], los: 2, pay: 4000 }, 1.5],
  [{ drgs: ['812', '811'], dx: ['2859', '2800', '28529'], px: ['9904'], los: 3, pay: 4000 }, 1.5],
  [{ drgs: ['641', '640'], dx: ['2761', '2765', '2768'], px: [], los: 3, pay: 4000 }, 1.5],
  [{ drgs: ['481', '480'], dx: ['82021', '82009', '82008'], px: ['7935', '8152'], los: 6, pay: 13000 }, 1.5],
  [{ drgs: ['329', '330'], dx: ['1539', '5609', '56211'], px: ['4573', '4576'], los: 9, pay: 20000 }, 1.2],
  [{ drgs: ['945', '946'], dx: ['V5789', 'V5749', 'V5721'], px: ['9339'], los: 11, pay: 11000 }, 1.2],
  [{ drgs: ['057', '056'], dx: ['3310', '2900', '3320'], px: [], los: 5, pay: 6000 }, 1],
  [{ drgs: ['638', '637'], dx: ['25080', '25013', '25002'], px: [], los: 3, pay: 5000 }, 1],
  [{ drgs: ['847', '846'], dx: ['V5811', 'V5812'], px: ['9925'], los: 3, pay: 6000 }, 0.8],
  [{ drgs: ['853'], dx: ['0389', '99592'], px: ['8622', '3893'], los: 12, pay: 25000 }, 0.8],
  [{ drgs: ['460'], dx: ['72402', '7213', '72210'], px: ['8108', '8105'], los: 4, pay: 20000 }, 0.8],
  [{ drgs: ['552', '551'], dx: ['7242', '72210', '7241'], px: [], los: 3, pay: 4000 }, 0.8],
  [{ drgs: ['917', '918'], dx: ['9690', '9779', '9658'], px: [], los: 2, pay: 4000 }, 0.8],
  [{ drgs: ['981', '982'], dx: ['99859', '99674', '99666'], px: ['8622', '8604'], los: 10, pay: 18000 }, 0.8],
]);
/** DRG junk values seen in real files [spec]. */
export const DRG_JUNK = ['OTH', '000'] as const;

/** Secondary diagnoses common in Medicare claims (assumption), plus junk codes [spec]. */
export const SECONDARY_DX: Weighted<string> = weighted([
  ['4019', 20], ['2724', 10], ['25000', 9], ['42731', 7], ['4280', 7], ['41401', 7], ['2720', 5],
  ['5990', 4], ['2449', 5], ['5849', 3], ['2859', 4], ['3051', 3], ['V5861', 3], ['V4581', 2],
  ['2761', 3], ['311', 3], ['40390', 2], ['5856', 1], ['71590', 3], ['27800', 2], ['V1582', 2],
  ['53081', 4], ['2809', 2], ['4168', 1], ['78079', 2], ['7295', 1], ['E8889', 1], ['V5869', 1],
  ['49390', 2], ['2875', 1], ['4254', 1], ['0416', 1], ['27801', 1], ['73300', 2], ['V4986', 1],
  ['2768', 1], ['4241', 1], ['7862', 1], ['3572', 1], ['28522', 1], ['V1251', 1], ['78650', 1],
  ['7804', 1], ['29680', 1], ['4011', 2], ['V5867', 1], ['V4501', 1], ['3310', 1], ['496', 2],
  ['OTHER', 0.05], ['XX000', 0.03], ['0422', 0.02],
]);

/** Outpatient revenue-center HCPCS; `36415` is the most common [spec]. Junk [spec]. */
export const OP_HCPCS: Weighted<string> = weighted([
  ['36415', 30], ['85025', 12], ['80053', 9], ['80048', 7], ['80061', 6], ['93005', 6], ['71020', 5],
  ['99213', 4], ['99283', 4], ['99284', 4], ['96372', 3], ['G0008', 2], ['82565', 3], ['83036', 3],
  ['84443', 3], ['81001', 3], ['97110', 4], ['97140', 2], ['77080', 1], ['J1885', 1], ['85610', 5],
  ['82947', 2], ['84132', 2], ['36591', 1], ['93010', 2], ['71010', 2], ['74177', 1], ['70450', 1],
  ['99285', 2], ['96413', 1], ['J9355', 0.3], ['G0378', 1], ['J2405', 1], ['80076', 1],
  ['00000', 0.05], ['XXXXX', 0.05], ['201E5', 0.03],
]);

/** Outpatient principal diagnoses (assumption). */
export const OP_DX: Weighted<string> = weighted([
  ['V5883', 6], ['4019', 8], ['25000', 6], ['V5869', 3], ['78650', 4], ['2724', 3], ['4280', 3],
  ['V7612', 3], ['V5881', 2], ['7295', 2], ['7242', 2], ['5990', 2], ['42731', 3], ['2859', 3],
  ['78079', 2], ['V6759', 2], ['7862', 2], ['71536', 2], ['V5811', 1], ['1749', 1], ['185', 1],
  ['5856', 1], ['496', 2], ['V5789', 1], ['78900', 1], ['7802', 1], ['OTHER', 0.2], ['XX000', 0.05],
]);

export interface CarrierService {
  hcpcs: string;
  /** Median allowed charge in dollars. */
  fee: number;
  /** Billed by an organization NPI (labs, ambulance) rather than a physician. */
  org: boolean;
}

/** Carrier (physician/supplier) services (assumption: evaluation-and-management heavy). */
export const CARRIER_SERVICES: Weighted<CarrierService> = weighted<CarrierService>(
  ([
    ['99213', 60, false, 20], ['99214', 90, false, 14], ['99212', 40, false, 5], ['99215', 120, false, 3],
    ['99232', 70, false, 7], ['99233', 100, false, 4], ['99231', 40, false, 3], ['99223', 180, false, 2],
    ['99222', 130, false, 2], ['99238', 70, false, 2], ['99308', 60, false, 2], ['99309', 80, false, 2],
    ['93000', 20, false, 3], ['36415', 10, true, 6], ['85025', 10, true, 5], ['80053', 10, true, 4],
    ['80061', 20, true, 3], ['83036', 10, true, 2], ['84443', 20, true, 2], ['71010', 20, false, 2],
    ['71020', 30, false, 2], ['92014', 80, false, 2], ['20610', 60, false, 1], ['17000', 60, false, 1],
    ['11721', 40, false, 1], ['G0439', 110, false, 1], ['G0008', 20, false, 1], ['90658', 10, false, 1],
    ['J1100', 0, false, 0.5], ['A0425', 10, true, 1], ['A0428', 220, true, 1], ['97110', 30, false, 2],
    ['66984', 680, false, 0.5], ['88305', 70, true, 1], ['78452', 400, false, 0.5], ['93306', 200, false, 1],
    ['99283', 60, false, 1], ['99284', 110, false, 1], ['G0434', 10, true, 1], ['00000', 0, false, 0.03],
    ['XXXXX', 0, false, 0.03], ['201E5', 0, false, 0.02],
  ] as const).map(([hcpcs, fee, org, w]) => [{ hcpcs, fee, org }, w] as const),
);

/** LINE_PRCSG_IND_CD: mostly `A` = allowed; the others as in the ResDAC code list [spec, mem]. */
export const PROCESSING_IND = weighted([['A', 96], ['R', 1.5], ['I', 1], ['N', 0.5], ['O', 0.4], ['S', 0.3], ['D', 0.3]] as const);

/** Lines per carrier claim, 1..13 (assumption; 13 happens so the widest slot is exercised). */
export const CARRIER_LINES = weighted(
  [[1, 44], [2, 21], [3, 12], [4, 8], [5, 5], [6, 3], [7, 2], [8, 1.5], [9, 1], [10, 0.7], [11, 0.5], [12, 0.4], [13, 0.9]] as const,
);

/** NDC labeler codes of large generic manufacturers; product and package digits are synthetic. */
export const NDC_LABELERS = [
  '00781', '00093', '00378', '68180', '65862', '16714', '00172', '00904', '51079', '63304',
  '00591', '53746', '61392', '00603', '00054', '00143', '60505', '29300', '31722', '43547',
] as const;

/** NUCC taxonomy codes for individual providers (assumption) with a weight. */
export const INDIVIDUAL_TAXONOMY = weighted([
  ['207R00000X', 20], ['207Q00000X', 15], ['207RC0000X', 6], ['207X00000X', 4], ['207RP1001X', 3],
  ['207RN0300X', 3], ['2084N0400X', 3], ['207RG0100X', 3], ['2085R0202X', 5], ['207P00000X', 5],
  ['208600000X', 4], ['207W00000X', 3], ['363L00000X', 8], ['363A00000X', 5], ['225100000X', 4],
  ['207RH0003X', 2], ['207L00000X', 3], ['2086S0129X', 1], ['207RI0200X', 2], ['208D00000X', 2],
] as const);
/** NUCC taxonomy codes for organizations (assumption). */
export const ORG_TAXONOMY = weighted([
  ['282N00000X', 30], ['291U00000X', 20], ['261QM1300X', 15], ['3416L0300X', 10], ['314000000X', 10],
  ['251E00000X', 8], ['261QR1300X', 4], ['333600000X', 3],
] as const);

export const LAST_NAMES = [
  'SMITH', 'JOHNSON', 'WILLIAMS', 'BROWN', 'JONES', 'GARCIA', 'MILLER', 'DAVIS', 'RODRIGUEZ',
  'MARTINEZ', 'HERNANDEZ', 'LOPEZ', 'GONZALEZ', 'WILSON', 'ANDERSON', 'THOMAS', 'TAYLOR', 'MOORE',
  'JACKSON', 'MARTIN', 'LEE', 'PEREZ', 'THOMPSON', 'WHITE', 'HARRIS', 'SANCHEZ', 'CLARK', 'PATEL',
  'NGUYEN', 'KIM', 'SHAH', 'CHEN', "O'BRIEN", 'LEWIS', 'ROBINSON', 'WALKER', 'YOUNG', 'ALLEN',
] as const;
export const FIRST_NAMES = [
  'JAMES', 'MARY', 'JOHN', 'PATRICIA', 'ROBERT', 'JENNIFER', 'MICHAEL', 'LINDA', 'WILLIAM',
  'ELIZABETH', 'DAVID', 'BARBARA', 'RICHARD', 'SUSAN', 'JOSEPH', 'JESSICA', 'THOMAS', 'SARAH',
  'CHARLES', 'KAREN', 'PRIYA', 'WEI', 'ANH', 'MOHAMMED', 'MARIA', 'JOSE', 'EMILY', 'DANIEL',
] as const;
export const CITY_WORDS = ['SPRINGFIELD', 'FAIRVIEW', 'RIVERSIDE', 'GREENVILLE', 'FRANKLIN', 'CLINTON', 'MADISON', 'SALEM', 'GEORGETOWN', 'ARLINGTON'] as const;
export const ORG_WORDS = ['REGIONAL MEDICAL CENTER', 'COMMUNITY HOSPITAL', 'CLINICAL LABORATORY', 'AMBULANCE SERVICE', 'NURSING AND REHABILITATION', 'HOME HEALTH', 'MEDICAL GROUP', 'PHARMACY'] as const;
