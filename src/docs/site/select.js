// dbt's node selection syntax in the browser, a port of src/graph/selector-parse.ts and
// selector-eval.ts over what the site's index knows (name, type, folder, package, tags):
// `+fact_admission+`, `2+mart_readmission`, `tag:marts`, `@stg_claims`, `path:models/staging`,
// `source:raw.beneficiary`, unions by space and intersections by comma, as `mflow ls -s` takes them.
// The TypeScript code runs in Node with the whole manifest; the site has only its index, so
// methods that need more (state:, result:, config.*) say so instead of selecting nothing.

// dbt's grammar for one term: [@][N+][method[.arg...]:]value[+N] (the same regex as selector-parse.ts)
MF.SELECTOR_TERM = /^(@)?(?:(\d*)(\+))?(?:([\w.]+):)?(.*?)(?:(\+)(\d*))?$/;
MF.SELECTOR_METHODS = ['fqn', 'tag', 'resource_type', 'path', 'package', 'source', 'exposure', 'metric', 'semantic_model', 'saved_query', 'unique_id', 'file'];
MF.SELECTOR_NEED_MANIFEST = { state: 'compares with another manifest', result: 'reads run results by status', config: 'reads node configs', test_type: 'reads test metadata', test_name: 'reads test metadata', version: 'reads model versions', group: 'reads groups', access: 'reads access levels' };

MF.globRe = function (glob) {
  var re = '';
  for (var i = 0; i < glob.length; i++) {
    var c = glob[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') { var j = glob.indexOf(']', i + 1); if (j < 0) re += '\\['; else { re += '[' + glob.slice(i + 1, j).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']'; i = j; } }
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp('^' + re + '$');
};
MF.hasGlob = function (v) { return /[*?[]/.test(v); };

MF.parseSelectorTerm = function (raw) {
  var m = MF.SELECTOR_TERM.exec(raw);
  if (!m) throw new Error('Invalid selector "' + raw + '"');
  if (m[1] && m[3]) throw new Error('Invalid selector "' + raw + '": "@" and a leading "+" cannot be combined');
  var method = 'fqn', args = [];
  if (m[4] !== undefined) {
    var parts = m[4].split('.');
    method = parts[0] === 'type' ? 'resource_type' : parts[0];
    args = parts.slice(1);
    if (MF.SELECTOR_NEED_MANIFEST[method]) throw new Error('"' + method + ':" ' + MF.SELECTOR_NEED_MANIFEST[method] + ', which this static site does not have: use `mflow ls -s ' + raw + '`');
    if (MF.SELECTOR_METHODS.indexOf(method) < 0) throw new Error('Unknown selection method "' + method + '" in "' + raw + '". Supported here: ' + MF.SELECTOR_METHODS.join(', '));
  } else if (m[5].indexOf('/') >= 0) method = 'path';
  if (m[5] === '') throw new Error('Invalid selector "' + raw + '": nothing to select after the method');
  return { method: method, args: args, value: m[5], parents: !!m[3], pDepth: m[2] ? +m[2] : Infinity, children: !!m[6], cDepth: m[7] ? +m[7] : Infinity, at: !!m[1], raw: raw };
};

/** The nodes one `method:value` matches, as a Set of node positions. */
MF.matchMethod = function (c) {
  var v = c.value, out = new Set(), glob = MF.hasGlob(v) ? MF.globRe(v) : null;
  var eq = function (s) { return glob ? glob.test(s) : s === v; };
  var fqnOf = function (n) {
    // dbt's fqn: package, the folders under the resource folder, then the name (a source: source name, table).
    var dirs = n.f.split('/').slice(1).filter(Boolean);
    return [n.p].concat(dirs, n.t === 'source' ? n.n.split('.') : [n.n]);
  };
  MF.nodes.forEach(function (n, i) {
    var hit = false;
    switch (c.method) {
      case 'fqn': {
        if (eq(n.n) || (n.t === 'source' && eq(n.n.split('.').pop()))) { hit = true; break; }
        var parts = v.split('.'), fq = fqnOf(n);
        for (var from = 0; from <= 1 && !hit; from++) {
          if (fq.length - from < parts.length) continue;
          var ok = true;
          for (var k = 0; k < parts.length && ok; k++) ok = MF.hasGlob(parts[k]) ? MF.globRe(parts[k]).test(fq[from + k]) : fq[from + k] === parts[k];
          hit = ok;
        }
        break;
      }
      case 'tag': hit = n.g.some(eq); break;
      case 'resource_type': hit = n.t === v; break;
      case 'package': hit = eq(n.p); break;
      case 'unique_id': hit = eq(n.id); break;
      case 'path': {
        var pv = v.replace(/^\.\//, '').replace(/\/+$/, '');
        hit = glob ? MF.globRe(pv).test(n.f) : n.f === pv || n.f.indexOf(pv + '/') === 0;
        break;
      }
      case 'file': hit = false; break;
      case 'source': {
        if (n.t !== 'source') break;
        var sp = v.split('.'), nm = n.n.split('.');
        var want = sp.length === 3 ? [sp[0], sp[1], sp[2]] : sp.length === 2 ? ['*', sp[0], sp[1]] : ['*', sp[0], '*'];
        hit = MF.globRe(want[0]).test(n.p) && MF.globRe(want[1]).test(nm[0]) && MF.globRe(want[2]).test(nm[1] || '');
        break;
      }
      default: hit = n.t === c.method && eq(n.n);
    }
    if (hit) out.add(i);
  });
  return out;
};

MF.walkGraph = function (start, up, depth) {
  var seen = new Set(), frontier = Array.from(start);
  for (var d = 0; d < depth && frontier.length; d++) {
    var next = [];
    frontier.forEach(function (i) { (up ? MF.parents : MF.children)[i].forEach(function (j) { if (!seen.has(j)) { seen.add(j); next.push(j); } }); });
    frontier = next;
  }
  return seen;
};

MF.evalTerm = function (c) {
  var base = MF.matchMethod(c), out = new Set(base);
  if (c.parents) MF.walkGraph(base, true, c.pDepth).forEach(function (i) { out.add(i); });
  if (c.children || c.at) {
    var kids = MF.walkGraph(base, false, c.children ? c.cDepth : Infinity);
    kids.forEach(function (i) { out.add(i); });
    if (c.at) MF.walkGraph(new Set(Array.from(base).concat(Array.from(kids))), true, Infinity).forEach(function (i) { out.add(i); });
  }
  return out;
};

/** `select` minus `exclude`, as dbt evaluates them. Throws an Error whose message is for the reader. */
MF.selectNodes = function (select, exclude) {
  var evalUnion = function (text) {
    var words = text.split(/\s+/).filter(Boolean), all = new Set();
    words.forEach(function (w) {
      var sets = w.split(',').filter(Boolean).map(function (p) { return MF.evalTerm(MF.parseSelectorTerm(p)); });
      var inter = sets.reduce(function (a, b) { return new Set(Array.from(a).filter(function (x) { return b.has(x); })); });
      inter.forEach(function (i) { all.add(i); });
    });
    return all;
  };
  var chosen = select && select.trim() ? evalUnion(select) : new Set(MF.nodes.map(function (n, i) { return i; }));
  if (exclude && exclude.trim()) evalUnion(exclude).forEach(function (i) { chosen.delete(i); });
  return chosen;
};
