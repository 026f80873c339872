import type { Dialect } from '../contracts/adapter.js';

/**
 * The relation object templates see as `this`, `ref()`, `source()` and `adapter.get_relation()`:
 * it prints as the quoted name and keeps its parts, as dbt's Relation does.
 */
export class JinjaRelation {
  constructor(
    private readonly dialect: Dialect,
    readonly database: string | null,
    readonly schema: string | null,
    readonly identifier: string,
    readonly type: 'table' | 'view' | 'cte' | 'external' | null = null,
    private readonly limitTo?: { database: boolean; schema: boolean; identifier: boolean },
    /** A name rendered elsewhere (a source with `quoting:` overrides). */
    private readonly fixedText?: string,
  ) {}

  /** dbt's Relation is a mapping whose `metadata.type` names its class; packages test for it (dbt_utils._is_relation). */
  readonly __jinjaMapping = true;
  get metadata(): { type: string } {
    return { type: this.dialect.relationClass ?? 'Relation' };
  }
  get path(): { database: string | null; schema: string | null; identifier: string } {
    return { database: this.database, schema: this.schema, identifier: this.identifier };
  }
  get(key: string, dflt: unknown = null): unknown {
    const v = key === 'metadata' ? this.metadata : key === 'path' ? this.path : key === 'type' ? this.type : undefined;
    return v === undefined ? dflt : v;
  }

  get name(): string {
    return this.identifier;
  }
  get table(): string {
    return this.identifier;
  }
  get is_table(): boolean {
    return this.type === 'table';
  }
  get is_view(): boolean {
    return this.type === 'view';
  }
  get is_cte(): boolean {
    return this.type === 'cte';
  }

  /** Relations are immutable and printed once per ref(): the text is kept after the first time. */
  private text?: string;

  render(): string {
    return (this.text ??= this.renderText());
  }

  private renderText(): string {
    if (this.type === 'cte') return this.identifier;
    if (this.fixedText && !this.limitTo) return this.fixedText;
    const inc = this.limitTo ?? { database: true, schema: true, identifier: true };
    return this.dialect.relation({
      database: inc.database ? this.database : null,
      schema: inc.schema ? this.schema ?? '' : '',
      identifier: inc.identifier ? this.identifier : '',
    });
  }

  toString(): string {
    return this.render();
  }

  /** `{{ this.include(database=false) }}` as in dbt. */
  include(kw: { database?: boolean; schema?: boolean; identifier?: boolean } = {}): JinjaRelation {
    return new JinjaRelation(this.dialect, this.database, this.schema, this.identifier, this.type, {
      database: kw.database ?? true,
      schema: kw.schema ?? true,
      identifier: kw.identifier ?? true,
    });
  }

  incorporate(kw: { path?: { database?: string; schema?: string; identifier?: string }; type?: JinjaRelation['type'] } = {}): JinjaRelation {
    return new JinjaRelation(this.dialect, kw.path?.database ?? this.database, kw.path?.schema ?? this.schema, kw.path?.identifier ?? this.identifier, kw.type ?? this.type);
  }
}
