/**
 * One folder per warehouse: code outside `src/adapters/` never branches on a warehouse's name; it
 * asks the dialect's capabilities or the registry's descriptor. A new warehouse is then a folder
 * and one registry line, not a hunt through seeds/, docs/, pipeline/ and unit-tests/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { warehouseTypes } from '../../src/adapters/index.js';

const SRC = join(import.meta.dirname, '../../src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('the warehouse seam', () => {
  it('no file outside src/adapters/ names a warehouse in a string', () => {
    const names = warehouseTypes();
    expect(names).toEqual(['duckdb', 'snowflake']);
    const hits: string[] = [];
    for (const f of tsFiles(SRC).filter((p) => !p.startsWith(join(SRC, 'adapters')))) {
      readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
        for (const n of names) if (line.includes(`'${n}'`) || line.includes(`"${n}"`)) hits.push(`${f.slice(SRC.length + 1)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });
});
