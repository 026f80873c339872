// `mflow deps` against real sources made by the test: local folders, a git repository (the git
// CLI), tarballs and a package hub served on 127.0.0.1 with the hub's JSON API.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deps } from '../../src/deps/install.js';
import { MflowError } from '../../src/errors.js';

const scratch = mkdtempSync(join(tmpdir(), 'mflow-deps-test-'));
let server: Server;
let hubUrl = '';
/** owner/name → version → { name, deps, tarball file } */
const hub = new Map<string, Map<string, { name: string; packages: unknown[]; file: string }>>();
const tarballs = new Map<string, Buffer>();
let hubHits = 0;

function write(dir: string, files: Record<string, string>): string {
  for (const [p, t] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), t);
  }
  return dir;
}

/** A package folder, packed as `<name>-<version>/...` the way GitHub archives are. */
async function publish(id: string, version: string, packages: unknown[] = []): Promise<void> {
  const name = id.split('/')[1];
  const top = `${name}-${version}`;
  const src = write(join(scratch, 'src', top), { 'dbt_project.yml': `name: ${name}\nversion: '${version}'\n`, [`macros/${name}.sql`]: `{% macro ${name}_version() %}'${version}'{% endmacro %}\n`, 'packages.yml': `packages: ${JSON.stringify(packages)}\n` });
  const file = join(scratch, `${top}.tar.gz`);
  await tar.c({ gzip: true, cwd: dirname(src), file, portable: true }, [top]);
  tarballs.set(`${top}.tar.gz`, readFileSync(file));
  if (!hub.has(id)) hub.set(id, new Map());
  hub.get(id)!.set(version, { name, packages, file: `${top}.tar.gz` });
}

function project(files: Record<string, string>): string {
  return write(mkdtempSync(join(scratch, 'proj-')), { 'dbt_project.yml': 'name: root\nprofile: x\n', ...files });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    hubHits++;
    const path = req.url ?? '/';
    const m = /^\/api\/v1\/(.+)\.json$/.exec(path);
    if (path === '/api/v1/index.json') return void res.end(JSON.stringify([...hub.keys()]));
    if (m && hub.has(m[1])) {
      const versions = Object.fromEntries([...hub.get(m[1])!].map(([v, e]) => [v, { name: e.name, version: v, packages: e.packages, downloads: { tarball: `${hubUrl}t/${e.file}`, sha1: createHash('sha1').update(tarballs.get(e.file)!).digest('hex') } }]));
      return void res.end(JSON.stringify({ name: m[1].split('/')[1], namespace: m[1].split('/')[0], versions }));
    }
    const t = /^\/t\/(.+)$/.exec(path);
    if (t && tarballs.has(t[1])) return void res.end(tarballs.get(t[1]));
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hubUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  await publish('acme/base', '1.0.0');
  await publish('acme/base', '1.2.0');
  await publish('acme/base', '2.0.0');
  await publish('acme/base', '2.1.0-b1');
  await publish('acme/top', '0.5.0', [{ package: 'acme/base', version: ['>=1.0.0', '<2.0.0'] }]);
  await publish('acme/strict', '1.0.0', [{ package: 'acme/base', version: ['>=2.0.0'] }]);
});

afterAll(() => {
  server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const version = (dir: string, name: string) => readFileSync(join(dir, 'dbt_packages', name, 'dbt_project.yml'), 'utf8').match(/version: '([^']+)'/)![1];

describe('mflow deps', () => {
  test('hub packages: the highest version in range, transitive dependencies, and a lock honoured until packages.yml changes', async () => {
    const dir = project({ 'packages.yml': 'packages:\n  - package: acme/top\n    version: [">=0.1.0", "<1.0.0"]\n' });
    const r = await deps({ projectDir: dir, hubUrl });
    expect(r.installed.map((p) => `${p.name}@${p.version}`).sort()).toEqual(['base@1.2.0', 'top@0.5.0']);
    expect(version(dir, 'base')).toBe('1.2.0');
    const lock = readFileSync(join(dir, 'package-lock.yml'), 'utf8');
    expect(lock).toMatch(/package: acme\/base\n\s+version: 1\.2\.0\n\s+name: base/);
    expect(lock).toMatch(/sha1_hash: [0-9a-f]{40}/);
    // A newer 1.x on the hub does not move a locked install; --upgrade does.
    await publish('acme/base', '1.3.0');
    const again = await deps({ projectDir: dir, hubUrl });
    expect(again.lockUpdated).toBe(false);
    expect(version(dir, 'base')).toBe('1.2.0');
    const upgraded = await deps({ projectDir: dir, hubUrl, upgrade: true });
    expect(upgraded.lockUpdated).toBe(true);
    expect(version(dir, 'base')).toBe('1.3.0');
    // Changing packages.yml re-resolves.
    writeFileSync(join(dir, 'packages.yml'), 'packages:\n  - package: acme/base\n    version: "1.0.0"\n');
    const changed = await deps({ projectDir: dir, hubUrl });
    expect(changed.lockUpdated).toBe(true);
    expect(changed.installed.map((p) => p.name)).toEqual(['base']);
    expect(existsSync(join(dir, 'dbt_packages', 'top'))).toBe(false);
  });

  test('pre-releases only with install-prerelease, and conflicting ranges are a clear error that installs nothing', async () => {
    const pre = project({ 'packages.yml': 'packages:\n  - package: acme/base\n    version: [">=2.0.0"]\n    install-prerelease: true\n' });
    await deps({ projectDir: pre, hubUrl });
    expect(version(pre, 'base')).toBe('2.1.0-b1');
    const plain = project({ 'packages.yml': 'packages:\n  - package: acme/base\n    version: [">=2.0.0"]\n' });
    await deps({ projectDir: plain, hubUrl });
    expect(version(plain, 'base')).toBe('2.0.0');
    const clash = project({ 'packages.yml': 'packages:\n  - package: acme/top\n    version: "0.5.0"\n  - package: acme/strict\n    version: "1.0.0"\n' });
    const err = await deps({ projectDir: clash, hubUrl }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MflowError);
    expect((err as MflowError).message).toMatch(/Version conflict for package acme\/base: .*>=1\.0\.0 <2\.0\.0.*>=2\.0\.0/);
    expect(existsSync(join(clash, 'dbt_packages'))).toBe(false);
    expect(existsSync(join(clash, 'package-lock.yml'))).toBe(false);
    const missing = project({ 'packages.yml': 'packages:\n  - package: acme/bse\n    version: "1.0.0"\n' });
    await expect(deps({ projectDir: missing, hubUrl })).rejects.toThrow(/acme\/bse' was not found on the package hub/);
  });

  test('local packages are linked, git packages cloned at a revision (subdirectory too), tarballs unpacked; the lock pins the commit', async () => {
    const local = write(join(scratch, 'localpkg'), { 'dbt_project.yml': 'name: localpkg\n', 'macros/l.sql': '{% macro l() %}1{% endmacro %}\n' });
    const repo = write(join(scratch, 'repo'), { 'sub/dbt_project.yml': "name: gitpkg\nversion: '1'\n", 'sub/macros/g.sql': "{% macro g() %}'v1'{% endmacro %}\n" });
    const git = (...a: string[]) => execFileSync('git', a, { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).trim();
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'v1');
    git('tag', 'v1');
    const v1 = git('rev-parse', 'HEAD');
    writeFileSync(join(repo, 'sub/macros/g.sql'), "{% macro g() %}'v2'{% endmacro %}\n");
    git('commit', '-qam', 'v2');
    const dir = project({
      'packages.yml': `packages:\n  - local: ${local}\n  - git: ${repo}\n    revision: v1\n    subdirectory: sub\n  - tarball: ${hubUrl}t/base-1.0.0.tar.gz\n    name: base\n`,
    });
    const r = await deps({ projectDir: dir, hubUrl });
    expect(r.installed.map((p) => p.name).sort()).toEqual(['base', 'gitpkg', 'localpkg']);
    expect(lstatSync(join(dir, 'dbt_packages', 'localpkg')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'dbt_packages', 'gitpkg', 'macros', 'g.sql'), 'utf8')).toContain("'v1'");
    expect(existsSync(join(dir, 'dbt_packages', 'gitpkg', '.git'))).toBe(false);
    expect(version(dir, 'base')).toBe('1.0.0');
    expect(readFileSync(join(dir, 'package-lock.yml'), 'utf8')).toContain(`revision: ${v1}`);
    const bad = project({ 'packages.yml': `packages:\n  - git: ${repo}\n    revision: no-such-tag\n` });
    await expect(deps({ projectDir: bad, hubUrl })).rejects.toThrow(/Revision 'no-such-tag' was not found/);
  });

  test('bad entries name the file and line; no packages.yml is not an error', async () => {
    const dir = project({ 'packages.yml': 'packages:\n  - package: acme/base\n  - lcoal: ../x\n' });
    const e = await deps({ projectDir: dir, hubUrl }).catch((x: unknown) => x as MflowError);
    expect(e).toBeInstanceOf(MflowError);
    expect(e.file).toBe('packages.yml');
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/needs a version/);
    const none = await deps({ projectDir: project({}), hubUrl });
    expect(none.installed).toEqual([]);
    expect(hubHits).toBeGreaterThan(0);
  });
});
