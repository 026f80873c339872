/**
 * Code generation changes: Jinja2 scoping for `for`/`with`/macros, loop filters and `loop.cycle`,
 * `break`/`continue`, `do`, namespace attribute assignment, Python operators, macros with
 * varargs/kwargs/`return()`, and line tracking so runtime errors name the failing template line.
 * Generated code calls the `runtime.jinja*` helpers installed by install.ts.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { Compiler, Frame, nodes } from './internals.js';

const C = Compiler.prototype;

/** Position of the start of a call's callee (`a` in `a.b(1)`), which is what users look for. */
function startOf(node: any): { lineno: number; colno: number } {
  let n = node;
  while (n && (n instanceof nodes.LookupVal || n instanceof nodes.FunCall)) n = n instanceof nodes.LookupVal ? n.target : n.name;
  return n && typeof n.lineno === 'number' ? n : node;
}

/** JS string literal; U+2028/2029 are legal inside string literals since ES2019 (Node ≥ 10). */
function jsString(s: string): string {
  return JSON.stringify(s);
}

/** Compile-time variable lookup that stops at Jinja scope boundaries (for/with bodies, macros). */
function lookupLocal(frame: any, name: string): string | undefined {
  for (let f = frame; f; f = f.parent) {
    const v = f.variables[name];
    if (v !== undefined) return v;
    if (f.jinjaScope || f.isolateWrites) return undefined;
  }
  return undefined;
}

function withLoopDepth(self: any, depth: number, fn: () => void): void {
  const saved = self.jinjaLoopDepth ?? 0;
  self.jinjaLoopDepth = depth;
  try {
    fn();
  } finally {
    self.jinjaLoopDepth = saved;
  }
}

function emitPos(self: any, node: any): void {
  self._emitLine(`lineno = ${node.lineno}; colno = ${node.colno};`);
}

export function patchCompiler(): void {
  // nunjucks dispatches with this['compile' + node.typename], building and hashing a new string
  // for every node; a per-type cache of the method avoids that.
  const methods = new Map<string, (node: any, frame: any) => void>();
  C.compile = function compile(this: any, node: any, frame: any) {
    let m = methods.get(node.typename);
    if (m === undefined) {
      m = this['compile' + node.typename];
      if (!m) this.fail('compile: Cannot compile node: ' + node.typename, node.lineno, node.colno);
      methods.set(node.typename, m!);
    }
    m!.call(this, node, frame);
  };

  C._emitFuncEnd = function _emitFuncEnd(this: any, noReturn: boolean) {
    if (!noReturn) this._emitLine('cb(null, ' + this.buffer + ');');
    this._closeScopeLevels();
    this._emitLine('} catch (e) {');
    this._emitLine(`  cb(runtime.jinjaLocate(e, ${jsString(this.templateName ?? '')}, lineno, colno));`);
    this._emitLine('}');
    this._emitLine('}');
    this.buffer = null;
  };

  C.compileOutput = function compileOutput(this: any, node: any, frame: any) {
    for (const child of node.children) {
      if (child instanceof nodes.TemplateData) {
        if (child.value) {
          this._emit(this.buffer + ' += ');
          this.compileLiteral(child, frame);
          this._emitLine(';');
        }
      } else {
        emitPos(this, child);
        this._emit(this.buffer + ' += runtime.suppressValue(');
        this.compile(child, frame);
        this._emitLine(');');
      }
    }
  };

  // Python truthiness: `{% if [] %}` and `{% if {} %}` are false.
  C.compileIf = function compileIf(this: any, node: any, frame: any, async: boolean) {
    emitPos(this, node);
    this._emit('if(runtime.jinjaTruthy(');
    this._compileExpression(node.cond, frame);
    this._emitLine(')) {');
    this._withScopedSyntax(() => {
      this.compile(node.body, frame);
      if (async) this._emit('cb()');
    });
    if (node.else_) {
      this._emitLine('}\nelse {');
      this._withScopedSyntax(() => {
        this.compile(node.else_, frame);
        if (async) this._emit('cb()');
      });
    } else if (async) {
      this._emitLine('}\nelse {');
      this._emit('cb()');
    }
    this._emitLine('}');
  };
  C.compileInlineIf = function compileInlineIf(this: any, node: any, frame: any) {
    this._emit('(runtime.jinjaTruthy(');
    this.compile(node.cond, frame);
    this._emit(')?');
    this.compile(node.body, frame);
    this._emit(':');
    if (node.else_ !== null) this.compile(node.else_, frame);
    else this._emit('undefined');
    this._emit(')');
  };

  C.compileFilter = function compileFilter(this: any, node: any, frame: any) {
    this.assertType(node.name, nodes.Symbol);
    this._emit(`(lineno = ${node.lineno}, colno = ${node.colno}, env.getFilter(${jsString(node.name.value)}).call(context, `);
    this._compileAggregate(node.args, frame);
    this._emit('))');
  };

  C.compileFunCall = function compileFunCall(this: any, node: any, frame: any) {
    const pos = startOf(node.name);
    const label = jsString(this._getNodeName(node.name));
    this._emit(`(lineno = ${pos.lineno}, colno = ${pos.colno}, `);
    const callee = node.name;
    if (callee instanceof nodes.LookupVal && callee.val.typename !== 'Slice') {
      this._emit('runtime.jinjaCallMember((');
      this._compileExpression(callee.target, frame);
      this._emit('),');
      this._compileExpression(callee.val, frame);
      this._emit(`, ${callee.viaDot ? 'true' : 'false'}, ${label}, context, `);
    } else {
      this._emit('runtime.callWrap(');
      this._compileExpression(callee, frame);
      this._emit(`, ${label}, context, `);
    }
    this._compileAggregate(node.args, frame, '[', '])');
    this._emit(')');
  };

  C.compileLookupVal = function compileLookupVal(this: any, node: any, frame: any) {
    const slice = node.val.typename === 'Slice';
    this._emit(slice || node.viaDot ? 'runtime.memberLookup((' : 'runtime.jinjaItem((');
    this._compileExpression(node.target, frame);
    this._emit('),');
    this._compileExpression(node.val, frame);
    this._emit(')');
  };

  const binop = (fn: string) =>
    function (this: any, node: any, frame: any) {
      this._emit(`runtime.${fn}(`);
      this.compile(node.left, frame);
      this._emit(',');
      this.compile(node.right, frame);
      this._emit(')');
    };
  C.compileAdd = binop('jinjaAdd');
  C.compileSub = binop('jinjaSub');
  C.compileMul = binop('jinjaMul');
  C.compileMod = binop('jinjaMod');
  C.compileConcat = binop('jinjaConcat');
  C.compileCompare = function compileCompare(this: any, node: any, frame: any) {
    const ops: any[] = node.ops;
    if (ops.length === 1) {
      const op = ops[0].type;
      if (op === '==' || op === '!=' || op === '===' || op === '!==') {
        this._emit(op[0] === '!' ? '!runtime.jinjaEq(' : 'runtime.jinjaEq(');
        this.compile(node.expr, frame);
        this._emit(',');
        this.compile(ops[0].expr, frame);
        this._emit(')');
        return;
      }
      if (!['<', '>', '<=', '>='].includes(op)) this.fail(`unknown comparison operator ${op}`, node.lineno, node.colno);
      this._emit('(');
      this.compile(node.expr, frame);
      this._emit(` ${op} `);
      this.compile(ops[0].expr, frame);
      this._emit(')');
      return;
    }
    this._emit('runtime.jinjaCompareChain([');
    this.compile(node.expr, frame);
    for (const op of ops) {
      this._emit(',');
      this.compile(op.expr, frame);
    }
    this._emit(`], ${JSON.stringify(ops.map((o) => o.type))})`);
  };

  // JSON.stringify escapes exactly what a JS string literal needs, in one native pass.
  const origLiteral = C.compileLiteral;
  // With `hoisted` set (see environment.ts), strings become `__d[i]` and their values go to a
  // per-template array: templates of the same shape then compile to the same code, which V8
  // compiles once for all of them.
  C.compileLiteral = function compileLiteral(this: any, node: any, frame: any) {
    if (typeof node.value !== 'string') origLiteral.call(this, node, frame);
    else if (this.hoisted) this._emit(`__d[${this.hoisted.push(node.value) - 1}]`);
    else this._emit(jsString(node.value));
  };

  // Dict and keyword-argument keys: a hoisted key is an expression, so it needs a computed key.
  // In a dict literal a bare name is a variable (`{relation: []}` keys by the relation), as in
  // Jinja2; in keyword arguments it is the argument's name.
  const origDict = C.compileDict;
  C.compileDict = function compileDict(this: any, node: any, frame: any) {
    const prev = this.jinjaDictLiteral;
    this.jinjaDictLiteral = !(node instanceof nodes.KeywordArgs);
    try {
      origDict.call(this, node, frame);
    } finally {
      this.jinjaDictLiteral = prev;
    }
  };
  C.compilePair = function compilePair(this: any, node: any, frame: any) {
    let key = node.key;
    if (key instanceof nodes.Symbol && !this.jinjaDictLiteral) key = new nodes.Literal(key.lineno, key.colno, key.value);
    // Jinja2 allows any expression as a dict key (`{col.name.lower(): col}`): a computed key.
    const computed = this.hoisted || !(key instanceof nodes.Literal && typeof key.value === 'string');
    if (computed) this._emit('[');
    if (computed && !(key instanceof nodes.Literal)) this._emit('runtime.jinjaKey(');
    this.compile(key, frame);
    if (computed && !(key instanceof nodes.Literal)) this._emit(')');
    if (computed) this._emit(']');
    this._emit(': ');
    this._compileExpression(node.value, frame);
  };

  // `a or b` / `a and b` return an operand chosen by Python truthiness (`[] or 'x'` is 'x').
  // The left value is parked in one runtime slot: it is read back right after the truthiness
  // check, before anything else can run, so nesting is safe without per-call closures.
  C.compileOr = function compileOr(this: any, node: any, frame: any) {
    this._emit('(runtime.jinjaTruthy(runtime.jinjaSlot = ');
    this.compile(node.left, frame);
    this._emit(') ? runtime.jinjaSlot : ');
    this.compile(node.right, frame);
    this._emit(')');
  };
  C.compileAnd = function compileAnd(this: any, node: any, frame: any) {
    this._emit('(!runtime.jinjaTruthy(runtime.jinjaSlot = ');
    this.compile(node.left, frame);
    this._emit(') ? runtime.jinjaSlot : ');
    this.compile(node.right, frame);
    this._emit(')');
  };

  C.compileNot = function compileNot(this: any, node: any, frame: any) {
    this._emit('!runtime.jinjaTruthy(');
    this.compile(node.target, frame);
    this._emit(')');
  };

  // `(a, b)` is a tuple in Jinja; nunjucks would emit the JS comma operator and keep only `b`.
  const origGroup = C.compileGroup;
  C.compileGroup = function compileGroup(this: any, node: any, frame: any) {
    if (node.children.length < 2) return origGroup.call(this, node, frame);
    this._compileAggregate(node, frame, 'runtime.jinjaTuple([', '])');
  };

  C.compileJinjaTuple = function compileJinjaTuple(this: any, node: any, frame: any) {
    this._compileAggregate(node, frame, 'runtime.jinjaTuple([', '])');
  };

  // `*args` and `**kwargs` become JS spreads inside the argument array / keyword object.
  C.compileJinjaSplat = function compileJinjaSplat(this: any, node: any, frame: any) {
    this._emit('...runtime.jinjaIterable(');
    this._compileExpression(node.expr, frame);
    this._emit(', 1)');
  };
  C.compileJinjaKwSplat = function compileJinjaKwSplat(this: any, node: any, frame: any) {
    this._emit('...runtime.jinjaKwSplat(');
    this._compileExpression(node.expr, frame);
    this._emit(')');
  };

  C.compileJinjaDo = function compileJinjaDo(this: any, node: any, frame: any) {
    emitPos(this, node);
    this._compileExpression(node.expr, frame);
    this._emitLine(';');
  };
  const loopControl = (word: string) =>
    function (this: any, node: any) {
      if (!this.jinjaLoopDepth) this.fail(`{% ${word} %} can only be used directly inside a for loop`, node.lineno, node.colno);
      this._emitLine(word + ';');
    };
  C.compileJinjaBreak = loopControl('break');
  C.compileJinjaContinue = loopControl('continue');

  C.compileJinjaWith = function compileJinjaWith(this: any, node: any, frame: any) {
    const ids = node.values.map((v: any) => {
      const id = this._tmpid();
      this._emit(`var ${id} = `);
      this._compileExpression(v, frame);
      this._emitLine(';');
      return id;
    });
    const inner = frame.push();
    inner.jinjaScope = true;
    this._emitLine('frame = frame.push(true);');
    node.targets.forEach((t: any, i: number) => {
      inner.set(t.value, ids[i]);
      this._emitLine(`frame.set(${jsString(t.value)}, ${ids[i]});`);
    });
    this.compile(node.body, inner);
    this._emitLine('frame = frame.pop();');
  };

  C.compileSet = function compileSet(this: any, node: any, frame: any) {
    emitPos(this, node);
    const valueId = this._tmpid();
    this._emit(`var ${valueId} = `);
    if (node.value) this._compileExpression(node.value, frame);
    else this.compile(node.body, frame);
    this._emitLine(';');
    const multi = node.targets.length > 1;
    const src = multi ? this._tmpid() : valueId;
    if (multi) this._emitLine(`var ${src} = runtime.jinjaUnpack(${valueId}, ${node.targets.length});`);
    node.targets.forEach((target: any, i: number) => {
      const value = multi ? `${src}[${i}]` : src;
      if (target instanceof nodes.LookupVal) {
        this._emit('runtime.jinjaSetAttr(');
        this._compileExpression(target.target, frame);
        this._emit(',');
        this._compileExpression(target.val, frame);
        this._emitLine(`, ${value});`);
        return;
      }
      const name = target.value;
      let id = lookupLocal(frame, name);
      if (id === undefined) {
        id = this._tmpid();
        this._emitLine(`var ${id};`);
        // Shadowing a compile-time name (loop variable, macro argument) from an outer scope:
        // later reads in this scope must see the new variable.
        if (frame.lookup(name) !== undefined) frame.set(name, id);
      }
      this._emitLine(`${id} = ${value};`);
      this._emitLine(`frame.set(${jsString(name)}, ${id}, true);`);
      this._emitLine(`if(frame.topLevel) { context.setVariable(${jsString(name)}, ${id});`);
      if (name.charAt(0) !== '_') this._emitLine(`context.addExport(${jsString(name)}, ${id});`);
      this._emitLine('}');
    });
  };

  const origCapture = C.compileCapture;
  C.compileCapture = function compileCapture(this: any, node: any, frame: any) {
    withLoopDepth(this, 0, () => origCapture.call(this, node, frame));
  };

  C.compileFor = function compileFor(this: any, node: any, frame: any) {
    emitPos(this, node);
    const names: any[] = node.name instanceof nodes.Array ? node.name.children : [node.name];
    const arr = this._tmpid();
    const len = this._tmpid();
    const i = this._tmpid();
    const loop = this._tmpid();
    frame = frame.push();
    frame.jinjaScope = true;
    this._emitLine('frame = frame.push(true);');
    this._emit(`var ${arr} = runtime.jinjaIterable(`);
    this._compileExpression(node.arr, frame);
    this._emitLine(`, ${names.length});`);
    const bind = (item: string, f: any) => {
      if (names.length === 1) {
        const v = this._tmpid();
        this._emitLine(`var ${v} = ${item};`);
        this._emitLine(`frame.variables[${jsString(names[0].value)}] = ${v};`);
        f.set(names[0].value, v);
      } else {
        const tup = this._tmpid();
        this._emitLine(`var ${tup} = runtime.jinjaUnpack(${item}, ${names.length});`);
        names.forEach((n: any, u: number) => {
          const v = this._tmpid();
          this._emitLine(`var ${v} = ${tup}[${u}];`);
          this._emitLine(`frame.variables[${jsString(n.value)}] = ${v};`);
          f.set(n.value, v);
        });
      }
    };
    if (node.cond) {
      // `for x in xs if cond`: filter first, so loop.index/length count only kept items, as in Jinja.
      const kept = this._tmpid();
      const j = this._tmpid();
      const ff = frame.push();
      this._emitLine(`var ${kept} = [];`);
      this._emitLine('frame = frame.push();');
      this._emitLine(`for (var ${j} = 0; ${j} < ${arr}.length; ${j}++) {`);
      bind(`${arr}[${j}]`, ff);
      this._emit('if (runtime.jinjaTruthy(');
      this._compileExpression(node.cond, ff);
      this._emitLine(`)) ${kept}.push(${arr}[${j}]);`);
      this._emitLine('}');
      this._emitLine('frame = frame.pop();');
      this._emitLine(`${arr} = ${kept};`);
    }
    this._emitLine(`var ${len} = ${arr}.length;`);
    this._emitLine(`var ${loop} = new runtime.JinjaLoop(${arr});`);
    frame.set('loop', loop);
    this._emitLine(`for (var ${i} = 0; ${i} < ${len}; ${i}++) {`);
    // each iteration is a fresh scope, as in Jinja2: a set in one does not reach the next
    this._emitLine(`frame.variables = Object.create(null); frame.variables.loop = ${loop};`);
    this._emitLine(`${loop}.i = ${i};`);
    bind(`${arr}[${i}]`, frame);
    withLoopDepth(this, (this.jinjaLoopDepth ?? 0) + 1, () => {
      this._withScopedSyntax(() => this.compile(node.body, frame));
    });
    this._emitLine('}');
    if (node.else_) {
      this._emitLine(`if (!${len}) {`);
      this.compile(node.else_, frame);
      this._emitLine('}');
    }
    this._emitLine('frame = frame.pop();');
  };

  C._compileMacro = function _compileMacro(this: any, node: any, frame: any) {
    const keepFrame = frame !== undefined;
    const params: any[] = [];
    let kwargs: any = null;
    node.args.children.forEach((arg: any, i: number) => {
      if (i === node.args.children.length - 1 && arg instanceof nodes.Dict) kwargs = arg;
      else {
        this.assertType(arg, nodes.Symbol);
        params.push(arg);
      }
    });
    const all: { name: string; def: any }[] = [
      ...params.map((p) => ({ name: p.value as string, def: null })),
      ...(kwargs ? kwargs.children.map((pair: any) => ({ name: pair.key.value as string, def: pair.value })) : []),
    ];
    const symbols = node.body.findAll(nodes.Symbol).map((s: any) => s.value);
    const usesVarargs = symbols.includes('varargs');
    const usesKwargs = symbols.includes('kwargs');
    const macroName = node.name && node.name.value ? node.name.value : 'caller';
    const funcId = 'macro_' + this._tmpid();
    const argsId = this._tmpid();
    const currFrame = keepFrame ? frame.push(true) : new Frame();
    this._emitLines(
      `var ${funcId} = runtime.jinjaMacro(${jsString(macroName)}, ${JSON.stringify(all.map((a) => a.name))}, ${usesVarargs}, ${usesKwargs}, function (${argsId}, varargs, kwargs, caller) {`,
      'var callerFrame = frame;',
      'frame = ' + (keepFrame ? 'frame.push(true);' : 'new runtime.Frame();'),
      'try {',
    );
    all.forEach((a, i) => {
      const id = 'l_' + a.name;
      if (a.def) {
        this._emit(`var ${id} = ${argsId}[${i}] === runtime.jinjaMissing ? `);
        this._compileExpression(a.def, currFrame);
        this._emitLine(` : ${argsId}[${i}];`);
      } else {
        this._emitLine(`var ${id} = ${argsId}[${i}] === runtime.jinjaMissing ? undefined : ${argsId}[${i}];`);
      }
      this._emitLine(`frame.variables[${jsString(a.name)}] = ${id};`);
      currFrame.set(a.name, id);
    });
    this._emitLine('frame.variables.varargs = varargs; frame.variables.kwargs = kwargs;');
    this._emitLine('if (caller !== undefined) frame.variables.caller = caller;');
    const bufferId = this._pushBuffer();
    withLoopDepth(this, 0, () => {
      this._withScopedSyntax(() => this.compile(node.body, currFrame));
    });
    this._emitLine(`return ${bufferId};`);
    this._emitLine(`} catch (e) { throw runtime.jinjaLocate(e, ${jsString(this.templateName ?? '')}, lineno, colno); }`);
    this._emitLine('finally { frame = callerFrame; }');
    this._emitLine('});');
    this._popBuffer();
    return funcId;
  };
}
