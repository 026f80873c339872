/**
 * Turns what nunjucks throws into MflowErrors that name the template file, line and column, so
 * users fix their project from the message alone.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { MflowError } from '../../errors.js';
import { errorLocation, JinjaReturn } from './runtime-values.js';

/** nunjucks' TemplateError text starts with "(path) [Line n, Column m]\n  "; keep only the message. */
function cleanMessage(msg: string): string {
  return msg.replace(/^\([^)]*\)(?: \[Line \d+(?:, Column \d+)?\])?\n\s*/, '').replace(/^Template render error: /, '');
}

export function syntaxError(e: unknown, path: string, source?: string): MflowError {
  if (e instanceof MflowError) return e;
  const err = e as any;
  let line = typeof err?.lineno === 'number' && err.lineno > 0 ? err.lineno : undefined;
  // nunjucks reports a tag left open at the end of the file there: point at the tag that opened it.
  const open = source !== undefined && /end of file/.test(String(err?.message)) ? unclosedBlock(source) : null;
  if (open) line = open.line;
  else if (line === undefined && source !== undefined && /end of file/.test(String(err?.message))) line = source.split('\n').length;
  const column = open ? open.column : line !== undefined && typeof err?.colno === 'number' && err.colno > 0 ? err.colno : undefined;
  const message = open
    ? `{% ${open.tag} %} is never closed: add {% end${open.tag} %}`
    : err instanceof SyntaxError
    ? `template compiled to invalid code (${err.message}); a {% break %}/{% continue %} inside an include or import in a loop is the usual cause`
    : cleanMessage(String(err?.message ?? err)).replace(/^unexpected end of file$/, 'unexpected end of file: a block tag ({% if %}, {% for %}, {% macro %}, ...) is not closed');
  return new MflowError('JINJA_SYNTAX', `Jinja syntax error: ${message}`, {
    file: path,
    line,
    column,
    cause: e,
    hint: 'see src/jinja/README.md for the Jinja2 constructs mflow supports',
  });
}

const BLOCKS = new Set(['if', 'for', 'macro', 'call', 'filter', 'raw', 'test', 'materialization', 'snapshot', 'docs', 'with', 'block', 'set']);

/** The innermost block tag still open at the end of `source`, with its line and column. */
export function unclosedBlock(source: string): { tag: string; line: number; column: number } | null {
  const stack: { tag: string; at: number }[] = [];
  const re = /\{#[\s\S]*?#\}|\{%-?\s*(\w+)([\s\S]*?)-?%\}/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(source))) {
    const tag = m[1];
    if (!tag) continue;
    if (stack.at(-1)?.tag === 'raw' && tag !== 'endraw') continue;
    // `{% set x = 1 %}` is a statement; only `{% set x %}...{% endset %}` is a block.
    if (BLOCKS.has(tag) && !(tag === 'set' && m[2].includes('='))) stack.push({ tag, at: m.index });
    else if (tag.startsWith('end') && stack.at(-1)?.tag === tag.slice(3)) stack.pop();
  }
  const top = stack.at(-1);
  if (!top) return null;
  const before = source.slice(0, top.at);
  return { tag: top.tag, line: before.split('\n').length, column: top.at - before.lastIndexOf('\n') };
}

/**
 * Runtime failures. Suspend signals (`__mflowSuspend`) are returned unchanged for the caller to
 * rethrow; MflowErrors keep code and message and gain the location if they have none.
 */
export function runtimeError(e: unknown, path: string): unknown {
  if (e !== null && typeof e === 'object' && (e as any).__mflowSuspend) return e;
  if (e instanceof JinjaReturn) {
    return new MflowError('JINJA_RUNTIME', 'return() can only be used inside a macro', { file: path, hint: 'wrap the logic in a {% macro %} and call it' });
  }
  const loc = errorLocation(e);
  if (e instanceof MflowError) {
    if (!e.file) e.file = path;
    return e;
  }
  const err = e as any;
  const message = cleanMessage(String(err?.message ?? err));
  return new MflowError('JINJA_RUNTIME', message, {
    file: loc?.file || path,
    line: loc?.line ?? (typeof err?.lineno === 'number' ? err.lineno : undefined),
    column: loc?.column ?? (typeof err?.colno === 'number' ? err.colno : undefined),
    cause: e,
  });
}
