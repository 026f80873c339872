import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build, snapshot } from '../../src/api.js';
import { MflowErrors } from '../../src/errors.js';
import { makeProject, query } from './helpers.js';

/** The source the snapshots read: a seed we rewrite between runs. */
const setRows = (dir: string, csv: string) => writeFileSync(join(dir, 'seeds/orders.csv'), csv);

const blockSnapshot = (cfg: string) => `{% snapshot orders_snap %}\n{{ config(${cfg}) }}\nselect * from {{ ref('orders') }}\n{% endsnapshot %}\n`;

async function runAll(p: { dir: string; console: never }): Promise<void> {
  const r = await build({ projectDir: p.dir, console: p.console });
  if (!r.ok) throw new Error(r.results.map((x) => x.message).join('\n'));
}

const history = (db: string, cols = 'id, status, dbt_valid_to is null as current') => query(db, `select ${cols} from main.orders_snap order by id, dbt_valid_from, dbt_valid_to nulls last`);

describe('mflow snapshot', () => {
  it('timestamp strategy (block form): twice without changes adds nothing, a change closes the old version', async () => {
    const p = makeProject({
      'seeds/orders.csv': 'id,status,updated_at\n1,new,2024-01-01 00:00:00\n2,new,2024-01-01 00:00:00\n',
      'snapshots/orders.sql': blockSnapshot("unique_key='id', strategy='timestamp', updated_at='updated_at'"),
    });
    await runAll(p as never);
    await runAll(p as never);
    expect(await query(p.db, 'select count(*) as n from main.orders_snap')).toEqual([{ n: 2 }]);
    setRows(p.dir, 'id,status,updated_at\n1,shipped,2024-01-02 00:00:00\n2,new,2024-01-01 00:00:00\n3,new,2024-01-02 00:00:00\n');
    await runAll(p as never);
    expect(await history(p.db, "id, status, strftime(dbt_valid_from, '%Y-%m-%d') as since, strftime(dbt_valid_to, '%Y-%m-%d') as until")).toEqual([
      { id: 1, status: 'new', since: '2024-01-01', until: '2024-01-02' },
      { id: 1, status: 'shipped', since: '2024-01-02', until: null },
      { id: 2, status: 'new', since: '2024-01-01', until: null },
      { id: 3, status: 'new', since: '2024-01-02', until: null },
    ]);
    const ids = await query(p.db, 'select count(distinct dbt_scd_id) as n, count(*) as m from main.orders_snap');
    expect(ids).toEqual([{ n: 4, m: 4 }]);
    const again = await snapshot({ projectDir: p.dir, console: p.console });
    expect(again.results[0].message).toBe('INSERT 0, UPDATE 0');
  });

  it('check strategy with check_cols all vs a list', async () => {
    const p = makeProject({
      'seeds/orders.csv': 'id,status,note\n1,new,a\n2,new,b\n',
      'snapshots/all.sql': blockSnapshot("unique_key='id', strategy='check', check_cols='all'").replace('orders_snap', 'orders_snap'),
      'snapshots/list.sql': blockSnapshot("unique_key='id', strategy='check', check_cols=['status']").replace('orders_snap', 'status_snap'),
    });
    await runAll(p as never);
    await runAll(p as never);
    expect(await query(p.db, 'select (select count(*) from main.orders_snap) as a, (select count(*) from main.status_snap) as b')).toEqual([{ a: 2, b: 2 }]);
    // Only the note of 1 changes: `all` sees it, the status list does not.
    setRows(p.dir, 'id,status,note\n1,new,changed\n2,done,b\n');
    await runAll(p as never);
    expect(await history(p.db, 'id, status, note, dbt_valid_to is null as current')).toEqual([
      { id: 1, status: 'new', note: 'a', current: false },
      { id: 1, status: 'new', note: 'changed', current: true },
      { id: 2, status: 'new', note: 'b', current: false },
      { id: 2, status: 'done', note: 'b', current: true },
    ]);
    expect(await query(p.db, 'select id, status, note, dbt_valid_to is null as current from main.status_snap order by id, dbt_valid_from')).toEqual([
      { id: 1, status: 'new', note: 'a', current: true },
      { id: 2, status: 'new', note: 'b', current: false },
      { id: 2, status: 'done', note: 'b', current: true },
    ]);
    // The closing time of the old version is the opening time of the new one.
    expect(await query(p.db, 'select count(*) as n from main.orders_snap a join main.orders_snap b on a.id = b.id and a.dbt_valid_to = b.dbt_valid_from')).toEqual([{ n: 2 }]);
  });

  it('hard_deletes ignore, invalidate and new_record (YAML form, custom meta column names)', async () => {
    const yaml = (name: string, mode: string) =>
      `  - name: ${name}\n    relation: ref('orders')\n    config:\n      unique_key: id\n      strategy: check\n      check_cols: all\n      hard_deletes: ${mode}\n      snapshot_meta_column_names:\n        dbt_valid_from: valid_from\n        dbt_valid_to: valid_to\n        dbt_is_deleted: is_deleted\n`;
    const p = makeProject({
      'seeds/orders.csv': 'id,status\n1,new\n2,new\n',
      'snapshots/snaps.yml': `snapshots:\n${yaml('s_ignore', 'ignore')}${yaml('s_invalidate', 'invalidate')}${yaml('s_new', 'new_record')}`,
    });
    await runAll(p as never);
    setRows(p.dir, 'id,status\n1,new\n');
    await runAll(p as never);
    await runAll(p as never);
    const rows = (t: string, extra = '') => query(p.db, `select id, status, valid_to is null as current${extra} from main.${t} order by id, valid_from`);
    expect(await rows('s_ignore')).toEqual([
      { id: 1, status: 'new', current: true },
      { id: 2, status: 'new', current: true },
    ]);
    expect(await rows('s_invalidate')).toEqual([
      { id: 1, status: 'new', current: true },
      { id: 2, status: 'new', current: false },
    ]);
    expect(await rows('s_new', ', is_deleted')).toEqual([
      { id: 1, status: 'new', current: true, is_deleted: 'False' },
      { id: 2, status: 'new', current: false, is_deleted: 'False' },
      { id: 2, status: 'new', current: true, is_deleted: 'True' },
    ]);
    // The deleted row comes back: new_record closes the marker and opens a new version.
    setRows(p.dir, 'id,status\n1,new\n2,back\n');
    await runAll(p as never);
    expect(await rows('s_new', ', is_deleted')).toEqual([
      { id: 1, status: 'new', current: true, is_deleted: 'False' },
      { id: 2, status: 'new', current: false, is_deleted: 'False' },
      { id: 2, status: 'new', current: false, is_deleted: 'True' },
      { id: 2, status: 'back', current: true, is_deleted: 'False' },
    ]);
    expect(await rows('s_invalidate')).toEqual([
      { id: 1, status: 'new', current: true },
      { id: 2, status: 'new', current: false },
      { id: 2, status: 'back', current: true },
    ]);
  });

  it('a snapshot without unique_key fails before anything runs, naming the YAML file and line', async () => {
    const p = makeProject({
      'seeds/orders.csv': 'id,status\n1,new\n',
      'snapshots/snaps.yml': "snapshots:\n  - name: good\n    relation: ref('orders')\n    config: {unique_key: id, strategy: check, check_cols: all}\n  - name: bad\n    relation: ref('orders')\n    config:\n      strategy: timestamp\n",
    });
    const err = await build({ projectDir: p.dir, console: p.console }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MflowErrors);
    const msgs = (err as MflowErrors).errors.map((e) => e.format());
    expect(msgs[0]).toContain("snapshots/snaps.yml:5: Snapshot 'bad' has no unique_key");
    expect(msgs[1]).toContain("snapshots/snaps.yml:5: Snapshot 'bad' uses the timestamp strategy but has no updated_at");
    // Nothing ran: not even the seed.
    expect(await query(p.db, "select count(*) as n from information_schema.tables where table_name in ('orders', 'good')")).toEqual([{ n: 0 }]);
  });

  it('stops on a duplicate key and on an unknown column, naming them', async () => {
    const p = makeProject({
      'seeds/orders.csv': 'id,status\n1,new\n1,old\n',
      'snapshots/a.sql': blockSnapshot("unique_key='id', strategy='check', check_cols=['status']"),
      'snapshots/b.sql': blockSnapshot("unique_key='id', strategy='check', check_cols=['stats']").replace('orders_snap', 'b_snap'),
    });
    const r = await build({ projectDir: p.dir, console: p.console });
    const msg = (id: string) => r.results.find((x) => x.unique_id === id)!.message;
    expect(msg('snapshot.fn.orders_snap')).toContain("unique_key is not unique in its query (id=1 appears 2 times)");
    expect(msg('snapshot.fn.b_snap')).toContain("check_cols 'stats' is not a column of its query");
    expect(msg('snapshot.fn.b_snap')).toContain("Did you mean 'status'?");
  });
});
