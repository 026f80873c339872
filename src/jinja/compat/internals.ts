/**
 * Typed handles on nunjucks' internal modules. nunjucks 3.2.4 is the last release and ships no
 * types for its parser/compiler/runtime, so the compat layer reaches them through these `any`
 * handles in one place instead of scattering casts.
 */
import { createRequire } from 'node:module';
import nunjucks from 'nunjucks';

/* eslint-disable @typescript-eslint/no-explicit-any */
const nj = nunjucks as any;
// not re-exported by nunjucks' index; resolved next to its compiler
const transformerModule: any = createRequire(import.meta.url)('nunjucks/src/transformer.js');
export const lexer: any = nj.lexer;
export const parser: any = nj.parser;
export const compiler: any = nj.compiler;
export const runtime: any = nj.runtime;
export const nodes: any = nj.nodes;
export const transformer: any = { transform: (ast: any, asyncFilters: any, name: string) => transformerModule.transform(ast, asyncFilters, name) };
export const lib: any = nj.lib;
export const Frame: any = nj.runtime.Frame;
export const Parser: any = nj.parser.Parser;
export const Compiler: any = nj.compiler.Compiler;
export const TokenizerProto: any = Object.getPrototypeOf(nj.lexer.lex(''));
export type AnyFn = (...args: any[]) => any;
