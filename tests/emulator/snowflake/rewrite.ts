/**
 * Token-level Snowflake → DuckDB rewriting for statements DuckDB can run once a few spellings
 * change. Unquoted identifiers are upper-cased (Snowflake folding); quoted ones stay as written.
 */
import { SnowflakeError } from './errors.js';
import { type Token, quoteString } from './sql-tokens.js';

export interface RewriteContext {
  warehouse: string;
  role: string;
  user: string;
  account: string;
  sessionId: number;
}

const TYPE_MAP: Record<string, string> = {
  NUMBER: 'DECIMAL',
  NUMERIC: 'DECIMAL',
  TIMESTAMP_NTZ: 'TIMESTAMP',
  DATETIME: 'TIMESTAMP',
  TIMESTAMP_LTZ: 'TIMESTAMPTZ',
  TIMESTAMP_TZ: 'TIMESTAMPTZ',
  VARIANT: 'JSON',
  OBJECT: 'JSON',
  BINARY: 'BLOB',
  VARBINARY: 'BLOB',
  BYTEINT: 'TINYINT',
  'DOUBLE PRECISION': 'DOUBLE',
  // Every Snowflake floating type is 64-bit; DuckDB's FLOAT/REAL are 32-bit.
  FLOAT: 'DOUBLE',
  FLOAT4: 'DOUBLE',
  FLOAT8: 'DOUBLE',
  REAL: 'DOUBLE',
};

/** Snowflake's date and time part names and abbreviations → DuckDB's part names. */
export const DATE_PARTS: Record<string, string> = Object.fromEntries(
  (
    [
      ['year', 'YEAR Y YY YYY YYYY YR YEARS YRS'],
      ['quarter', 'QUARTER Q QTR QTRS QUARTERS'],
      ['month', 'MONTH MM MON MONS MONTHS'],
      ['week', 'WEEK W WK WEEKOFYEAR WOY WY WEEKS'],
      ['day', 'DAY D DD DAYS DAYOFMONTH'],
      ['hour', 'HOUR H HH HR HOURS HRS'],
      ['minute', 'MINUTE M MI MIN MINUTES MINS'],
      ['second', 'SECOND S SEC SECONDS SECS'],
      ['millisecond', 'MILLISECOND MS MSEC MILLISECONDS'],
      ['microsecond', 'MICROSECOND US USEC MICROSECONDS'],
      ['nanosecond', 'NANOSECOND NS NSEC NANOSEC NSECOND NANOSECONDS NANOSECS NSECONDS'],
    ] as const
  ).flatMap(([part, names]) => names.split(' ').map((n) => [n, part])),
);

/** A Snowflake date/time format ('YYYY-MM-DD', 'MM/DD/YYYY HH24:MI') → strptime's, or null when not understood. */
export function strptimeFormat(f: string): string | null {
  const map: [RegExp, string][] = [[/^YYYY/, '%Y'], [/^YY/, '%y'], [/^MMMM/, '%B'], [/^MON/, '%b'], [/^MM/, '%m'], [/^DD/, '%d'], [/^DY/, '%a'], [/^HH24/, '%H'], [/^HH12/, '%I'], [/^HH/, '%H'], [/^AM|^PM/, '%p'], [/^MI/, '%M'], [/^SS/, '%S'], [/^FF\d?/, '%f'], [/^TZH:TZM/, '%z']];
  let out = '';
  let rest = f.toUpperCase() === f ? f : f.toUpperCase();
  while (rest.length) {
    const hit = map.find(([re]) => re.test(rest));
    if (hit) {
      out += hit[1];
      rest = rest.replace(hit[0], '');
    } else if (/^[-/.: ,T]/.test(rest)) {
      out += rest[0];
      rest = rest.slice(1);
    } else return null;
  }
  return out;
}

const FUNC_MAP: Record<string, string> = { IFF: 'IF', NVL: 'COALESCE', TO_VARCHAR: 'CAST_TO_VARCHAR', LEN: 'LENGTH', SYSDATE: 'NOW', GETDATE: 'NOW' };

/** Rewrite a token stream into DuckDB SQL text. */
export function rewriteTokens(tokens: Token[], ctx: RewriteContext): string {
  const out: string[] = [];
  const sig = (j: number, dir: 1 | -1): Token | undefined => {
    for (let k = j + dir; k >= 0 && k < tokens.length; k += dir) if (tokens[k].kind !== 'space' && tokens[k].kind !== 'comment') return tokens[k];
    return undefined;
  };
  const sigIndex = (j: number): number => {
    for (let k = j + 1; k < tokens.length; k++) if (tokens[k].kind !== 'space' && tokens[k].kind !== 'comment') return k;
    return -1;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'param') {
      out.push(t.text === '?' ? '?' : `$${t.value}`);
      continue;
    }
    if (t.kind === 'string' && t.text.startsWith('$$')) {
      out.push(quoteString(t.value));
      continue;
    }
    if (t.kind !== 'word') {
      out.push(t.text);
      continue;
    }
    const w = t.value;
    const next = sig(i, 1);
    const prev = sig(i, -1);
    const afterDot = prev?.kind === 'punct' && prev.text === '.';
    const isCall = next?.kind === 'punct' && next.text === '(';
    if (afterDot) {
      out.push(w);
      continue;
    }
    // `create or replace transient table` and `... copy grants as`: no DuckDB equivalent, no effect here.
    if (w === 'TRANSIENT' || w === 'SECURE') continue;
    if (w === 'COPY' && next?.value === 'GRANTS' && prev?.kind !== 'punct') {
      const j = sigIndex(i);
      i = j;
      continue;
    }
    if (isCall && (w === 'CURRENT_TIMESTAMP' || w === 'CURRENT_DATE' || w === 'LOCALTIMESTAMP' || w === 'CURRENT_TIME')) {
      const open = sigIndex(i);
      const close = sigIndex(open);
      if (tokens[close]?.text === ')') {
        out.push(w);
        i = close;
        continue;
      }
    }
    // dateadd(day, n, x) / datediff(day, a, b): the date part is a bare word in Snowflake.
    if (isCall && (w === 'DATEADD' || w === 'DATEDIFF')) {
      const open = sigIndex(i);
      const part = sigIndex(open);
      if (tokens[part]?.kind === 'word' || tokens[part]?.kind === 'string') {
        const canonical = DATE_PARTS[tokens[part].value.toUpperCase()];
        if (!canonical) throw new SnowflakeError('002022', '22023', `SQL compilation error:\ninvalid value [${tokens[part].value}] for parameter 'date or time part'`);
        out.push(w === 'DATEADD' ? 'SF_DATEADD(' : 'DATE_DIFF(', quoteString(canonical));
        i = part;
        continue;
      }
    }
    // to_date(x, '<format>') with a literal format: strptime with the same format, so a value that
    // does not match raises (try_to_date gives NULL) and a format strptime cannot express is an error.
    if (isCall && (w === 'TO_DATE' || w === 'TRY_TO_DATE' || w === 'DATE')) {
      const open = sigIndex(i);
      let depth = 0;
      let comma = -1;
      let close = -1;
      for (let k = open; k < tokens.length; k++) {
        if (tokens[k].text === '(') depth++;
        else if (tokens[k].text === ')' && --depth === 0) {
          close = k;
          break;
        } else if (tokens[k].text === ',' && depth === 1) comma = comma < 0 ? k : -2;
      }
      const fmt = comma > 0 ? sigIndex(comma) : -1;
      if (fmt > 0 && tokens[fmt].kind === 'string' && sigIndex(fmt) === close) {
        const conv = strptimeFormat(tokens[fmt].value);
        if (conv === null) throw new SnowflakeError('100096', '22007', `Can't parse '${tokens[fmt].value}' as date with format`);
        out.push(w === 'TRY_TO_DATE' ? 'SF_TRY_DATE_F(' : 'SF_DATE_F(', rewriteTokens(tokens.slice(open + 1, comma), ctx), ', ', quoteString(conv), ')');
        i = close;
        continue;
      }
    }
    if (isCall) {
      const literal: Record<string, string> = {
        CURRENT_WAREHOUSE: quoteString(ctx.warehouse),
        CURRENT_ROLE: quoteString(ctx.role),
        CURRENT_USER: quoteString(ctx.user),
        CURRENT_ACCOUNT: quoteString(ctx.account),
        CURRENT_REGION: quoteString('EMULATOR'),
        CURRENT_SESSION: quoteString(String(ctx.sessionId)),
        CURRENT_VERSION: quoteString('8.0.0'),
      };
      if (literal[w]) {
        const open = sigIndex(i);
        const close = sigIndex(open);
        if (tokens[close]?.text === ')') {
          out.push(literal[w]);
          i = close;
          continue;
        }
      }
      if (FUNC_MAP[w]) {
        out.push(FUNC_MAP[w]);
        continue;
      }
    }
    // NUMBER without precision and scale is NUMBER(38,0) on Snowflake (values round to integers);
    // DuckDB's bare DECIMAL is DECIMAL(18,3).
    const typePosition = prev?.value === 'AS' || prev?.text === ':' || prev?.text === '::' || ((prev?.kind === 'word' || prev?.kind === 'qident') && [',', ')', 'NOT', 'NULL', 'DEFAULT', undefined].includes(next?.kind === 'word' ? next.value : next?.text));
    if ((w === 'NUMBER' || w === 'NUMERIC' || w === 'DECIMAL') && !isCall && typePosition) {
      out.push('DECIMAL(38,0)');
      continue;
    }
    if (TYPE_MAP[w] && !isCall) {
      out.push(TYPE_MAP[w]);
      continue;
    }
    if (w === 'NUMBER' || w === 'NUMERIC') {
      out.push('DECIMAL');
      continue;
    }
    // DuckDB's TIMESTAMP takes no precision: drop `(9)` after the Snowflake timestamp types.
    if (/^(TIMESTAMP|TIMESTAMP_NTZ|TIMESTAMP_LTZ|TIMESTAMP_TZ|DATETIME|TIME)$/.test(w) && isCall) {
      const open = sigIndex(i);
      const num = sigIndex(open);
      const close = sigIndex(num);
      if (tokens[num]?.kind === 'number' && tokens[close]?.text === ')') {
        out.push(TYPE_MAP[w] ?? w);
        i = close;
        continue;
      }
    }
    if ((w === 'VARIANT' || w === 'OBJECT') && isCall) {
      out.push(w);
      continue;
    }
    out.push(w);
  }
  return out.join('');
}

/** Session macros that give DuckDB the Snowflake functions mflow's SQL may use. */
export const SESSION_MACROS = [
  `CREATE OR REPLACE TEMP MACRO CAST_TO_VARCHAR(x) AS CAST(x AS VARCHAR)`,
  `CREATE OR REPLACE TEMP MACRO ZEROIFNULL(x) AS COALESCE(x, 0)`,
  `CREATE OR REPLACE TEMP MACRO DIV0(a, b) AS CASE WHEN b = 0 THEN 0 ELSE a / b END`,
  `CREATE OR REPLACE TEMP MACRO TO_NUMBER(x) AS CAST(x AS DECIMAL(38,0))`,
  `CREATE OR REPLACE TEMP MACRO TRY_TO_NUMBER(x) AS TRY_CAST(x AS DECIMAL(38,0))`,
  // With a Snowflake format: the common date formats (strptime needs a constant format).
  `CREATE OR REPLACE TEMP MACRO TO_DATE(x) AS CAST(x AS DATE), (x, f) AS CAST(CASE upper(f) WHEN 'YYYYMMDD' THEN strptime(x, '%Y%m%d') WHEN 'YYYY-MM-DD' THEN strptime(x, '%Y-%m-%d') WHEN 'MM/DD/YYYY' THEN strptime(x, '%m/%d/%Y') WHEN 'DD/MM/YYYY' THEN strptime(x, '%d/%m/%Y') WHEN 'YYYY/MM/DD' THEN strptime(x, '%Y/%m/%d') END AS DATE)`,
  `CREATE OR REPLACE TEMP MACRO TRY_TO_DATE(x) AS TRY_CAST(x AS DATE), (x, f) AS CAST(CASE upper(f) WHEN 'YYYYMMDD' THEN try_strptime(x, '%Y%m%d') WHEN 'YYYY-MM-DD' THEN try_strptime(x, '%Y-%m-%d') WHEN 'MM/DD/YYYY' THEN try_strptime(x, '%m/%d/%Y') WHEN 'DD/MM/YYYY' THEN try_strptime(x, '%d/%m/%Y') WHEN 'YYYY/MM/DD' THEN try_strptime(x, '%Y/%m/%d') END AS DATE)`,
  `CREATE OR REPLACE TEMP MACRO SF_DATEADD(p, n, x) AS CASE p WHEN 'day' THEN x + to_days(CAST(n AS INTEGER)) WHEN 'week' THEN x + to_days(7 * CAST(n AS INTEGER)) WHEN 'month' THEN x + to_months(CAST(n AS INTEGER)) WHEN 'quarter' THEN x + to_months(3 * CAST(n AS INTEGER)) WHEN 'year' THEN x + to_years(CAST(n AS INTEGER)) WHEN 'hour' THEN x + to_hours(CAST(n AS INTEGER)) WHEN 'minute' THEN x + to_minutes(CAST(n AS INTEGER)) WHEN 'second' THEN x + to_seconds(CAST(n AS INTEGER)) WHEN 'millisecond' THEN x + to_milliseconds(CAST(n AS INTEGER)) WHEN 'microsecond' THEN x + to_microseconds(CAST(n AS INTEGER)) WHEN 'nanosecond' THEN x + to_microseconds(CAST(n AS INTEGER) // 1000) END`,
  `CREATE OR REPLACE TEMP MACRO SF_DATE_F(x, f) AS CAST(strptime(CAST(x AS VARCHAR), f) AS DATE)`,
  `CREATE OR REPLACE TEMP MACRO SF_TRY_DATE_F(x, f) AS CAST(try_strptime(CAST(x AS VARCHAR), f) AS DATE)`,
  `CREATE OR REPLACE TEMP MACRO TO_TIMESTAMP_NTZ(x) AS CAST(x AS TIMESTAMP)`,
  `CREATE OR REPLACE TEMP MACRO TO_TIMESTAMP(x) AS CAST(x AS TIMESTAMP)`,
  `CREATE OR REPLACE TEMP MACRO TO_TIMESTAMP_TZ(x) AS CAST(x AS TIMESTAMPTZ)`,
  `CREATE OR REPLACE TEMP MACRO PARSE_JSON(x) AS CAST(x AS JSON)`,
  // REGEXP_SUBSTR(subject, pattern[, position[, occurrence[, parameters[, group]]]]): NULL when nothing
  // matches, as on Snowflake. Only occurrence 1 is emulated, and
  // the group only when given as the sixth argument.
  `CREATE OR REPLACE TEMP MACRO REGEXP_SUBSTR(s, p) AS nullif(regexp_extract(s, p), ''), (s, p, pos) AS nullif(regexp_extract(substr(s, pos), p), ''), (s, p, pos, occ) AS nullif(regexp_extract(substr(s, pos), p), ''), (s, p, pos, occ, params) AS nullif(regexp_extract(substr(s, pos), p), ''), (s, p, pos, occ, params, g) AS nullif(regexp_extract(substr(s, pos), p, g), '')`,
];
