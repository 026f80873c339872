import type { Column, Dialect } from '../contracts/adapter.js';
import type { Constraint, ManifestNode } from '../contracts/manifest.js';
import { MflowError } from '../errors.js';

/**
 * Model contracts (`contract: {enforced: true}`), as dbt has them: before a contracted model is
 * built, the names and data types its SQL produces are compared with the YAML columns, and a
 * mismatch stops the build with dbt's table of differences. Tables are then created with their
 * column types and constraints and filled with an insert, so the warehouse checks what it can.
 * Everything here plans SQL; the executor runs it.
 */
export interface ContractColumn {
  name: string;
  dataType: string;
  constraints: Constraint[];
}

export const isContracted = (n: ManifestNode): boolean => Boolean((n.config.contract as { enforced?: boolean } | undefined)?.enforced);

export function contractColumns(n: ManifestNode): ContractColumn[] {
  return Object.values(n.columns).map((c) => ({ name: c.name, dataType: String(c.data_type ?? ''), constraints: c.constraints ?? [] }));
}

/** A query with no rows whose columns have the contract's types, so the warehouse spells them as it spells the model's. */
export function contractTypesSql(cols: ContractColumn[]): string {
  return `select ${cols.map((c) => `cast(null as ${c.dataType}) as ${c.name}`).join(', ')} limit 0`;
}

export interface Mismatch {
  column_name: string;
  definition_type: string;
  contract_type: string;
  mismatch_reason: 'missing in contract' | 'data type mismatch' | 'missing in definition';
}

/** Names compare without case (warehouses fold unquoted names); types as the warehouse reports them. */
export function contractMismatches(definition: Column[], contract: Column[]): Mismatch[] {
  const key = (s: string) => s.toLowerCase();
  const con = new Map(contract.map((c) => [key(c.name), c]));
  const def = new Map(definition.map((c) => [key(c.name), c]));
  const out: Mismatch[] = [];
  for (const d of definition) {
    const c = con.get(key(d.name));
    if (!c) out.push({ column_name: d.name, definition_type: d.dataType.toUpperCase(), contract_type: '', mismatch_reason: 'missing in contract' });
    else if (d.dataType.toUpperCase() !== c.dataType.toUpperCase()) out.push({ column_name: d.name, definition_type: d.dataType.toUpperCase(), contract_type: c.dataType.toUpperCase(), mismatch_reason: 'data type mismatch' });
  }
  for (const c of contract) if (!def.has(key(c.name))) out.push({ column_name: c.name, definition_type: '', contract_type: c.dataType.toUpperCase(), mismatch_reason: 'missing in definition' });
  return out.sort((a, b) => (a.column_name < b.column_name ? -1 : a.column_name > b.column_name ? 1 : 0));
}

/** dbt's message, table and all, so people who know it recognise it. */
export function contractError(n: ManifestNode, rows: Mismatch[]): MflowError {
  const heads = ['column_name', 'definition_type', 'contract_type', 'mismatch_reason'] as const;
  const width = heads.map((h) => Math.max(h.length, ...rows.map((r) => r[h].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width[i])).join(' | ')} |`;
  const table = [line([...heads]), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(heads.map((h) => r[h])))].join('\n');
  return new MflowError(
    'CONTRACT',
    `This model has an enforced contract that failed.\nPlease ensure the name, data_type, and number of columns in your contract match the columns in your model's definition.\n\n${table}\n`,
    { file: n.original_file_path, node: n.unique_id, hint: `Change the SQL of ${n.name} or its columns in ${n.patch_path ?? 'its properties file'}.` },
  );
}

type Support = 'enforced' | 'not_enforced' | 'not_supported';

/**
 * Constraints the warehouse cannot apply are an error before anything is built (dbt only warns
 * and drops them, which leaves a table without the guarantee the YAML promises); ones it accepts
 * without checking are applied and reported.
 */
export function checkConstraintSupport(n: ManifestNode, d: Dialect): string[] {
  const notes: string[] = [];
  const all = [...contractColumns(n).flatMap((c) => c.constraints.map((k) => ({ k, where: `column '${c.name}'` }))), ...(n.constraints ?? []).map((k) => ({ k, where: 'the model' }))];
  for (const { k, where } of all) {
    if (k.type === 'custom') continue;
    const s: Support = d.capabilities.constraints?.[k.type] ?? 'not_supported';
    if (s === 'not_supported') {
      throw new MflowError('CONTRACT', `The ${k.type} constraint on ${where} of ${n.name} is not supported on ${d.type}`, {
        file: n.patch_path ?? n.original_file_path,
        node: n.unique_id,
        hint: `Remove it from the contract${k.type === 'check' ? ', or check the rule with a data test (dbt_utils.expression_is_true or a singular test)' : ''}.`,
      });
    }
    if (s === 'not_enforced' && k.warn_unenforced !== false) notes.push(`The ${k.type} constraint on ${where} of ${n.name} is accepted but not enforced by ${d.type}`);
  }
  return notes;
}

/** `references other (id)` of a foreign key: `to: ref('x')` + `to_columns`, or the expression. */
export type RelationOfRef = (refExpr: string) => string;

function columnConstraintSql(k: Constraint, refRel: RelationOfRef): string {
  switch (k.type) {
    case 'not_null':
      return 'not null';
    case 'primary_key':
      return 'primary key';
    case 'unique':
      return 'unique';
    case 'check':
      return `check (${k.expression ?? ''})`;
    case 'foreign_key':
      return k.to ? `references ${refRel(k.to)} (${(k.to_columns ?? []).join(', ')})` : `references ${k.expression ?? ''}`;
    default:
      return k.expression ?? '';
  }
}

function modelConstraintSql(k: Constraint, refRel: RelationOfRef): string {
  const name = k.name ? `constraint ${k.name} ` : '';
  const cols = `(${(k.columns ?? []).join(', ')})`;
  switch (k.type) {
    case 'check':
      return `${name}check (${k.expression ?? ''})`;
    case 'primary_key':
      return `${name}primary key ${cols}`;
    case 'unique':
      return `${name}unique ${cols}`;
    case 'foreign_key':
      return `${name}foreign key ${cols} ${k.to ? `references ${refRel(k.to)} (${(k.to_columns ?? []).join(', ')})` : `references ${k.expression ?? ''}`}`;
    default:
      return k.expression ?? '';
  }
}

/** `create table t (id integer not null primary key, ..., constraint c check (...))` then an insert of the model's rows. */
export function contractTableStatements(d: Dialect, target: string, n: ManifestNode, sql: string, refRel: RelationOfRef, opts: { replace?: boolean; transient?: boolean }): string[] {
  const cols = contractColumns(n);
  const defs = cols.map((c) => [c.name, c.dataType, ...c.constraints.map((k) => columnConstraintSql(k, refRel))].filter(Boolean).join(' '));
  const tableLevel = (n.constraints ?? []).map((k) => modelConstraintSql(k, refRel));
  const kind = opts.transient ? 'transient table' : 'table';
  const create = `create ${opts.replace ? 'or replace ' : ''}${kind} ${target} (\n  ${[...defs, ...tableLevel].join(',\n  ')}\n)`;
  const names = cols.map((c) => c.name).join(', ');
  const insert = `insert into ${target} (${names})\nselect ${names}\nfrom (\n${sql}\n) as model_subq`;
  return [create, insert];
}
