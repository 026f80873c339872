/**
 * Getting a package's files: a local folder (used in place), a git repository (the `git` CLI:
 * clone, check out the revision, take the subdirectory) or a tarball (downloaded and unpacked;
 * archives with one top folder, as GitHub and the hub make them, are entered). Everything is
 * fetched into one scratch folder per `deps` run and removed afterwards.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as tar from 'tar';
import { MflowError } from '../errors.js';
import { parseYaml } from '../util/yaml.js';

const run = promisify(execFile);

/** The `name:` in a package's dbt_project.yml (or project.yml). */
export function projectNameAt(dir: string, what: string): string {
  const file = ['dbt_project.yml', 'project.yml'].find((f) => existsSync(join(dir, f)));
  if (!file) throw new MflowError('CONFIG', `${what} has no dbt_project.yml (looked in ${dir})`, { file: 'packages.yml', hint: 'Point the entry at the folder of a dbt project (use subdirectory: for a project inside a repository).' });
  const y = parseYaml<Record<string, unknown>>(readFileSync(join(dir, file), 'utf8'), join(dir, file));
  const name = y.data?.name;
  if (typeof name !== 'string') throw new MflowError('CONFIG', `${join(dir, file)} has no 'name'`, { file: join(dir, file) });
  return name;
}

export function resolveLocal(root: string, path: string): string {
  const p = isAbsolute(path) ? path : resolve(root, path);
  if (!existsSync(p) || !statSync(p).isDirectory()) throw new MflowError('CONFIG', `Local package '${path}' is not a folder (resolved to ${p})`, { file: 'packages.yml', hint: 'local: paths are relative to the project folder.' });
  return p;
}

async function git(args: string[], cwd?: string): Promise<string> {
  try {
    const r = await run('git', args, { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' }, maxBuffer: 64 << 20 });
    return r.stdout.trim();
  } catch (e) {
    const err = e as { stderr?: string; message: string; code?: string };
    if (err.code === 'ENOENT') throw new MflowError('CONFIG', 'git packages need the git command, which was not found', { hint: 'Install git, or use a tarball: or hub package.' });
    throw new MflowError('DOWNLOAD', `git ${args[0]} failed: ${(err.stderr ?? err.message).trim()}`, { file: 'packages.yml', hint: 'Check the repository URL and the revision (a branch, tag or commit).' });
  }
}

/** Clones `url` at `revision` (default branch when absent); returns the folder and the commit. */
export async function fetchGit(scratch: string, url: string, revision: string | undefined): Promise<{ dir: string; commit: string }> {
  const dir = join(scratch, `git-${createHash('sha1').update(`${url}\0${revision ?? ''}`).digest('hex').slice(0, 12)}`);
  if (!existsSync(dir)) {
    await git(['clone', '--quiet', url, dir]);
    if (revision) {
      try {
        await git(['checkout', '--quiet', revision], dir);
      } catch {
        throw new MflowError('DOWNLOAD', `Revision '${revision}' was not found in ${url}`, { file: 'packages.yml', hint: 'Use a branch, tag or full commit sha that exists in the repository.' });
      }
    }
  }
  return { dir, commit: await git(['rev-parse', 'HEAD'], dir) };
}

/** Downloads and unpacks a .tar.gz; `sha1` (from the hub) is checked when given. */
export async function fetchTarball(scratch: string, url: string, sha1?: string): Promise<string> {
  const dir = join(scratch, `tar-${createHash('sha1').update(url).digest('hex').slice(0, 12)}`);
  if (existsSync(dir)) return enterSingleFolder(dir);
  let body: Buffer;
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    body = Buffer.from(await res.arrayBuffer());
  } catch (e) {
    throw new MflowError('DOWNLOAD', `Could not download ${url}: ${(e as Error).message}`, { file: 'packages.yml', hint: 'Check the URL and the network.' });
  }
  if (sha1) {
    const got = createHash('sha1').update(body).digest('hex');
    if (got !== sha1) throw new MflowError('DOWNLOAD', `${url} does not match its published sha1 (${got} != ${sha1})`, { hint: 'The download was damaged or changed; run deps again.' });
  }
  const file = `${dir}.tar.gz`;
  writeFileSync(file, body);
  mkdirSync(dir, { recursive: true });
  try {
    await tar.x({ file, cwd: dir, strict: true });
  } catch (e) {
    throw new MflowError('DOWNLOAD', `${url} is not a readable .tar.gz: ${(e as Error).message}`, { file: 'packages.yml' });
  }
  return enterSingleFolder(dir);
}

function enterSingleFolder(dir: string): string {
  const entries = readdirSync(dir).filter((e) => !e.startsWith('.') || e === '.git');
  if (entries.length === 1 && statSync(join(dir, entries[0])).isDirectory() && !existsSync(join(dir, 'dbt_project.yml'))) return join(dir, entries[0]);
  return dir;
}
