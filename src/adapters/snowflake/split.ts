/**
 * Split a script on top-level semicolons. Snowflake runs one statement per request unless told
 * otherwise, so scripts (hooks, `grant a; grant b`) are sent one statement at a time, as
 * dbt-snowflake does. Quotes, `$$` bodies and comments are respected.
 */
export function splitSql(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      i++;
      while (i < n && sql[i] !== c) i += sql[i] === '\\' && c === "'" ? 2 : 1;
      i++;
    } else if (c === '$' && sql[i + 1] === '$') {
      const end = sql.indexOf('$$', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === ';') {
      out.push(sql.slice(start, i));
      i++;
      start = i;
    } else i++;
  }
  out.push(sql.slice(start));
  return out.map((s) => s.trim()).filter((s) => s.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '').trim() !== '');
}
