// Shared state and helpers. The index (every node, its position and the edges) is loaded up
// front by data/index.js; details come in shards (data/nodes/K.js) on demand.
var MF = (window.MF = { details: {}, shardState: {}, shardWaiters: {} });
MF.idx = window.MFLOW_INDEX;

/** Rebuilds one object per node from the column-wise index (see src/docs/site-index.ts). */
MF.expandIndex = function (ix) {
  var T = ix.tables, nodes = new Array(ix.count);
  for (var i = 0; i < ix.count; i++) {
    var t = T.t[ix.t[i]], p = T.p[ix.p[i]], g = ix.g[i];
    var n = {
      i: i, n: ix.n[i], t: t, f: T.f[ix.f[i]], s: T.s[ix.s[i]],
      g: g === 0 ? [] : typeof g === 'number' ? [T.g[g - 1]] : g.map(function (k) { return T.g[k]; }),
      d: '', k: Math.floor(i / ix.shardSize),
    };
    n.id = ix.ids[i] || t + '.' + p + '.' + n.n;
    if (ix.st[i]) n.st = T.st[ix.st[i] - 1];
    if (i < ix.graphCount) { n.x = ix.x[i]; n.y = ix.y[i]; n.w = ix.w[i]; n.r = ix.r[i]; }
    nodes[i] = n;
  }
  return nodes;
};
MF.nodes = MF.expandIndex(MF.idx);
MF.byId = new Map();
MF.nodes.forEach(function (n) { MF.byId.set(n.id, n); });
MF.parents = MF.nodes.map(function () { return []; });
MF.children = MF.nodes.map(function () { return []; });
for (var e = 0; e < MF.idx.e.length; e += 2) {
  MF.children[MF.idx.e[e]].push(MF.idx.e[e + 1]);
  MF.parents[MF.idx.e[e + 1]].push(MF.idx.e[e]);
}

/** Descriptions (for search and result lines) arrive after the first render. */
window.MF_DESC = function (list) {
  for (var i = 0; i < list.length && i < MF.nodes.length; i++) MF.nodes[i].d = list[i] || '';
  MF.descLoaded = true;
  if (MF.onDescriptions) MF.onDescriptions();
};
MF.loadDescriptions = function () {
  if (MF.descRequested) return;
  MF.descRequested = true;
  var s = document.createElement('script');
  s.src = 'data/search.js';
  document.head.appendChild(s);
};

window.MF_SHARD = function (k, data) {
  Object.assign(MF.details, data);
  MF.shardState[k] = 'done';
  (MF.shardWaiters[k] || []).forEach(function (f) { f(); });
  delete MF.shardWaiters[k];
};

/** A script tag, not fetch(): works from file:// as well as from any server. */
MF.loadShard = function (k) {
  return new Promise(function (resolve, reject) {
    if (MF.shardState[k] === 'done') return resolve();
    (MF.shardWaiters[k] = MF.shardWaiters[k] || []).push(resolve);
    if (MF.shardState[k]) return;
    MF.shardState[k] = 'loading';
    var s = document.createElement('script');
    s.src = 'data/nodes/' + k + '.js';
    s.onerror = function () { MF.shardState[k] = null; reject(new Error('could not load ' + s.src)); };
    document.head.appendChild(s);
  });
};

MF.loadDetail = function (id) {
  var n = MF.byId.get(id);
  if (!n) return Promise.resolve(null);
  return MF.loadShard(n.k).then(function () { return MF.details[id] || null; });
};

MF.esc = function (s) {
  return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]; });
};
MF.nodeHref = function (id) { return '#/node/' + encodeURIComponent(id); };
MF.graphHref = function (id, extra) { return '#/graph?focus=' + encodeURIComponent(id) + (extra || ''); };
MF.badge = function (t) { return '<span class="badge ' + MF.esc(t) + '">' + MF.esc(t) + '</span>'; };
MF.status = function (s) { return s ? '<span class="status ' + MF.esc(String(s).replace(/ /g, '-')) + '">' + MF.esc(s) + '</span>' : ''; };
MF.nameOf = function (id) { var n = MF.byId.get(id); return n ? n.n : id; };
MF.link = function (id, label) {
  return MF.byId.has(id) ? '<a href="' + MF.nodeHref(id) + '">' + MF.esc(label || MF.nameOf(id)) + '</a>' : '<span>' + MF.esc(label || id) + '</span>';
};
MF.colors = { model: '#2f6fde', source: '#1a9b6c', seed: '#b7791f', snapshot: '#8b5cf6', analysis: '#0e7490', test: '#6b7585', macro: '#c2410c' };
MF.parseHash = function () {
  var h = location.hash.replace(/^#/, '') || '/';
  var q = h.indexOf('?');
  var route = q < 0 ? h : h.slice(0, q);
  var params = new URLSearchParams(q < 0 ? '' : h.slice(q + 1));
  return { route: route, params: params };
};
