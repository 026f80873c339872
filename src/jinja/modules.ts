/**
 * `modules.datetime` and `modules.re` as templates use them in dbt (a subset of Python's API):
 * `modules.datetime.datetime.now().strftime('%Y-%m-%d')`, `modules.datetime.date.today()`,
 * `modules.datetime.timedelta(days=1)`, `modules.re.match(...)`.
 */
type Kw = Record<string, unknown> & { __keywords?: boolean };

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export class PyDateTime {
  constructor(readonly d: Date, readonly dateOnly = false) {}
  get year() { return this.d.getUTCFullYear(); }
  get month() { return this.d.getUTCMonth() + 1; }
  get day() { return this.d.getUTCDate(); }
  get hour() { return this.d.getUTCHours(); }
  get minute() { return this.d.getUTCMinutes(); }
  get second() { return this.d.getUTCSeconds(); }
  strftime(fmt: string): string {
    const d = this.d;
    const map: Record<string, string> = {
      Y: String(d.getUTCFullYear()), m: pad(d.getUTCMonth() + 1), d: pad(d.getUTCDate()), H: pad(d.getUTCHours()),
      M: pad(d.getUTCMinutes()), S: pad(d.getUTCSeconds()), f: pad(d.getUTCMilliseconds() * 1000, 6), y: pad(d.getUTCFullYear() % 100),
      j: pad(Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1, 3), '%': '%',
    };
    return fmt.replace(/%([YmdHMSfyj%])/g, (_, c: string) => map[c]);
  }
  isoformat(): string {
    return this.dateOnly ? this.d.toISOString().slice(0, 10) : this.d.toISOString().replace('Z', '').replace(/\.000$/, '');
  }
  date(): PyDateTime { return new PyDateTime(new Date(Date.UTC(this.year, this.month - 1, this.day)), true); }
  timestamp(): number { return this.d.getTime() / 1000; }
  toString(): string { return this.dateOnly ? this.isoformat() : this.isoformat().replace('T', ' '); }
  add(td: PyTimeDelta): PyDateTime { return new PyDateTime(new Date(this.d.getTime() + td.ms), this.dateOnly); }
  replace(kw: Kw = {}): PyDateTime {
    const d = new Date(this.d);
    if (kw.year !== undefined) d.setUTCFullYear(Number(kw.year));
    if (kw.month !== undefined) d.setUTCMonth(Number(kw.month) - 1);
    if (kw.day !== undefined) d.setUTCDate(Number(kw.day));
    if (kw.hour !== undefined) d.setUTCHours(Number(kw.hour));
    if (kw.minute !== undefined) d.setUTCMinutes(Number(kw.minute));
    if (kw.second !== undefined) d.setUTCSeconds(Number(kw.second));
    return new PyDateTime(d, this.dateOnly);
  }
}

class PyTimeDelta {
  constructor(readonly ms: number) {}
  get days() { return Math.floor(this.ms / 86400000); }
  total_seconds() { return this.ms / 1000; }
}

export function makeModules(now: () => Date) {
  const datetime = {
    datetime: {
      now: () => new PyDateTime(now()),
      utcnow: () => new PyDateTime(now()),
      strptime: (s: string) => new PyDateTime(new Date(s)),
      fromisoformat: (s: string) => new PyDateTime(new Date(s)),
    },
    date: {
      today: () => new PyDateTime(now()).date(),
      fromisoformat: (s: string) => new PyDateTime(new Date(s + 'T00:00:00Z'), true),
    },
    timedelta: (...args: unknown[]) => {
      const kw = (args.find((a) => a && typeof a === 'object' && (a as Kw).__keywords) as Kw) ?? {};
      const days = Number(kw.days ?? (typeof args[0] === 'number' ? args[0] : 0));
      const ms = days * 86400000 + Number(kw.hours ?? 0) * 3600000 + Number(kw.minutes ?? 0) * 60000 + Number(kw.seconds ?? 0) * 1000 + Number(kw.weeks ?? 0) * 604800000;
      return new PyTimeDelta(ms);
    },
  };
  const re = {
    match: (p: string, s: string) => new RegExp('^(?:' + p + ')').exec(s),
    search: (p: string, s: string) => new RegExp(p).exec(s),
    fullmatch: (p: string, s: string) => new RegExp('^(?:' + p + ')$').exec(s),
    findall: (p: string, s: string) => [...s.matchAll(new RegExp(p, 'g'))].map((m) => (m.length > 1 ? m[1] : m[0])),
    sub: (p: string, r: string, s: string) => s.replace(new RegExp(p, 'g'), r.replace(/\\(\d)/g, '$$$1')),
    split: (p: string, s: string) => s.split(new RegExp(p)),
    escape: (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    IGNORECASE: 'i',
  };
  return { datetime, re, pytz: { utc: 'UTC', timezone: (z: string) => z } };
}
