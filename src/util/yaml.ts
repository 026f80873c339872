import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Document, type Node as YamlNode } from 'yaml';
import { MflowError } from '../errors.js';

/** A parsed YAML file that remembers where each value came from, for messages with lines. */
export interface YamlFile<T = unknown> {
  file: string;
  data: T;
  /** 1-based line of the value at `path` (or of its nearest existing ancestor). */
  lineOf(path: (string | number)[]): number;
}

export function parseYaml<T = unknown>(text: string, file: string): YamlFile<T> {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const pos = err.linePos?.[0];
    throw new MflowError('YAML_SYNTAX', `YAML syntax error: ${err.message.split('\n')[0]}`, {
      file,
      line: pos?.line,
      column: pos?.col,
      hint: 'Fix the YAML (indentation, a missing colon or an unclosed quote are the usual causes).',
    });
  }
  const data = (doc.toJS({ maxAliasCount: 1000 }) ?? {}) as T;
  const lineOf = (path: (string | number)[]): number => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as YamlNode | undefined;
      const range = node && (node as { range?: [number, number, number] }).range;
      if (range) {
        // For a map key we want the key's line: find the pair.
        return lineCounter.linePos(range[0]).line;
      }
    }
    return 1;
  };
  const keyLine = (path: (string | number)[]): number => {
    if (path.length === 0) return 1;
    const parent = doc.getIn(path.slice(0, -1), true) as YamlNode | undefined;
    if (parent && isMap(parent)) {
      const key = path[path.length - 1];
      for (const pair of parent.items) {
        if (isScalar(pair.key) && pair.key.value === key && pair.key.range) return lineCounter.linePos(pair.key.range[0]).line;
      }
    }
    if (parent && isSeq(parent)) return lineOf(path);
    return lineOf(path);
  };
  return { file, data, lineOf: (p) => keyLine(p) };
}
