/** Snowflake error codes for the failures the emulator reports (spec section 6). */
export class SnowflakeError extends Error {
  constructor(
    readonly code: string,
    readonly sqlState: string,
    message: string,
  ) {
    super(message);
  }
}

export const notExist = (name: string) => new SnowflakeError('002003', '42S02', `SQL compilation error:\nObject '${name}' does not exist or not authorized.`);
export const schemaMissing = (name: string) =>
  new SnowflakeError('002043', '02000', `SQL compilation error:\nObject does not exist, or operation cannot be performed. (${name})`);
export const unsupported = (sql: string) =>
  new SnowflakeError('001003', '42000', `SQL compilation error:\nsyntax error line 1 at position 0 unexpected '${sql.slice(0, 40)}' (not understood by the mflow Snowflake emulator).`);
/** Snowflake's parser error at a token (line 1, position = offset of the token in the statement). */
export const syntaxAt = (t: { text: string; value: string; start?: number }[], i: number) =>
  new SnowflakeError('001003', '42000', `SQL compilation error:\nsyntax error line 1 at position ${t[i]?.start ?? 0} unexpected '${t[i]?.text ?? '<EOF>'}'.`);
export const cancelled = () => new SnowflakeError('000604', '57014', 'SQL execution canceled');

/** DuckDB error text → the Snowflake error a real account would give for the same mistake. */
/** DuckDB's `LINE n:` marker and caret → Snowflake's "line n at position p" (0-based position). */
function position(msg: string): { line: number; pos: number } {
  const m = /\nLINE (\d+): ?([^\n]*)\n( *)\^/.exec(msg);
  if (!m) return { line: 1, pos: 0 };
  const prefix = `LINE ${m[1]}: `.length;
  return { line: Number(m[1]), pos: Math.max(0, m[3].length - prefix) };
}

export function fromDuckDb(e: unknown): SnowflakeError {
  const msg = e instanceof Error ? e.message : String(e);
  const first = msg.split('\n')[0];
  const at = position(msg);
  let m: RegExpExecArray | null;
  if ((m = /Catalog Error: (?:Table|View|Schema|Table Function|Catalog)(?: with name)? "?([^"!]+?)"? does not exist/.exec(first)))
    return notExist(m[1]);
  if ((m = /Catalog Error: .*"?([^" ]+)"? already exists/.exec(first)))
    return new SnowflakeError('002002', '42710', `SQL compilation error:\nObject '${m[1]}' already exists.`);
  if ((m = /Binder Error: Referenced column "?([^" ]+)"? not found/.exec(first)))
    return new SnowflakeError('000904', '42000', `SQL compilation error: error line ${at.line} at position ${at.pos}\ninvalid identifier '${m[1]}'`);
  if (first.startsWith('Binder Error')) return new SnowflakeError('002140', '42601', `SQL compilation error:\n${first.slice(14)}`);
  if (first.startsWith('Parser Error')) return new SnowflakeError('001003', '42000', `SQL compilation error:\nsyntax error line ${at.line} at position ${at.pos} ${first.slice(14)}`);
  if (first.startsWith('Conversion Error') || first.startsWith('Invalid Input Error: Could not convert'))
    return new SnowflakeError('100038', '22018', `Numeric value conversion failed: ${first.replace(/^[^:]+: /, '')}`);
  if (first.startsWith('Constraint Error')) return new SnowflakeError('100072', '22000', first.replace(/^[^:]+: /, ''));
  if (first.startsWith('INTERRUPT')) return cancelled();
  return new SnowflakeError('000603', 'XX000', `SQL execution internal error: ${first}`);
}
