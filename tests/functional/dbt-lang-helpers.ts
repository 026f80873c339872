import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest } from '../../src/contracts/manifest.js';

/** The manifest a command left in target/ (as tools that read dbt artifacts see it). */
export function manifestOf(dir: string): Manifest & Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'target', 'manifest.json'), 'utf8')) as Manifest & Record<string, unknown>;
}
