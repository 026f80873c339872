/**
 * dbt's Column as templates use it: `adapter.get_columns_in_relation()` returns these, and
 * `api.Column` offers the class methods (`create`, `translate_type`, `string_type`,
 * `numeric_type`). Packages call the type predicates (`col.is_string()`, `col.is_float()`) to
 * decide how to cast or compare, so they follow dbt's base Column exactly.
 */
const STRING = ['text', 'character varying', 'character', 'varchar'];
const FLOAT = ['real', 'float4', 'float', 'double precision', 'float8', 'double'];
const INTEGER = ['smallint', 'integer', 'bigint', 'smallserial', 'serial', 'bigserial', 'int2', 'int4', 'int8'];
const NUMERIC = ['numeric', 'decimal'];
/** dbt-core 1.12's base Column labels: only `string` is renamed. */
const TYPE_LABELS: Record<string, string> = { STRING: 'TEXT' };

export class JinjaColumn {
  constructor(
    readonly name: string,
    readonly dtype: string,
    readonly char_size: number | null = null,
    readonly numeric_precision: number | null = null,
    readonly numeric_scale: number | null = null,
    private readonly quoteChar = '"',
  ) {}

  get column(): string {
    return this.name;
  }
  get quoted(): string {
    return `${this.quoteChar}${this.name}${this.quoteChar}`;
  }
  get data_type(): string {
    if (this.is_string()) return JinjaColumn.string_type(this.string_size());
    if (this.is_numeric()) return JinjaColumn.numeric_type(this.dtype, this.numeric_precision, this.numeric_scale);
    return this.dtype;
  }
  private base(): string {
    return this.dtype.toLowerCase().replace(/\(.*$/, '').trim();
  }
  is_string(): boolean {
    return STRING.includes(this.base());
  }
  is_float(): boolean {
    return FLOAT.includes(this.base());
  }
  is_integer(): boolean {
    return INTEGER.includes(this.base());
  }
  is_numeric(): boolean {
    return NUMERIC.includes(this.base());
  }
  is_number(): boolean {
    return this.is_integer() || this.is_float() || this.is_numeric();
  }
  string_size(): number {
    if (!this.is_string()) throw new Error('Called string_size() on non-string field!');
    return this.char_size ?? 256;
  }
  can_expand_to(other: JinjaColumn): boolean {
    return this.is_string() && other.is_string() && this.string_size() < other.string_size();
  }
  literal(value: unknown): string {
    return `${String(value)}::${this.data_type}`;
  }
  toString(): string {
    return `<Column ${this.name} (${this.data_type})>`;
  }

  static translate_type(dtype: string): string {
    return TYPE_LABELS[String(dtype).toUpperCase()] ?? dtype;
  }
  static create(name: string, labelOrDtype: string): JinjaColumn {
    return new JinjaColumn(name, JinjaColumn.translate_type(labelOrDtype));
  }
  static string_type(size: number): string {
    return `character varying(${size})`;
  }
  static numeric_type(dtype: string, precision: number | null, scale: number | null): string {
    return precision === null || precision === undefined || scale === null || scale === undefined ? dtype : `${dtype}(${precision},${scale})`;
  }
}

/** A column as the warehouse describes it (`DECIMAL(18,3)`, `VARCHAR(20)`), split as dbt does. */
export function columnFromWarehouse(name: string, dataType: string, quoteChar = '"'): JinjaColumn {
  const m = /^\s*([^(]+?)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)\s*$/.exec(dataType);
  if (!m) return new JinjaColumn(name, dataType, null, null, null, quoteChar);
  const base = m[1];
  if (STRING.includes(base.toLowerCase())) return new JinjaColumn(name, base, Number(m[2]), null, null, quoteChar);
  if (NUMERIC.includes(base.toLowerCase())) return new JinjaColumn(name, base, null, Number(m[2]), m[3] !== undefined ? Number(m[3]) : 0, quoteChar);
  return new JinjaColumn(name, dataType, null, null, null, quoteChar);
}

/** `api.Column` in templates: the class methods, callable without an instance. */
export const columnApi = {
  create: (name: string, dtype: string) => JinjaColumn.create(name, dtype),
  translate_type: (dtype: string) => JinjaColumn.translate_type(dtype),
  string_type: (size: number) => JinjaColumn.string_type(size),
  numeric_type: (dtype: string, precision: number | null, scale: number | null) => JinjaColumn.numeric_type(dtype, precision, scale),
  from_description: (name: string, rawDataType: string) => columnFromWarehouse(name, rawDataType),
};
