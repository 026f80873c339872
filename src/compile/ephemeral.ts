/**
 * Ephemeral models are injected as CTEs named `__dbt__cte__<name>`, dependencies first. When
 * the model already starts with `with`, the CTEs join its list instead of nesting.
 */
export function injectCtes(sql: string, ctes: { name: string; sql: string }[]): string {
  if (ctes.length === 0) return sql;
  const defs = ctes.map((c) => `__dbt__cte__${c.name} as (\n${c.sql}\n)`).join(',\n');
  const m = /^((?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*)with\b(\s+recursive\b)?/i.exec(sql);
  if (m) return `${m[1]}with${m[2] ?? ''} ${defs},\n${sql.slice(m[0].length).replace(/^\s+/, '')}`;
  const lead = /^((?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*)/.exec(sql)![1];
  return `${lead}with ${defs}\n${sql.slice(lead.length)}`;
}
