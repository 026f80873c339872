/**
 * The Jinja2 dialect mflow renders dbt projects with: nunjucks plus the compat layer in
 * ./compat (see README.md for what is and is not supported), and the entry points the compiler
 * uses to compile templates once, render them synchronously and share macros across files.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import nunjucks from 'nunjucks';
import { MflowError } from '../errors.js';
import { runtimeError, syntaxError } from './compat/errors.js';
import { addJinjaFilters } from './compat/filters.js';
import { addJinjaGlobals, addJinjaTests } from './compat/globals.js';
import { contextClass, installJinjaCompat, MACRO_REGISTRY } from './compat/install.js';
import { Compiler, Frame, parser, runtime, transformer } from './compat/internals.js';

export function createJinjaEnvironment(opts: { loader?: nunjucks.ILoader | nunjucks.ILoader[] } = {}): nunjucks.Environment {
  installJinjaCompat();
  // Jinja2 defaults as dbt uses them: no autoescaping (this is SQL, not HTML), no block trimming.
  const env = new nunjucks.Environment(opts.loader ?? null, { autoescape: false, throwOnUndefined: false });
  addJinjaFilters(env);
  addJinjaGlobals(env);
  addJinjaTests(env);
  return env;
}

/** Compiled code per env and source text, shared by templates with identical source. */
const COMPILED = Symbol('mflow.jinja.compiled');
/** Compiled factories per env and generated code (strings hoisted out), shared by templates of one shape. */
const FACTORIES = Symbol('mflow.jinja.factories');

/** How many distinct compiled template shapes an environment holds (for tests and diagnostics). */
export function templateShapeCount(env: nunjucks.Environment): number {
  return ((env as any)[FACTORIES] as Map<string, unknown> | undefined)?.size ?? 0;
}

/** Compile once; throws MflowError code 'JINJA_SYNTAX' with file, line, column (1-based) on syntax errors. */
export function compileTemplate(env: nunjucks.Environment, source: string, path: string): nunjucks.Template {
  return compile(env, source, path, false);
}

/**
 * `bakePath` puts the file name into the generated code, which macro files need (their macros run
 * from other templates). Without it the code names no file, renderTemplate supplies it, and the
 * code is reused for every template with the same source (dbt generic tests render the same
 * text for thousands of nodes).
 */
function compile(env: nunjucks.Environment, source: string, path: string, bakePath: boolean): nunjucks.Template {
  installJinjaCompat();
  const e = env as any;
  const cache: Map<string, any> = (e[COMPILED] ??= new Map());
  const tmpl = new nunjucks.Template(source, env, path) as any;
  let props = bakePath ? undefined : cache.get(source);
  if (props === undefined) {
    try {
      // Jinja2 (keep_trailing_newline=False, as dbt runs it) drops one trailing newline.
      const src = source.endsWith('\r\n') ? source.slice(0, -2) : source.endsWith('\n') ? source.slice(0, -1) : source;
      let ast = parser.parse(src, e.extensionsList, e.opts);
      // nunjucks' AST transformer only matters for async filters and `super()`; skipping it
      // otherwise saves a full tree walk per template.
      if (e.asyncFilters.length || source.includes('super')) ast = transformer.transform(ast, e.asyncFilters, path);
      const c = new Compiler(bakePath ? path : '', e.opts.throwOnUndefined);
      if (bakePath) {
        c.compile(ast);
        props = new Function(eagerRoot(c.getCode()))();
      } else {
        // Strings hoisted out of the code (compiler-patch.ts): one compiled factory per template
        // shape, called with each template's own strings. 10,000 models that differ only in
        // their SQL text and ref() names need V8 to compile a handful of functions, not 10,000.
        c.hoisted = [];
        c.compile(ast);
        // Template positions (kept for error messages) move to the same array, so that the same
        // shape at other columns or lines is still the same code.
        const code = eagerRoot(c.getCode()).replace(/\b(lineno|colno) = (\d+)/g, (_m: string, v: string, n: string) => `${v} = __d[${c.hoisted.push(Number(n)) - 1}]`);
        const factories: Map<string, (d: string[]) => any> = (e[FACTORIES] ??= new Map());
        let factory = factories.get(code);
        if (!factory) factories.set(code, (factory = new Function('__d', code) as (d: string[]) => any));
        props = factory(c.hoisted);
      }
    } catch (err) {
      throw syntaxError(err, path, source);
    }
    if (!bakePath) cache.set(source, props);
  }
  tmpl.blocks = tmpl._getBlocks(props);
  tmpl.rootRenderFunc = props.root;
  tmpl.compiled = true;
  return tmpl;
}

/**
 * Wraps the generated `function root(...)` in parentheses, which makes V8 compile it eagerly
 * together with the module code instead of parsing it twice (pre-parse, then a full parse on the
 * first render): about half the V8 cost of a fresh template.
 */
function eagerRoot(code: string): string {
  if (!code.startsWith('function root(')) return code;
  const b = code.indexOf('\nfunction b_');
  const end = b !== -1 ? b : code.lastIndexOf('\nreturn {');
  if (end === -1) return code;
  return 'var root = (' + code.slice(0, end) + ');' + code.slice(end);
}

/**
 * Render synchronously. Errors become MflowError 'JINJA_RUNTIME' with the failing template line;
 * objects with a truthy `__mflowSuspend` are rethrown unchanged (suspend-and-replay of run_query).
 */
export function renderTemplate(env: nunjucks.Environment, tmpl: nunjucks.Template, context: Record<string, unknown>, path: string): string {
  const t = tmpl as any;
  if (!t.compiled) {
    try {
      t._compile();
    } catch (e) {
      throw syntaxError(e, path);
    }
  }
  const Context = contextClass();
  const ctx = new Context(context, t.blocks, env);
  const frame = new Frame();
  frame.topLevel = true;
  let out: string | undefined;
  let failure: unknown;
  let failed = false;
  try {
    t.rootRenderFunc(env, ctx, frame, runtime, (err: unknown, res: string) => {
      if (err !== null && err !== undefined) {
        if (!failed) {
          failed = true;
          failure = err;
        }
      } else if (!failed) out = res;
    });
  } catch (e) {
    // thrown from a callback of an include/extends chain rather than passed to cb
    failed = true;
    failure = e;
  }
  if (failed) throw runtimeError(failure, path);
  if (out === undefined) {
    throw new MflowError('JINJA_RUNTIME', 'template did not finish rendering synchronously (an asynchronous loader or filter was used)', { file: path });
  }
  return out;
}

/**
 * Compiles macro files and returns their macros by name. Every macro is also registered on the
 * environment, so templates and other macros find it by name even when it was loaded after them
 * (late lookup). Loading a second set later replaces same-named macros (packages, then project).
 */
export function loadMacros(env: nunjucks.Environment, files: { path: string; source: string }[], context: Record<string, unknown>): Record<string, (...args: unknown[]) => unknown> {
  const e = env as any;
  const registry: Record<string, any> = (e[MACRO_REGISTRY] ??= Object.create(null));
  const found: Record<string, (...args: unknown[]) => unknown> = {};
  const origin: Record<string, string> = {};
  for (const file of files) {
    const tmpl = compile(env, file.source, file.path, true) as any;
    let exported: Record<string, unknown> | undefined;
    let failure: unknown;
    // As nunjucks' getExported, but keeping macros whose names start with `_`: Jinja2 hides
    // them from `import`, while dbt makes every macro of a package callable (`dbt_utils._is_relation`).
    const Context = contextClass();
    const ctx = new Context({ ...context }, tmpl.blocks, env);
    const frame = new Frame();
    frame.topLevel = true;
    tmpl.rootRenderFunc(env, ctx, frame, runtime, (err: unknown) => {
      if (err) failure = err;
      else exported = Object.fromEntries(Object.entries(ctx.ctx as Record<string, unknown>).filter(([k, v]) => typeof v === 'function' && !(k in context)));
    });
    if (failure !== undefined) throw runtimeError(failure, file.path);
    for (const [name, value] of Object.entries(exported ?? {})) {
      if (typeof value !== 'function') continue;
      if (origin[name]) {
        throw new MflowError('COMPILER_ERROR', `macro '${name}' is defined twice: in ${origin[name]} and in ${file.path}`, {
          file: file.path,
          hint: 'rename or delete one of them',
        });
      }
      origin[name] = file.path;
      const fn = value as (...args: unknown[]) => unknown;
      const path = file.path;
      // Called from JS (not from a template), a failure still comes out as a located MflowError.
      found[name] = function (this: unknown, ...args: unknown[]) {
        try {
          return fn.apply(this, args);
        } catch (err) {
          throw runtimeError(err, path);
        }
      };
      registry[name] = value;
    }
  }
  return found;
}
