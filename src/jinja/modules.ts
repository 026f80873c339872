/**
 * `modules.datetime` and `modules.re` as templates use them in dbt (a subset of Python's API):
 * `modules.datetime.datetime.now().strftime('%Y-%m-%d')`, `modules.datetime.date.today()`,
 * `modules.datetime.timedelta(days=1)`, `modules.re.match(...)`.
 */
type Kw = Record<string, unknown> & { __keywords?: boolean };

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Minutes east of UTC of IANA zone `tz` at the instant `ms` (Intl knows the zone rules). */
function zoneOffset(tz: string, ms: number): number {
  if (tz === 'UTC') return 0;
  const f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60000);
}

/**
 * The offset pytz gives a zone when it is passed as `tzinfo=` (to datetime(), replace()): the
 * zone's first entry, its local mean time before standard time, rounded to whole minutes as
 * pytz rounds it (Los Angeles: -07:53). dbt_date's datetime() does exactly this, so its
 * datetimes print as `1997-09-29 06:14:00-07:53` on dbt-core; `localize()` gives the real offset.
 */
function pytzDefaultOffset(tz: string): number {
  if (tz === 'UTC') return 0;
  const name = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' }).formatToParts(new Date(Date.UTC(1700, 0, 1))).find((x) => x.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?/.exec(name);
  if (!m) return 0;
  const secs = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0));
  return Math.floor((secs + 30) / 60);
}

/** pytz's timezone object: `localize(naive)` attaches the zone to a wall-clock time. */
export class PyTz {
  constructor(readonly zone: string) {}
  localize(dt: PyDateTime): PyDateTime {
    return new PyDateTime(dt.d, dt.dateOnly, this, this.offsetAtWall(dt.d.getTime()));
  }
  /** The offset in minutes of a datetime built with `tzinfo=` this zone (see pytzDefaultOffset). */
  get defaultOffset(): number {
    return pytzDefaultOffset(this.zone);
  }
  /** Offset in minutes at a wall-clock time (stored in the Date's UTC fields). */
  offsetAtWall(wallMs: number): number {
    let off = zoneOffset(this.zone, wallMs);
    off = zoneOffset(this.zone, wallMs - off * 60000);
    return off;
  }
  toString(): string {
    return this.zone;
  }
}

/**
 * Python's datetime/date as dbt templates use them. `d` holds the wall-clock time in its UTC
 * fields; an aware datetime also has its zone (`tzinfo`), so `timestamp()` gives the instant.
 */
export class PyDateTime {
  /** Minutes east of UTC of an aware datetime (fixed once attached, as in Python), null when naive. */
  readonly offset: number | null;
  constructor(readonly d: Date, readonly dateOnly = false, readonly tz: PyTz | null = null, offset?: number) {
    this.offset = tz ? (offset ?? tz.defaultOffset) : null;
  }
  get tzinfo(): PyTz | null { return this.tz; }
  get microsecond() { return this.d.getUTCMilliseconds() * 1000; }
  weekday(): number { return (this.d.getUTCDay() + 6) % 7; }
  isoweekday(): number { return this.weekday() + 1; }
  astimezone(tz: PyTz): PyDateTime {
    const instant = this.timestamp() * 1000;
    const off = zoneOffset(tz.zone, instant);
    return new PyDateTime(new Date(instant + off * 60000), false, tz, off);
  }
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
  /** As Python: microseconds only when not zero, and an aware datetime's offset (`+00:00`). */
  isoformat(): string {
    if (this.dateOnly) return this.d.toISOString().slice(0, 10);
    const ms = this.d.getUTCMilliseconds();
    const base = this.d.toISOString().slice(0, 19) + (ms ? `.${pad(ms * 1000, 6)}` : '');
    if (this.offset === null) return base;
    const a = Math.abs(this.offset);
    return `${base}${this.offset < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
  }
  date(): PyDateTime { return new PyDateTime(new Date(Date.UTC(this.year, this.month - 1, this.day)), true); }
  timestamp(): number { return (this.d.getTime() - (this.offset ?? 0) * 60000) / 1000; }
  toString(): string { return this.dateOnly ? this.isoformat() : this.isoformat().replace('T', ' '); }
  __add__(td: PyTimeDelta): PyDateTime { return this.add(td); }
  /** datetime - timedelta is a datetime; datetime - datetime a timedelta. */
  __sub__(x: PyTimeDelta | PyDateTime): PyDateTime | PyTimeDelta {
    if (x instanceof PyDateTime) return new PyTimeDelta(this.timestamp() * 1000 - x.timestamp() * 1000);
    return new PyDateTime(new Date(this.d.getTime() - x.ms), this.dateOnly, this.tz, this.offset ?? undefined);
  }
  add(td: PyTimeDelta): PyDateTime { return new PyDateTime(new Date(this.d.getTime() + td.ms), this.dateOnly, this.tz, this.offset ?? undefined); }
  replace(kw: Kw = {}): PyDateTime {
    const d = new Date(this.d);
    if (kw.year !== undefined) d.setUTCFullYear(Number(kw.year));
    if (kw.month !== undefined) d.setUTCMonth(Number(kw.month) - 1);
    if (kw.day !== undefined) d.setUTCDate(Number(kw.day));
    if (kw.hour !== undefined) d.setUTCHours(Number(kw.hour));
    if (kw.minute !== undefined) d.setUTCMinutes(Number(kw.minute));
    if (kw.second !== undefined) d.setUTCSeconds(Number(kw.second));
    if (kw.microsecond !== undefined) d.setUTCMilliseconds(Math.floor(Number(kw.microsecond) / 1000));
    return kw.tzinfo === undefined ? new PyDateTime(d, this.dateOnly, this.tz, this.offset ?? undefined) : new PyDateTime(d, this.dateOnly, kw.tzinfo as PyTz | null);
  }
}

class PyTimeDelta {
  constructor(readonly ms: number) {}
  get days() { return Math.floor(this.ms / 86400000); }
  total_seconds() { return this.ms / 1000; }
}

const UTC = new PyTz('UTC');

export function makeModules(now: () => Date) {
  const kwOf = (args: unknown[]): Kw => {
    const last = args[args.length - 1] as Kw | undefined;
    return last && typeof last === 'object' && last.__keywords ? (args.pop() as Kw) : {};
  };
  // datetime.datetime(y, m, d, hour, minute, second, microsecond, tzinfo=) and date(y, m, d), callable as in Python.
  const makeDateTime = (...args: unknown[]) => {
    const kw = kwOf(args);
    const names = ['year', 'month', 'day', 'hour', 'minute', 'second', 'microsecond'];
    const v = names.map((n, i) => Number(args[i] ?? kw[n] ?? (i < 3 ? NaN : 0)));
    const d = new Date(Date.UTC(v[0], v[1] - 1, v[2], v[3], v[4], v[5], Math.floor(v[6] / 1000)));
    return new PyDateTime(d, false, (args[7] ?? kw.tzinfo ?? null) as PyTz | null);
  };
  const parseFormat = (s: string, fmt: string): PyDateTime => {
    const parts: Record<string, number> = { Y: 1970, m: 1, d: 1, H: 0, M: 0, S: 0 };
    const re = new RegExp('^' + fmt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%([YmdHMS])/g, (_m, c: string) => `(?<${c}>\\d{${c === 'Y' ? 4 : '1,2'}})`) + '$');
    const m = re.exec(s);
    if (!m) throw new Error(`time data '${s}' does not match format '${fmt}'`);
    for (const [k, x] of Object.entries(m.groups ?? {})) parts[k] = Number(x);
    return new PyDateTime(new Date(Date.UTC(parts.Y, parts.m - 1, parts.d, parts.H, parts.M, parts.S)));
  };
  const fromIso = (s: string): PyDateTime => {
    const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?([+-]\d{2}:\d{2})?$/.exec(s.trim());
    if (!m) throw new Error(`Invalid isoformat string: '${s}'`);
    const wall = new Date(`${m[1]}T${m[2] ?? '00:00:00'}Z`);
    if (!m[3]) return new PyDateTime(wall);
    const sign = m[3][0] === '-' ? -1 : 1;
    const off = sign * (Number(m[3].slice(1, 3)) * 60 + Number(m[3].slice(4, 6)));
    return new PyDateTime(wall, false, off === 0 ? UTC : new PyTz(`Etc/GMT${off > 0 ? '-' : '+'}${Math.abs(off / 60)}`), off);
  };
  const datetime = {
    datetime: Object.assign(makeDateTime, {
      now: (tz?: PyTz) => (tz ? new PyDateTime(now(), false, UTC).astimezone(tz) : new PyDateTime(now())),
      utcnow: () => new PyDateTime(now()),
      today: () => new PyDateTime(now()),
      strptime: (s: string, fmt?: string) => (fmt ? parseFormat(s, fmt) : new PyDateTime(new Date(s))),
      fromisoformat: fromIso,
    }),
    date: Object.assign((...args: unknown[]) => {
      const kw = kwOf(args);
      return new PyDateTime(new Date(Date.UTC(Number(args[0] ?? kw.year), Number(args[1] ?? kw.month) - 1, Number(args[2] ?? kw.day))), true);
    }, {
      today: () => new PyDateTime(now()).date(),
      fromisoformat: (s: string) => new PyDateTime(new Date(s + 'T00:00:00Z'), true),
    }),
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
  return { datetime, re, pytz: { utc: UTC, UTC, timezone: (z: string) => new PyTz(z) } };
}
