/** The TypeScript side of the readmission rule (src/checks) on the same hand-made stays as the SQL unit test. */
import { describe, expect, it } from 'vitest';
import { computeReadmissions } from '../../src/checks/index.js';

const day = (s: string) => Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10)) / 86_400_000;
const stays: [string, string, string, string, string, string][] = [
  ['A1', 'P1', 'I-H1', '2009-01-01', '2009-01-05', '4280'], // transfer: A2 starts on A1's discharge day elsewhere
  ['A2', 'P1', 'I-H2', '2009-01-05', '2009-01-10', '4280'],
  ['A3', 'P1', 'I-H2', '2009-01-25', '2009-01-28', '486'],
  ['B1', 'P2', 'I-H1', '2009-03-01', '2009-03-10', '486'], // overlap: B2 inside B1
  ['B2', 'P2', 'I-H3', '2009-03-05', '2009-03-08', '486'],
  ['C1', 'P3', 'I-H1', '2009-05-01', '2009-05-05', '4280'], // day 30
  ['C2', 'P3', 'I-H1', '2009-06-04', '2009-06-06', '4280'],
  ['D1', 'P4', 'I-H1', '2009-05-01', '2009-05-05', '4280'], // day 31
  ['D2', 'P4', 'I-H1', '2009-06-05', '2009-06-07', '4280'],
  ['E1', 'P5', 'I-H1', '2009-07-10', '2009-07-20', '0389'], // death in the stay
  ['G1', 'P6', 'I-H1', '2009-09-01', '2009-09-01', '78650'], // same-day stay, back the next day
  ['G2', 'P6', 'I-H1', '2009-09-02', '2009-09-04', '41401'],
  ['Z1', 'ZZ', 'I-H1', '2010-12-20', '2010-12-31', '486'], // no 30-day follow-up
];
const admissions = stays.map(([id, patient, provider, a, d, principalDx]) => ({ id, patient, provider, admit: day(a), discharge: day(d), principalDx }));

describe('readmission rule (independent TypeScript implementation)', () => {
  it('handles transfer, overlap, same-day, day 30, day 31, death in stay and follow-up', () => {
    const r = computeReadmissions(admissions, new Map([['P5', day('2009-07-01')]]));
    expect([...r.index].sort()).toEqual(['A2', 'A3', 'B1', 'C1', 'C2', 'D1', 'D2', 'G1', 'G2']);
    expect([...r.readmitted].sort()).toEqual(['A2', 'C1', 'G1']);
    expect(r.byYear.get(2009)).toEqual({ numerator: 3, denominator: 9 });
    expect(r.byYearHospital.get('2009|I-H2')).toEqual({ numerator: 1, denominator: 2 });
  });

  it('does not count a planned next stay (rehabilitation V57x)', () => {
    const r = computeReadmissions(
      [
        { id: 'X1', patient: 'Q', provider: 'I-H1', admit: day('2009-01-01'), discharge: day('2009-01-05'), principalDx: '4280' },
        { id: 'X2', patient: 'Q', provider: 'I-H1', admit: day('2009-01-10'), discharge: day('2009-01-20'), principalDx: 'V5789' },
        { id: 'X3', patient: 'Q', provider: 'I-H1', admit: day('2010-12-30'), discharge: day('2010-12-31'), principalDx: '486' },
      ],
      new Map(),
    );
    // X1 is followed by a planned stay only; X2 (rehab) cannot be an index itself
    expect([...r.index]).toEqual(['X1']);
    expect(r.readmitted.size).toBe(0);
  });
});
