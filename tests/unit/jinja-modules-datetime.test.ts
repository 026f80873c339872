import { describe, expect, test } from 'vitest';
import { makeModules } from '../../src/jinja/modules.js';

/**
 * modules.datetime / modules.pytz print as Python prints them. Every expected string below was
 * printed by Python 3.11 + pytz in tests/oracles' environment (str(), isoformat(), timestamp()).
 */
const kw = (o: Record<string, unknown>) => ({ ...o, __keywords: true });
const m = makeModules(() => new Date(Date.UTC(2026, 11, 2, 10, 27, 22, 904)));
const dt = m.datetime.datetime as unknown as (...a: unknown[]) => { toString(): string; isoformat(): string; timestamp(): number };

describe('modules.datetime with pytz zones', () => {
  test('tzinfo=pytz.timezone(z) takes the zone\'s local mean time, rounded to minutes, as pytz does (dbt_date.datetime)', () => {
    const cases: [string, string, number][] = [
      ['America/Los_Angeles', '1997-09-29 06:14:00-07:53', 875542020],
      ['Europe/London', '1997-09-29 06:14:00-00:01', 875513700],
      ['Asia/Kolkata', '1997-09-29 06:14:00+05:53', 875492460],
      ['America/New_York', '1997-09-29 06:14:00-04:56', 875531400],
      ['UTC', '1997-09-29 06:14:00+00:00', 875513640],
      ['Etc/GMT+5', '1997-09-29 06:14:00-05:00', 875531640],
    ];
    for (const [zone, printed, ts] of cases) {
      const d = dt(kw({ year: 1997, month: 9, day: 29, hour: 6, minute: 14, tzinfo: m.pytz.timezone(zone) }));
      expect(String(d), zone).toBe(printed);
      expect(d.timestamp(), zone).toBe(ts);
    }
    expect(dt(1997, 9, 29, 6, 14, kw({ tzinfo: m.pytz.timezone('America/Los_Angeles') })).isoformat()).toBe('1997-09-29T06:14:00-07:53');
  });

  test('localize() and now(tz) take the real offset at that time; naive datetimes print no offset', () => {
    const la = m.pytz.timezone('America/Los_Angeles');
    expect(String(la.localize(dt(1997, 9, 29, 6, 14) as never))).toBe('1997-09-29 06:14:00-07:00');
    expect(String(m.pytz.timezone('Europe/London').localize(dt(1997, 9, 29, 6, 14) as never))).toBe('1997-09-29 06:14:00+01:00');
    expect(String(m.datetime.datetime.now(m.pytz.utc))).toBe('2026-12-02 10:27:22.904000+00:00');
    expect(String(dt(1997, 9, 29, 6, 14))).toBe('1997-09-29 06:14:00');
    // dbt_expectations' timeseries_hourly: today().replace(hour=0, minute=0, second=0, microsecond=0)
    const today = (m.datetime.datetime.today() as unknown as { replace(k: unknown): unknown }).replace(kw({ hour: 0, minute: 0, second: 0, microsecond: 0 }));
    expect(String(today)).toBe('2026-12-02 00:00:00');
  });
});
