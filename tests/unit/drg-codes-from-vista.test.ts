/**
 * seeds/sources/drg_codes_from_vista.mjs derives seed drg_codes (MS-DRG grouper versions 25-28)
 * from the VA VistA DRG file (#80.2) global. Here: its reading of the effective-dated fields on a
 * hand-made global, and the committed seed against the v25 list it replaced.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain ES module script without type declarations
import { CORRECTIONS, changes, compare, deriveVersions, readCsv, readGlobal, toCsv, weightDifferences } from '../../seeds/sources/drg_codes_from_vista.mjs';

const REPO = join(import.meta.dirname, '..', '..');

type Row = { drg_code: string; mdc: string; drg_type: string; drg_description: string };

// DRG 1: CMS-DRG era entry, then an MS-DRG (pre-MDC) from FY2008, retitled in FY2009 (v26) with two
// title entries on that date (the higher sub-entry wins). DRG 9: active FY2008-FY2010, inactive
// from FY2011. DRG 14: inactive in the MS-DRG era until FY2011. DRG 119: active since 1983 only
// (left out: no MS-DRG entry). DRG 998: no type. DRG 291: a two-line title.
const GLOBAL = [
  'OSEHRA ZGO Export: DRG',
  '^ICD(1,0)="DRG1^3.4^1^32^1^1"',
  '^ICD(1,66,1,0)="2821001^^1^^1^1"',
  '^ICD(1,66,2,0)="3071001^^1^^98^1"',
  '^ICD(1,68,1,0)="2821001"',
  '^ICD(1,68,1,1,1,0)="CRANIOTOMY AGE>17 W CC"',
  '^ICD(1,68,2,0)="3071001"',
  '^ICD(1,68,2,1,1,0)="HEART TRANSPLANT W MCC"',
  '^ICD(1,68,3,0)="3081001"',
  '^ICD(1,68,3,1,1,0)="FIRST ENTRY OF 3081001"',
  '^ICD(1,68,4,0)="3081001"',
  '^ICD(1,68,4,1,1,0)="HEART TRANSPLANT OR IMPLANT W MCC"',
  '^ICD(1,68,"B",3071001,2)=""',
  '^ICD(9,0)="DRG9^^^^98^1"',
  '^ICD(9,66,1,0)="3071001^^1^^98^1"',
  '^ICD(9,66,2,0)="3101001^^0^^98^1"',
  '^ICD(9,68,1,0)="3071001"',
  '^ICD(9,68,1,1,1,0)="BONE MARROW TRANSPLANT"',
  '^ICD(9,"FY",3080000,0)="3080000^6.4842^1^99^^^^^18.1"',
  '^ICD(9,"FY",3110000,0)="3110000^6.5^1^99^^^^^18"',
  '^ICD(1,"FY",3080000,0)="3080000^23.1117^1^99^^^^^30.8"',
  '^ICD(14,0)="DRG14^^^^98^1"',
  '^ICD(14,66,1,0)="2831001^^1^^1^0"',
  '^ICD(14,66,2,0)="3071001^^0^^1^0"',
  '^ICD(14,66,3,0)="3101001^^1^^98^1"',
  '^ICD(14,68,1,0)="3101001"',
  '^ICD(14,68,1,1,1,0)="ALLOGENEIC BONE MARROW TRANSPLANT"',
  '^ICD(119,0)="DRG119^1.3^1^27^5^1"',
  '^ICD(119,66,1,0)="2831001^^1^^5^1"',
  '^ICD(119,68,1,0)="2831001"',
  '^ICD(119,68,1,1,1,0)="VEIN LIGATION & STRIPPING"',
  '^ICD(291,0)="DRG291^^^^5^0"',
  '^ICD(291,66,1,0)="3071001^^1^^5^0"',
  '^ICD(291,68,1,0)="3071001"',
  '^ICD(291,68,1,1,1,0)="HEART FAILURE "',
  '^ICD(291,68,1,1,2,0)="& SHOCK W MCC"',
  '^ICD(998,0)="DRG998^^^^99^"',
  '^ICD(998,66,1,0)="3071001^^1^^99^0"',
  '^ICD(998,68,1,0)="3071001"',
  '^ICD(998,68,1,1,1,0)="PRINCIPAL DIAGNOSIS INVALID AS DISCHARGE DIAGNOSIS"',
].join('\n');

describe('drg_codes_from_vista.mjs on a hand-made file 80.2', () => {
  const notes: string[] = [];
  const versions = deriveVersions(readGlobal(GLOBAL), (n: string) => notes.push(n), []) as Map<number, Row[]>;
  const codes = (v: number) => versions.get(v)!.map((r) => r.drg_code);

  it('takes, per version, the DRGs whose status entry in effect on its first day is active', () => {
    expect(codes(25)).toEqual(['001', '009', '291', '998']);
    expect(codes(27)).toEqual(['001', '009', '291', '998']);
    expect(codes(28)).toEqual(['001', '014', '291', '998']);
    expect(notes.filter((n) => n.startsWith('DRG 119'))).toHaveLength(4);
  });

  it('titles by the entry in effect, the higher sub-entry on a tie; MDC 98/99 empty; 998 without type', () => {
    expect(versions.get(25)![0]).toEqual({ drg_code: '001', mdc: '', drg_type: 'P', drg_description: 'HEART TRANSPLANT W MCC' });
    expect(versions.get(26)![0].drg_description).toBe('HEART TRANSPLANT OR IMPLANT W MCC');
    expect(notes.some((n) => n.includes('2 entries dated 3081001'))).toBe(true);
    expect(versions.get(25)!.find((r) => r.drg_code === '291')).toEqual({ drg_code: '291', mdc: '05', drg_type: 'M', drg_description: 'HEART FAILURE & SHOCK W MCC' });
    expect(versions.get(25)!.find((r) => r.drg_code === '998')!.drg_type).toBe('');
  });

  it('writes one row per code and version with its effective dates, junk codes in every version', () => {
    const rows = readCsv(toCsv(versions)) as Record<string, string>[];
    expect(rows.filter((r) => r.drg_code === '009').map((r) => [r.grouper_version, r.effective_from, r.effective_to])).toEqual([
      ['25', '2007-10-01', '2008-09-30'], ['26', '2008-10-01', '2009-09-30'], ['27', '2009-10-01', '2010-09-30'],
    ]);
    expect(rows.filter((r) => r.drg_code === 'OTH').map((r) => [r.grouper_version, r.is_valid_drg])).toEqual([['25', 'false'], ['26', 'false'], ['27', 'false'], ['28', 'false']]);
    expect(changes(versions)).toEqual([
      'v25 -> v26: 001 title "HEART TRANSPLANT W MCC" -> "HEART TRANSPLANT OR IMPLANT W MCC"',
      'v27 -> v28: added 014 /P ALLOGENEIC BONE MARROW TRANSPLANT',
      'v27 -> v28: removed 009 BONE MARROW TRANSPLANT',
    ]);
  });

  it('applies a correction only where the source still reads what it corrects', () => {
    const fix = [{ version: 26, drg: '001', source: 'HEART TRANSPLANT OR IMPLANT W MCC', title: 'CORRECTED' }];
    const fixed = deriveVersions(readGlobal(GLOBAL), () => {}, fix) as Map<number, Row[]>;
    expect([25, 26, 27].map((v) => fixed.get(v)![0].drg_description)).toEqual(['HEART TRANSPLANT W MCC', 'CORRECTED', 'HEART TRANSPLANT OR IMPLANT W MCC']);
    expect(() => deriveVersions(readGlobal(GLOBAL), () => {}, [{ ...fix[0], source: 'SOMETHING ELSE' }])).toThrow(/review CORRECTIONS/);
    // the shipped corrections: DRG 001/002 of v28 only
    expect(CORRECTIONS.map((c: { version: number; drg: string }) => `${c.drg} v${c.version}`)).toEqual(['001 v28', '002 v28']);
  });

  it('compares each version with the fiscal-year weights of the same file', () => {
    expect(weightDifferences(readGlobal(GLOBAL), versions)[0]).toBe('v25 (FY weights 3080000): 4 active, 2 weighted; active without weight: 291 998; weighted, not active: -');
    expect(weightDifferences(readGlobal(GLOBAL), versions)[3]).toBe('v28 (FY weights 3110000): 4 active, 1 weighted; active without weight: 001 014 291 998; weighted, not active: 009');
  });

  it('reports every difference from a reference list', () => {
    const ref = 'drg_code,mdc,type,title\n001,,P,HEART TRANSPLANT W MCC\n009,,M,BONE MARROW TRANSPLANT\n292,05,M,HEART FAILURE & SHOCK W CC\n';
    expect(compare(versions.get(25), ref)).toEqual([
      '292: in the reference, not derived',
      '009: type M (reference) vs P',
      '291: derived, not in the reference',
      '998: derived, not in the reference',
    ]);
    expect(compare(versions.get(25), '001 - HEART TRANSPLANT W CC\n', { subset: true })).toEqual(['001: title "HEART TRANSPLANT W CC" (reference) vs "HEART TRANSPLANT W MCC"']);
  });
});

describe('seed drg_codes', () => {
  const seed = readCsv(readFileSync(join(REPO, 'seeds', 'drg_codes.csv'), 'utf8')) as Record<string, string>[];

  it('v25 is the 745-DRG list it replaced (shared/data/code-tables/ms_drg_v25.csv), row for row', () => {
    const v25 = seed.filter((r) => r.grouper_version === '25' && r.is_valid_drg === 'true');
    const ref = readFileSync(join(REPO, '..', 'shared', 'data', 'code-tables', 'ms_drg_v25.csv'), 'utf8');
    expect(v25).toHaveLength(745);
    expect(compare(v25, ref)).toEqual([]);
  });

  it('counts per version: 745, 746, 746, 747 MS-DRGs', () => {
    const n = (v: string) => seed.filter((r) => r.grouper_version === v && r.is_valid_drg === 'true').length;
    expect(['25', '26', '27', '28'].map(n)).toEqual([745, 746, 746, 747]);
  });
});
