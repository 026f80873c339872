import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandGlob } from '../../src/ingest/glob.js';
import { describeDiff, diffHeader, parseHeader } from '../../src/ingest/header.js';
import { Scanner } from '../../src/ingest/scan.js';
import { nppesUrl, synpufRemoteFiles } from '../../src/ingest/cms-urls.js';
import { normaliseInnerName } from '../../src/ingest/zip.js';

describe('parseHeader', () => {
  it('reads quoted CMS headers, NPPES names with spaces and embedded quotes', () => {
    expect(parseHeader('"DESYNPUF_ID","BENE_BIRTH_DT"')).toEqual(['DESYNPUF_ID', 'BENE_BIRTH_DT']);
    expect(parseHeader('NPI,"Provider Last Name (Legal Name)","a ""b"", c"')).toEqual(['NPI', 'Provider Last Name (Legal Name)', 'a "b", c']);
    expect(parseHeader('a|b', '|')).toEqual(['a', 'b']);
  });
});

describe('diffHeader', () => {
  const exp = ['A', 'B', 'C'];
  it('accepts the same columns in any letter case', () => expect(diffHeader(exp, ['a', 'B', 'c'])).toBeNull());
  it('names missing, extra, renamed and reordered columns', () => {
    expect(describeDiff(diffHeader(exp, ['A', 'C']) as never)).toBe('missing column B');
    expect(describeDiff(diffHeader(exp, ['A', 'B', 'C', 'D', 'E']) as never)).toBe('unexpected columns D, E');
    expect(describeDiff(diffHeader(exp, ['A', 'X', 'C']) as never)).toBe('renamed column B -> X');
    expect(describeDiff(diffHeader(exp, ['A', 'C', 'B']) as never)).toBe('the declared columns appear in a different order');
  });
});

describe('Scanner', () => {
  const scan = (...chunks: string[]) => {
    const s = new Scanner();
    for (const c of chunks) s.push(Buffer.from(c));
    return s.finish();
  };
  it('counts lines with or without a final newline, CRLF, and blank lines across chunk borders', () => {
    expect(scan('h\n1\n2\n')).toMatchObject({ lines: 3, blankLines: [], headerLine: 'h' });
    expect(scan('h\n1\n2')).toMatchObject({ lines: 3, blankLines: [] });
    expect(scan('"h1","h2"\r', '\n1\r\n\r', '\n2\r\n')).toMatchObject({ lines: 4, blankLines: [3], headerLine: '"h1","h2"' });
    expect(scan('h\n\n', '\n3\n')).toMatchObject({ lines: 4, blankLines: [2, 3] });
    expect(scan('')).toMatchObject({ lines: 0, headerLine: '' });
    expect(scan('\uFEFFh\n')).toMatchObject({ headerLine: 'h' });
  });
  it('hashes content, not chunking', () => {
    expect(scan('ab', 'c\n').sha256).toBe(scan('abc\n').sha256);
    expect(scan('abc\n').sha256).toBe('edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb');
  });
});

describe('expandGlob', () => {
  it('matches *, ?, [AB] and ** in a stable order, files only', () => {
    const d = mkdtempSync(join(tmpdir(), 'mflow-glob-'));
    mkdirSync(join(d, 'data', 'x', 'y'), { recursive: true });
    for (const n of ['Carrier_1A.csv', 'Carrier_1B.csv', 'Carrier_1C.csv', 'Carrier_1A.csv.part', 'x/y/deep.csv']) writeFileSync(join(d, 'data', n), '');
    expect(expandGlob('data/Carrier_1[AB].csv', d)).toEqual([join(d, 'data/Carrier_1A.csv'), join(d, 'data/Carrier_1B.csv')]);
    expect(expandGlob('data/Carrier_?C.csv', d)).toEqual([join(d, 'data/Carrier_1C.csv')]);
    expect(expandGlob('data/**/*.csv', d)).toHaveLength(4);
    expect(expandGlob(join(d, 'data/Carrier_1A.csv'), '/')).toEqual([join(d, 'data/Carrier_1A.csv')]);
    expect(expandGlob('data/none_*.csv', d)).toEqual([]);
  });
});

describe('CMS download addresses', () => {
  it('keeps the site quirks', () => {
    const s11 = synpufRemoteFiles(11);
    expect(s11.find((f) => f.csvName.endsWith('Carrier_Claims_Sample_11A.csv'))).toEqual({
      url: 'https://downloads.cms.gov/files/DE1_0_2008_to_2010_Carrier_Claims_Sample_11A.csv.zip',
      zipName: 'DE1_0_2008_to_2010_Carrier_Claims_Sample_11A.zip',
      csvName: 'DE1_0_2008_to_2010_Carrier_Claims_Sample_11A.csv',
    });
    expect(s11[0].url).toBe('https://www.cms.gov/Research-Statistics-Data-and-Systems/Downloadable-Public-Use-Files/SynPUFs/Downloads/DE1_0_2008_Beneficiary_Summary_File_Sample_11.zip');
    expect(synpufRemoteFiles(1)[2].url).toContain('Statistics-Trends-and-Reports/SynPUFs/Downloads/DE1_0_2010_Beneficiary_Summary_File_Sample_20.zip');
    expect(() => synpufRemoteFiles(21)).toThrow(/from 1 to 20/);
    expect(nppesUrl(new Date(Date.UTC(2025, 1, 3)), true)).toBe('https://download.cms.gov/nppes/NPPES_Data_Dissemination_February_2025_V2.zip');
    expect(normaliseInnerName('DE1_0_2008_to_2010_Outpatient_Claims_Sample_3 - Copy.csv')).toBe('DE1_0_2008_to_2010_Outpatient_Claims_Sample_3.csv');
  });
});
