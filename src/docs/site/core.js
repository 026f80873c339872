// Shared state and helpers. The index (every node, its position and the edges) is loaded up
// front by data/index.js; details come in shards (data/nodes/K.js) on demand.
var MF = (window.MF = { details: {}, shardState: {}, shardWaiters: {} });
MF.idx = window.MFLOW_INDEX;
MF.nodes = MF.idx.nodes;
MF.byId = new Map();
MF.nodes.forEach(function (n, i) { n.i = i; MF.byId.set(n.id, n); });
MF.parents = MF.nodes.map(function () { return []; });
MF.children = MF.nodes.map(function () { return []; });
for (var e = 0; e < MF.idx.edges.length; e += 2) {
  MF.children[MF.idx.edges[e]].push(MF.idx.edges[e + 1]);
  MF.parents[MF.idx.edges[e + 1]].push(MF.idx.edges[e]);
}

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
