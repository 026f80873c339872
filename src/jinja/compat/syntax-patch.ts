/**
 * Lexer and parser changes that make nunjucks read Jinja2 syntax it otherwise rejects or
 * misreads: `True/False/None`, `}}` closing a nested dict inside a tag, `{% for x in xs if c %}`,
 * `{% do %}`, `{% break %}`, `{% continue %}`, `{% with %}`, `{% set a, b = 1, 2 %}`,
 * `{% set x | filter %}` and `{% set ns.attr = v %}`.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { patchLexerFast } from './fast-lexer.js';
import { lexer, nodes, Parser, TokenizerProto } from './internals.js';

/** AST nodes for the tags nunjucks lacks; registered on `nodes` so its transformer can rebuild them. */
export const DoNode = nodes.Node.extend('JinjaDo', { fields: ['expr'] });
export const BreakNode = nodes.Node.extend('JinjaBreak', { fields: [] });
export const ContinueNode = nodes.Node.extend('JinjaContinue', { fields: [] });
export const WithNode = nodes.Node.extend('JinjaWith', { fields: ['targets', 'values', 'body'] });
nodes.JinjaDo = DoNode;
nodes.JinjaBreak = BreakNode;
nodes.JinjaContinue = ContinueNode;
nodes.JinjaWith = WithNode;
/** `f(*args)` and `f(**kwargs)` in calls. */
export const SplatNode = nodes.Node.extend('JinjaSplat', { fields: ['expr'] });
export const KwSplatNode = nodes.Node.extend('JinjaKwSplat', { fields: ['expr'] });
nodes.JinjaSplat = SplatNode;
nodes.JinjaKwSplat = KwSplatNode;
/** `()` and `(x,)`: tuples that a parenthesised expression cannot express (two or more items are a Group). */
export const TupleNode = nodes.NodeList.extend('JinjaTuple');
nodes.JinjaTuple = TupleNode;

const LITERAL_NAMES: Record<string, [string, string]> = {
  True: [lexer.TOKEN_BOOLEAN, 'true'],
  False: [lexer.TOKEN_BOOLEAN, 'false'],
  None: [lexer.TOKEN_NONE, 'none'],
};

export function patchLexer(): void {
  const orig = TokenizerProto.nextToken;
  TokenizerProto.nextToken = function nextToken(this: any) {
    // Inside a tag, a `}` that closes an open `{` is a brace, even when followed by `}`.
    if (this.in_code && this.jinjaBraces > 0 && this.current() === '}') {
      const tok = { type: lexer.TOKEN_RIGHT_CURLY, value: '}', lineno: this.lineno, colno: this.colno };
      this.forward();
      this.jinjaBraces--;
      return tok;
    }
    const tok = orig.call(this);
    if (!tok) return tok;
    switch (tok.type) {
      case lexer.TOKEN_LEFT_CURLY:
        this.jinjaBraces = (this.jinjaBraces ?? 0) + 1;
        break;
      case lexer.TOKEN_RIGHT_CURLY:
        if (this.jinjaBraces > 0) this.jinjaBraces--;
        break;
      case lexer.TOKEN_BLOCK_START:
      case lexer.TOKEN_VARIABLE_START:
        this.jinjaBraces = 0;
        break;
      case lexer.TOKEN_SYMBOL: {
        const lit = LITERAL_NAMES[tok.value];
        if (lit && Object.prototype.hasOwnProperty.call(LITERAL_NAMES, tok.value)) {
          tok.type = lit[0];
          tok.value = lit[1];
        }
        break;
      }
    }
    return tok;
  };
  // the wrapped nunjucks scanner above stays as the fallback for custom delimiters
  patchLexerFast(TokenizerProto.nextToken);
}

export function patchParser(): void {
  const P = Parser.prototype;
  // Trailing commas, as Python allows them: `[1, 2,]`, `{'a': 1,}`, and `(1,)`, a one-element tuple.
  // Anything else this does not read (a slice, `xs[1:]`) goes to the parser it replaces, from the
  // same token: nunjucks' own Jinja compatibility parses slices by retrying after a failure too.
  const sliceAware = P.parseAggregate;
  P.parseAggregate = function parseAggregate(this: any) {
    const t = this.tokens;
    const saved = { index: t.index, lineno: t.lineno, colno: t.colno, in_code: t.in_code, peeked: this.peeked };
    try {
      return aggregateWithTrailingCommas.call(this);
    } catch {
      Object.assign(t, { index: saved.index, lineno: saved.lineno, colno: saved.colno, in_code: saved.in_code });
      this.peeked = saved.peeked;
      return sliceAware.call(this);
    }
  };
  function aggregateWithTrailingCommas(this: any) {
    const tok = this.nextToken();
    const close = { [lexer.TOKEN_LEFT_PAREN]: lexer.TOKEN_RIGHT_PAREN, [lexer.TOKEN_LEFT_BRACKET]: lexer.TOKEN_RIGHT_BRACKET, [lexer.TOKEN_LEFT_CURLY]: lexer.TOKEN_RIGHT_CURLY }[tok.type as string];
    if (!close) return null;
    const node = tok.type === lexer.TOKEN_LEFT_PAREN ? new nodes.Group(tok.lineno, tok.colno) : tok.type === lexer.TOKEN_LEFT_BRACKET ? new nodes.Array(tok.lineno, tok.colno) : new nodes.Dict(tok.lineno, tok.colno);
    let trailing = false;
    for (;;) {
      const type = this.peekToken().type;
      if (type === lexer.TOKEN_RIGHT_PAREN || type === lexer.TOKEN_RIGHT_BRACKET || type === lexer.TOKEN_RIGHT_CURLY) {
        this.nextToken();
        break;
      }
      if (node.children.length > 0) {
        if (!this.skip(lexer.TOKEN_COMMA)) this.fail('parseAggregate: expected comma after expression', tok.lineno, tok.colno);
        if (this.peekToken().type === close) {
          trailing = true;
          continue;
        }
      }
      if (node instanceof nodes.Dict) {
        // Any expression may be a key in Jinja2, filters included: `{k | lower: v}`.
        const key = this.parseExpression();
        if (!this.skip(lexer.TOKEN_COLON)) this.fail('parseAggregate: expected colon after dict key', tok.lineno, tok.colno);
        const value = this.parseExpression();
        node.addChild(new nodes.Pair(key.lineno, key.colno, key, value));
      } else node.addChild(this.parseExpression());
    }
    if (node instanceof nodes.Group && (node.children.length === 0 || (trailing && node.children.length === 1))) return new TupleNode(tok.lineno, tok.colno, node.children);
    return node;
  }

  const origStatement = P.parseStatement;
  P.parseStatement = function parseStatement(this: any) {
    const tok = this.peekToken();
    if (tok && tok.type === lexer.TOKEN_SYMBOL && !(this.breakOnBlocks && this.breakOnBlocks.includes(tok.value))) {
      switch (tok.value) {
        case 'do': {
          this.nextToken();
          const node = new DoNode(tok.lineno, tok.colno, this.parseExpression());
          this.advanceAfterBlockEnd('do');
          return node;
        }
        case 'break':
        case 'continue': {
          this.nextToken();
          this.advanceAfterBlockEnd(tok.value);
          return tok.value === 'break' ? new BreakNode(tok.lineno, tok.colno) : new ContinueNode(tok.lineno, tok.colno);
        }
        case 'with':
          return parseWith.call(this, tok);
        case 'for':
          return parseFor.call(this, tok);
        case 'set':
          return parseSet.call(this, tok);
      }
    }
    return origStatement.call(this);
  };

  P.parseIs = parseIs;
  P.parseSignature = parseSignature;

  // Remember whether a lookup was written `a.b` (getattr: methods first) or `a['b']` (getitem).
  const origPostfix = P.parsePostfix;
  P.parsePostfix = function parsePostfix(this: any, node: any) {
    let tok = this.peekToken();
    while (tok) {
      if (tok.type === lexer.TOKEN_OPERATOR && tok.value === '.') {
        this.nextToken();
        const val = this.nextToken();
        if (!val || (val.type !== lexer.TOKEN_SYMBOL && val.type !== lexer.TOKEN_INT && val.type !== lexer.TOKEN_BOOLEAN && val.type !== lexer.TOKEN_NONE)) {
          this.fail('expected name as lookup value, got ' + (val ? val.value : 'end of file'), val?.lineno, val?.colno);
        }
        const key = val.type === lexer.TOKEN_INT ? parseInt(val.value, 10) : val.type === lexer.TOKEN_SYMBOL ? val.value : ({ true: 'True', false: 'False', none: 'None' } as any)[val.value];
        node = new nodes.LookupVal(tok.lineno, tok.colno, node, new nodes.Literal(val.lineno, val.colno, key));
        node.viaDot = true;
      } else if (tok.type === lexer.TOKEN_LEFT_PAREN || tok.type === lexer.TOKEN_LEFT_BRACKET) {
        // one step of the original (call or subscript), then continue here
        node = origPostfixOne.call(this, node, origPostfix);
      } else break;
      tok = this.peekToken();
    }
    return node;
  };
}

const NO_TEST_ARG = new Set([lexer.TOKEN_BLOCK_END, lexer.TOKEN_VARIABLE_END, lexer.TOKEN_COMMA, lexer.TOKEN_RIGHT_PAREN, lexer.TOKEN_RIGHT_BRACKET, lexer.TOKEN_RIGHT_CURLY, lexer.TOKEN_COLON, lexer.TOKEN_PIPE, lexer.TOKEN_OPERATOR, lexer.TOKEN_TILDE]);
const NOT_AN_ARG_WORD = new Set(['and', 'or', 'else', 'if', 'is', 'in', 'not', 'recursive']);

/** `x is test`, `x is test(arg)` and Jinja's paren-less single argument `x is divisibleby 3`, `x is in xs`. */
function parseIs(this: any): any {
  let node = this.parseCompare();
  if (!this.skipSymbol('is')) return node;
  const not = this.skipSymbol('not');
  const tok = this.nextToken();
  if (!tok || ![lexer.TOKEN_SYMBOL, lexer.TOKEN_NONE, lexer.TOKEN_BOOLEAN].includes(tok.type)) {
    this.fail('expected a test name after "is"', tok?.lineno, tok?.colno);
  }
  const name = new nodes.Symbol(tok.lineno, tok.colno, tok.value);
  let test: any = name;
  const next = this.peekToken();
  if (next && next.type === lexer.TOKEN_LEFT_PAREN) {
    test = new nodes.FunCall(next.lineno, next.colno, name, this.parseSignature());
  } else if (next && !NO_TEST_ARG.has(next.type) && !(next.type === lexer.TOKEN_SYMBOL && NOT_AN_ARG_WORD.has(next.value))) {
    test = new nodes.FunCall(next.lineno, next.colno, name, new nodes.NodeList(next.lineno, next.colno, [this.parsePrimary()]));
  }
  node = new nodes.Is(node.lineno, node.colno, node, test);
  return not ? new nodes.Not(node.lineno, node.colno, node) : node;
}

/** nunjucks' argument-list parser plus `*args` / `**kwargs` unpacking. */
function parseSignature(this: any, tolerant: boolean, noParens: boolean): any {
  let tok = this.peekToken();
  if (!noParens && tok.type !== lexer.TOKEN_LEFT_PAREN) {
    if (tolerant) return null;
    this.fail('expected arguments', tok.lineno, tok.colno);
  }
  if (tok.type === lexer.TOKEN_LEFT_PAREN) tok = this.nextToken();
  const args = new nodes.NodeList(tok.lineno, tok.colno);
  const kwargs = new nodes.KeywordArgs(tok.lineno, tok.colno);
  let checkComma = false;
  for (;;) {
    tok = this.peekToken();
    if (!noParens && tok.type === lexer.TOKEN_RIGHT_PAREN) {
      this.nextToken();
      break;
    } else if (noParens && tok.type === lexer.TOKEN_BLOCK_END) break;
    if (checkComma && !this.skip(lexer.TOKEN_COMMA)) {
      this.fail('expected comma between arguments', tok.lineno, tok.colno);
    }
    checkComma = true;
    // a trailing comma before `)` is allowed, as in Python
    if (!noParens && this.peekToken().type === lexer.TOKEN_RIGHT_PAREN) continue;
    const t = this.peekToken();
    if (this.skipValue(lexer.TOKEN_OPERATOR, '**')) {
      kwargs.addChild(new KwSplatNode(t.lineno, t.colno, this.parseExpression()));
    } else if (this.skipValue(lexer.TOKEN_OPERATOR, '*')) {
      args.addChild(new SplatNode(t.lineno, t.colno, this.parseExpression()));
    } else {
      const arg = this.parseExpression();
      if (this.skipValue(lexer.TOKEN_OPERATOR, '=')) {
        kwargs.addChild(new nodes.Pair(arg.lineno, arg.colno, arg, this.parseExpression()));
      } else args.addChild(arg);
    }
  }
  if (kwargs.children.length) args.addChild(kwargs);
  return args;
}

/** Runs nunjucks' own postfix parser for exactly one `(...)` or `[...]`. */
function origPostfixOne(this: any, node: any, orig: (n: any) => any): any {
  const tok = this.peekToken();
  if (tok.type === lexer.TOKEN_LEFT_PAREN) {
    return new nodes.FunCall(tok.lineno, tok.colno, node, this.parseSignature());
  }
  const lookup = this.parseAggregate();
  if (lookup.children.length > 1) this.fail('invalid index', tok.lineno, tok.colno);
  void orig;
  return new nodes.LookupVal(tok.lineno, tok.colno, node, lookup.children[0]);
}

/** `for NAMES in ITER [if COND]`: the iterable excludes inline-if so the filter is not swallowed. */
function parseFor(this: any, forTok: any): any {
  this.nextToken();
  const node = new nodes.For(forTok.lineno, forTok.colno);
  node.name = this.parsePrimary();
  if (!(node.name instanceof nodes.Symbol)) this.fail('for: variable name expected', forTok.lineno, forTok.colno);
  if (this.peekToken().type === lexer.TOKEN_COMMA) {
    const key = node.name;
    node.name = new nodes.Array(key.lineno, key.colno);
    node.name.addChild(key);
    while (this.skip(lexer.TOKEN_COMMA)) node.name.addChild(this.parsePrimary());
  }
  if (!this.skipSymbol('in')) this.fail('for: expected "in" keyword', forTok.lineno, forTok.colno);
  node.arr = this.parseOr();
  if (this.skipSymbol('if')) node.cond = this.parseExpression();
  const rec = this.peekToken();
  if (rec && rec.type === lexer.TOKEN_SYMBOL && rec.value === 'recursive') {
    this.fail('recursive for loops are not supported by mflow; write a recursive macro instead', rec.lineno, rec.colno);
  }
  this.advanceAfterBlockEnd('for');
  node.body = this.parseUntilBlocks('endfor', 'else');
  if (this.skipSymbol('else')) {
    this.advanceAfterBlockEnd('else');
    node.else_ = this.parseUntilBlocks('endfor');
  }
  this.advanceAfterBlockEnd();
  return node;
}

function parseTupleValue(this: any): any {
  const first = this.parseExpression();
  if (this.peekToken().type !== lexer.TOKEN_COMMA) return first;
  const arr = new nodes.Array(first.lineno, first.colno, [first]);
  while (this.skip(lexer.TOKEN_COMMA)) {
    if (this.peekToken().type === lexer.TOKEN_BLOCK_END) break;
    arr.addChild(this.parseExpression());
  }
  return arr;
}

function parseSet(this: any, tag: any): any {
  this.nextToken();
  const node = new nodes.Set(tag.lineno, tag.colno, []);
  let target;
  while ((target = this.parsePrimary())) {
    if (!(target instanceof nodes.Symbol) && !(target instanceof nodes.LookupVal && target.viaDot)) {
      this.fail('set: can only assign to a name or to name.attribute', target.lineno, target.colno);
    }
    node.targets.push(target);
    if (!this.skip(lexer.TOKEN_COMMA)) break;
  }
  if (this.skipValue(lexer.TOKEN_OPERATOR, '=')) {
    node.value = parseTupleValue.call(this);
    this.advanceAfterBlockEnd('set');
    return node;
  }
  let filterName: any = null;
  let filterArgs: any[] = [];
  if (this.skip(lexer.TOKEN_PIPE)) {
    filterName = this.parseFilterName();
    filterArgs = this.parseFilterArgs(filterName);
  }
  if (!this.skip(lexer.TOKEN_BLOCK_END)) this.fail('set: expected = or end of tag', tag.lineno, tag.colno);
  // `{% set ns.attr %}…{% endset %}` is a block set too (Jinja2 3, used by dbt_utils' tests).
  if (node.targets.length !== 1) {
    this.fail('set: a block set assigns exactly one name', tag.lineno, tag.colno);
  }
  let body = new nodes.Capture(tag.lineno, tag.colno, this.parseUntilBlocks('endset'));
  if (filterName) {
    body = new nodes.Filter(filterName.lineno, filterName.colno, filterName, new nodes.NodeList(filterName.lineno, filterName.colno, [body, ...filterArgs]));
  }
  node.body = body;
  node.value = null;
  this.advanceAfterBlockEnd();
  return node;
}

function parseWith(this: any, tag: any): any {
  this.nextToken();
  const targets: any[] = [];
  const values: any[] = [];
  while (this.peekToken().type !== lexer.TOKEN_BLOCK_END) {
    if (targets.length && !this.skip(lexer.TOKEN_COMMA)) this.fail('with: expected comma', tag.lineno, tag.colno);
    const name = this.parsePrimary(true);
    if (!(name instanceof nodes.Symbol)) this.fail('with: expected a name', name.lineno, name.colno);
    if (!this.skipValue(lexer.TOKEN_OPERATOR, '=')) this.fail('with: expected =', name.lineno, name.colno);
    targets.push(name);
    values.push(this.parseExpression());
  }
  this.advanceAfterBlockEnd('with');
  const body = this.parseUntilBlocks('endwith');
  this.advanceAfterBlockEnd();
  return new WithNode(tag.lineno, tag.colno, targets, values, body);
}
