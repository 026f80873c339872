import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProjectConfig, ResolvedTarget } from '../../project/types.js';
import { sha256 } from '../../util/fs.js';
import { MFLOW_VERSION } from '../../version.js';
import { CACHE_FORMAT } from './cache.js';

/** Files whose stamp is this close to the scan that recorded it may have changed within one clock tick. */
export const RACY_MS = 50;

/** Files of this build of mflow: a rebuilt mflow (new code, same version number) is a full parse. */
const BUILD_FILES = ['../build.js', '../../jinja/context.js', '../../compile/compiler.js', './index.js', './key.js'];
let buildStamp: string | null = null;
function mflowBuild(): string {
  if (buildStamp === null) {
    buildStamp = BUILD_FILES.map((f) => {
      try {
        return String(statSync(fileURLToPath(new URL(f, import.meta.url))).mtimeMs);
      } catch {
        return '?';
      }
    }).join(',');
  }
  return buildStamp;
}

/** Everything besides files that a render depends on. */
export function inputKeyOf(project: ProjectConfig, target: ResolvedTarget, dialectType: string, vars: Record<string, unknown>): string {
  return sha256(
    JSON.stringify({
      format: CACHE_FORMAT,
      mflow: MFLOW_VERSION,
      build: mflowBuild(),
      node: process.version,
      project,
      target,
      dialect: dialectType,
      vars,
      projectFile: (() => {
        try {
          return sha256(readFileSync(join(project.root, project.file)));
        } catch {
          return null;
        }
      })(),
    }),
  );
}

