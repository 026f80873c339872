import type { Column, Connection } from '../contracts/adapter.js';
import type { ManifestNode } from '../contracts/manifest.js';
import { MflowError } from '../errors.js';
import { checkConstraintSupport, contractColumns, contractError, contractMismatches, contractTableStatements, contractTypesSql, isContracted } from '../materializations/contract.js';
import { persistDocsStatements, wantsColumnDocs } from '../materializations/persist-docs.js';
import type { PlanInput } from '../materializations/types.js';
import type { ExecContext } from './executors.js';

/**
 * What a model's plan needs beyond its SQL: the contract check (run before anything is built) and
 * its table DDL, and the persist_docs comments. Asks the warehouse for the query's columns once.
 */
export async function modelExtras(ctx: ExecContext, node: ManifestNode, conn: Connection, sql: string, mat: string, probed?: Column[]): Promise<Pick<PlanInput, 'contract' | 'afterBuild'>> {
  const contracted = isContracted(node) && mat !== 'ephemeral';
  const docs = wantsColumnDocs(node) || Boolean((node.config.persist_docs as { relation?: boolean } | undefined)?.relation);
  if (!contracted && !docs) return {};
  const d = ctx.session.dialect;
  let columns = probed ?? null;
  if (!columns && (contracted || wantsColumnDocs(node))) columns = (await conn.execute(`select * from (\n${sql}\n) as mflow_probe limit 0`)).columns;
  const out: Pick<PlanInput, 'contract' | 'afterBuild'> = {};
  if (contracted) {
    const cols = contractColumns(node);
    const expected = (await conn.execute(contractTypesSql(cols))).columns;
    const rows = contractMismatches(columns!, expected);
    if (rows.length) throw contractError(node, rows);
    for (const msg of checkConstraintSupport(node, d)) ctx.console.emit({ type: 'warn', msg, file: node.patch_path ?? node.original_file_path });
    if (mat === 'table' || mat === 'incremental') {
      const refRel = (expr: string) => {
        const m = /^\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*$/.exec(expr);
        const target = m ? Object.values(ctx.compile.manifest.nodes).find((x) => x.name === m[1] && x.relation_name) : undefined;
        if (!target) throw new MflowError('CONTRACT', `The foreign key of ${node.name} points to ${expr}, which is not a model, seed or snapshot of this project`, { file: node.patch_path ?? node.original_file_path, node: node.unique_id, hint: "Write to: ref('other_model') with to_columns: [id]." });
        return target.relation_name!;
      };
      out.contract = { tableStatements: (target, o) => contractTableStatements(d, target, node, sql, refRel, o) };
    }
  }
  if (docs && mat !== 'ephemeral') {
    const target = d.relation({ database: node.database, schema: node.schema, identifier: node.alias });
    out.afterBuild = persistDocsStatements(d, node, target, mat === 'view' ? 'view' : 'table', columns);
  }
  return out;
}
