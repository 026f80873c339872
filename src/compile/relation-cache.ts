import type { Adapter, Relation } from '../contracts/adapter.js';

/**
 * What exists in the warehouse, listed once per schema per run (one round trip each) and kept
 * up to date as nodes build, so `is_incremental()` and materializations need no extra queries.
 */
export class RelationCache {
  private readonly schemas = new Map<string, Map<string, Relation>>();
  private readonly pending = new Map<string, Promise<void>>();
  constructor(private readonly adapter: Adapter) {}

  private key(db: string | null, schema: string): string {
    return `${db ?? ''}.${schema}`.toLowerCase();
  }

  async load(db: string | null, schema: string): Promise<void> {
    const k = this.key(db, schema);
    if (this.schemas.has(k)) return;
    let p = this.pending.get(k);
    if (!p) {
      p = this.adapter.introspector.listRelations(db, schema).then((rels) => {
        const m = new Map<string, Relation>();
        for (const r of rels) m.set(r.identifier.toLowerCase(), r);
        this.schemas.set(k, m);
      });
      this.pending.set(k, p);
    }
    await p;
  }

  /** Only what was loaded; used from synchronous template calls. */
  peek(db: string | null, schema: string, identifier: string): Relation | null {
    return this.schemas.get(this.key(db, schema))?.get(identifier.toLowerCase()) ?? null;
  }

  async get(db: string | null, schema: string, identifier: string): Promise<Relation | null> {
    await this.load(db, schema);
    return this.peek(db, schema, identifier);
  }

  /** The listing found at least one relation, so the schema exists (no need to list schemas). */
  hasAny(db: string | null, schema: string): boolean {
    return (this.schemas.get(this.key(db, schema))?.size ?? 0) > 0;
  }

  schemaKnown(db: string | null, schema: string): boolean {
    const m = this.schemas.get(this.key(db, schema));
    return m !== undefined;
  }

  set(rel: Relation): void {
    const k = this.key(rel.database, rel.schema);
    if (!this.schemas.has(k)) this.schemas.set(k, new Map());
    this.schemas.get(k)!.set(rel.identifier.toLowerCase(), rel);
  }

  drop(db: string | null, schema: string, identifier: string): void {
    this.schemas.get(this.key(db, schema))?.delete(identifier.toLowerCase());
  }
}
