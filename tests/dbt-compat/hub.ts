/**
 * A package hub on 127.0.0.1 that answers as hub.getdbt.com does (`api/v1/index.json`,
 * `api/v1/<owner>/<name>.json`, tarball downloads), serving the unmodified fixture packages as
 * .tar.gz files made when it starts. dbt-core (DBT_PACKAGE_HUB_URL) and mflow (--hub-url) both
 * resolve hub packages through it, since there is no internet here.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { basename, dirname, join } from 'node:path';
import * as tar from 'tar';
import { parse } from 'yaml';

export interface HubEntry {
  /** `dbt-labs/dbt_utils` */
  id: string;
  /** The package folder (its dbt_project.yml gives the name). */
  dir: string;
  /** The released version (dbt-labs' dbt_project.yml files carry a stale `version:`). */
  version: string;
}

export interface Hub {
  url: string;
  close(): Promise<void>;
}

export async function startHub(entries: HubEntry[], scratch: string): Promise<Hub> {
  const files = new Map<string, Buffer>();
  const packages = new Map<string, Record<string, unknown>>();
  let base = '';
  for (const e of entries) {
    const project = parse(readFileSync(join(e.dir, 'dbt_project.yml'), 'utf8')) as Record<string, unknown>;
    const name = String(project.name);
    const version = e.version;
    const file = `${name}-${version}.tar.gz`;
    await tar.c({ gzip: true, cwd: dirname(e.dir), file: join(scratch, file), portable: true }, [basename(e.dir)]);
    const body = readFileSync(join(scratch, file));
    files.set(file, body);
    let deps: unknown[] = [];
    try {
      deps = ((parse(readFileSync(join(e.dir, 'packages.yml'), 'utf8')) as { packages?: unknown[] })?.packages ?? []) as unknown[];
    } catch {
      deps = [];
    }
    const req = project['require-dbt-version'];
    const [namespace] = e.id.split('/');
    packages.set(e.id, {
      name,
      namespace,
      description: '',
      latest: version,
      versions: {
        [version]: {
          id: `${e.id}/${version}`,
          name,
          version,
          published_at: '2025-01-01T00:00:00Z',
          packages: deps,
          works_with: [],
          require_dbt_version: Array.isArray(req) ? req : req ? [req] : [],
          _source: { type: 'github', url: '', readme: '' },
          downloads: { get tarball() { return `${base}tarballs/${file}`; }, format: 'tgz', sha1: createHash('sha1').update(body).digest('hex') },
        },
      },
    });
  }
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const json = (v: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(v));
    };
    if (path === '/api/v1/index.json') return json([...packages.keys()]);
    const m = /^\/api\/v1\/(.+)\.json$/.exec(path);
    if (m && packages.has(m[1])) return json(packages.get(m[1]));
    const t = /^\/tarballs\/(.+)$/.exec(path);
    if (t && files.has(t[1])) {
      res.writeHead(200, { 'content-type': 'application/gzip' });
      return res.end(files.get(t[1]));
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error": "not found"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  base = `http://127.0.0.1:${addr.port}/`;
  return { url: base, close: () => new Promise((r) => server.close(() => r())) };
}
