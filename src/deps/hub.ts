/**
 * The dbt package hub's JSON API (`{hub}/api/v1/index.json`, `{hub}/api/v1/owner/name.json`), at
 * a configurable address: `hubUrl`, else MFLOW_PACKAGE_HUB_URL or dbt's DBT_PACKAGE_HUB_URL, else
 * https://hub.getdbt.com/. Answers are cached for one `deps` run.
 */
import { MflowError } from '../errors.js';

export const DEFAULT_HUB_URL = 'https://hub.getdbt.com/';

export interface HubVersion {
  name: string;
  version: string;
  packages: Record<string, unknown>[];
  downloads: { tarball: string; sha1?: string };
}

export interface HubPackage {
  name: string;
  namespace: string;
  latest?: string;
  versions: Record<string, HubVersion>;
}

export function hubUrlFrom(explicit: string | undefined, env: NodeJS.ProcessEnv): string {
  const u = explicit ?? env.MFLOW_PACKAGE_HUB_URL ?? env.DBT_PACKAGE_HUB_URL ?? DEFAULT_HUB_URL;
  return u.endsWith('/') ? u : `${u}/`;
}

export class HubClient {
  private readonly cache = new Map<string, Promise<unknown>>();
  constructor(readonly baseUrl: string) {}

  private get<T>(path: string): Promise<T> {
    const url = `${this.baseUrl}api/v1/${path}.json`;
    let p = this.cache.get(url);
    if (!p) {
      p = (async () => {
        let res: Response;
        try {
          res = await fetch(url);
        } catch (e) {
          throw new MflowError('DOWNLOAD', `Could not reach the package hub at ${url}: ${(e as Error).message}`, { hint: 'Check the network, or point MFLOW_PACKAGE_HUB_URL (or DBT_PACKAGE_HUB_URL) at a reachable hub.' });
        }
        if (res.status === 404) return undefined;
        if (!res.ok) throw new MflowError('DOWNLOAD', `The package hub answered ${res.status} for ${url}`, { hint: 'Try again later, or use a git: or tarball: package instead.' });
        return res.json();
      })();
      this.cache.set(url, p);
    }
    return p as Promise<T>;
  }

  /** The package's versions, or an error naming the closest packages the hub has. */
  async package(name: string): Promise<HubPackage> {
    const pkg = await this.get<HubPackage | undefined>(name);
    if (!pkg || typeof pkg !== 'object' || !pkg.versions) {
      const index = (await this.get<string[] | undefined>('index')) ?? [];
      const near = index.filter((n) => n.split('/')[1] === name.split('/')[1]);
      throw new MflowError('CONFIG', `Package '${name}' was not found on the package hub (${this.baseUrl})`, { file: 'packages.yml', hint: near.length ? `Did you mean ${near.map((n) => `'${n}'`).join(' or ')}?` : 'Check the owner/name on hub.getdbt.com, or use a git: package.' });
    }
    return pkg;
  }
}
