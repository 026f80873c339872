/**
 * Installs the Jinja2 compatibility patches into nunjucks, once per process. nunjucks keeps its
 * lexer, parser, compiler and runtime as shared singletons, so the patches are global: every
 * nunjucks environment in this process speaks the Jinja2 dialect afterwards (mflow has no other).
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import nunjucks from 'nunjucks';
import { patchCompiler } from './compiler-patch.js';
import { runtime } from './internals.js';
import * as rt from './runtime-values.js';
import { pyTruthy } from './python-values.js';
import { patchLexer, patchParser } from './syntax-patch.js';

let installed = false;
let ContextClass: any;

/** The per-env registry that makes macros loaded from any file visible to every template. */
export const MACRO_REGISTRY = Symbol.for('mflow.jinja.macros');

export function installJinjaCompat(): void {
  if (installed) return;
  installed = true;
  // nunjucks' own compat layer brings slice syntax (`x[1:]`); its other runtime hooks are
  // replaced below by versions with Python semantics.
  const origLookup = runtime.contextOrFrameLookup;
  (nunjucks as any).installJinjaCompat();
  runtime.contextOrFrameLookup = origLookup;

  patchLexer();
  patchParser();
  patchCompiler();

  Object.assign(runtime, {
    suppressValue: rt.suppressValue,
    memberLookup: rt.memberLookup,
    callWrap: rt.callWrap,
    jinjaItem: rt.itemLookup,
    jinjaCallMember: rt.callMember,
    jinjaAdd: rt.add,
    jinjaSub: rt.sub,
    jinjaMul: rt.mul,
    jinjaMod: rt.mod,
    jinjaConcat: rt.concat,
    jinjaTruthy: pyTruthy,
    jinjaIterable: rt.iterable,
    jinjaUnpack: rt.unpack,
    jinjaSetAttr: rt.setAttr,
    jinjaMacro: rt.makeMacro,
    jinjaMissing: rt.MISSING,
    jinjaLocate: rt.locate,
    JinjaLoop: rt.JinjaLoop,
    jinjaTuple: rt.makeTuple,
    jinjaKwSplat: rt.kwSplat,
    jinjaEq: rt.pyEq,
    jinjaSlot: undefined,
    jinjaCompareChain: rt.compareChain,
    // A computed dict key as Python's str() of it would print (True, None, numbers).
    jinjaKey: (k: unknown) => (k === true ? 'True' : k === false ? 'False' : k === null || k === undefined ? 'None' : k),
  });

  ContextClass = findContextClass();
  // Late lookup: after the render context and the env globals, fall back to the macros loaded
  // with loadMacros(), so a macro can call one defined in a file loaded after its own.
  ContextClass.prototype.lookup = function lookup(this: any, name: string) {
    const ctx = this.ctx;
    if (name in ctx) return ctx[name];
    // A package's macros see the other macros of their package first (dbt's local namespace).
    const local = ctx.__mflowLocal;
    if (local !== undefined && name in local) return local[name];
    const g = this.env.globals;
    if (name in g) return g[name];
    const reg = this.env[MACRO_REGISTRY];
    return reg !== undefined ? reg[name] : undefined;
  };
}

/** nunjucks does not export its Context class; a template call hands it to us as `this`. */
function findContextClass(): any {
  const env = new nunjucks.Environment(null, { autoescape: false });
  let ctx: any;
  env.addGlobal('grab', function (this: any) {
    ctx = this;
    return '';
  });
  env.renderString('{{ grab() }}', {});
  if (!ctx || typeof ctx.lookup !== 'function') throw new Error('nunjucks internals changed: Context not found');
  return ctx.constructor;
}

export function contextClass(): any {
  installJinjaCompat();
  return ContextClass;
}
