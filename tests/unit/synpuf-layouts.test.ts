import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OHDSI_FIXTURES } from '../functional/ingest-helpers/source-table.js';
import { describe, expect, it } from 'vitest';
import {
  BENEFICIARY_COLUMNS, CARRIER_COLUMNS, INPATIENT_COLUMNS, NPPES_COLUMNS, OUTPATIENT_COLUMNS,
  PDE_COLUMNS, SYNPUF_FILES,
} from '../../src/synpuf/layouts.js';

const FIXTURES = OHDSI_FIXTURES;

function fixtureHeader(name: string): string[] {
  const first = readFileSync(join(FIXTURES, name), 'utf8').split(/\r?\n/)[0]!;
  return first.split(',').map((h) => h.replace(/^"|"$/g, ''));
}

describe('DE-SynPUF layouts', () => {
  it('match the header of every OHDSI fixture file, by file name', () => {
    expect(SYNPUF_FILES).toHaveLength(8);
    for (const f of SYNPUF_FILES) {
      expect(fixtureHeader(f.fileName(0)), f.fileName(0)).toEqual([...f.columns]);
    }
  });

  it('have the column counts of the CMS read-in programs', () => {
    expect(BENEFICIARY_COLUMNS).toHaveLength(32);
    expect(INPATIENT_COLUMNS).toHaveLength(81);
    expect(OUTPATIENT_COLUMNS).toHaveLength(76);
    expect(CARRIER_COLUMNS).toHaveLength(142);
    expect(PDE_COLUMNS).toHaveLength(8);
  });

  it('name the files as CMS does for sample 1', () => {
    expect(SYNPUF_FILES.map((f) => f.fileName(1))).toEqual([
      'DE1_0_2008_Beneficiary_Summary_File_Sample_1.csv',
      'DE1_0_2009_Beneficiary_Summary_File_Sample_1.csv',
      'DE1_0_2010_Beneficiary_Summary_File_Sample_1.csv',
      'DE1_0_2008_to_2010_Inpatient_Claims_Sample_1.csv',
      'DE1_0_2008_to_2010_Outpatient_Claims_Sample_1.csv',
      'DE1_0_2008_to_2010_Carrier_Claims_Sample_1A.csv',
      'DE1_0_2008_to_2010_Carrier_Claims_Sample_1B.csv',
      'DE1_0_2008_to_2010_Prescription_Drug_Events_Sample_1.csv',
    ]);
  });
});

describe('NPPES layout', () => {
  it('has 330 unique columns in Readme order', () => {
    expect(NPPES_COLUMNS).toHaveLength(330);
    expect(new Set(NPPES_COLUMNS).size).toBe(330);
    expect(NPPES_COLUMNS[0]).toBe('NPI');
    expect(NPPES_COLUMNS[31]).toBe('Provider Business Practice Location Address State Name');
    expect(NPPES_COLUMNS[41]).toBe('Provider Sex Code');
    expect(NPPES_COLUMNS[47]).toBe('Healthcare Provider Taxonomy Code_1');
    expect(NPPES_COLUMNS[106]).toBe('Healthcare Provider Primary Taxonomy Switch_15');
    expect(NPPES_COLUMNS[107]).toBe('Other Provider Identifier_1');
    expect(NPPES_COLUMNS[306]).toBe('Other Provider Identifier Issuer_50');
    expect(NPPES_COLUMNS[307]).toBe('Is Sole Proprietor');
    expect(NPPES_COLUMNS[314]).toBe('Healthcare Provider Taxonomy Group_1');
    expect(NPPES_COLUMNS[329]).toBe('Certification Date');
  });
});
