// Shared state and helpers. The index (every node, its position and the edges) is loaded up
// front by data/index.js; details come in shards (data/nodes/K.js) on demand.
var MF = (window.MF = { details: {}, shardState: {}, shardWaiters: {} });
MF.idx = window.MFLOW_INDEX;

/** Rebuilds one object per node from the column-wise index (see src/docs/site-index.ts). */
MF.expandIndex = function (ix) {
  var T = ix.tables, nodes = new Array(ix.count), rows = ix.rows || {}, ts = ix.ts || [];
  for (var i = 0; i < ix.count; i++) {
    var t = T.t[ix.t[i]], p = T.p[ix.p[i]], g = ix.g[i];
    var n = {
      i: i, n: ix.n[i], t: t, f: T.f[ix.f[i]], s: T.s[ix.s[i]],
      g: g === 0 ? [] : typeof g === 'number' ? [T.g[g - 1]] : g.map(function (k) { return T.g[k]; }),
      d: '', c: '', k: Math.floor(i / ix.shardSize),
    };
    n.id = ix.ids[i] || t + '.' + p + '.' + n.n;
    n.p = p;
    if (ix.st[i]) n.st = T.st[ix.st[i] - 1];
    if (i < ix.graphCount) { n.x = ix.x[i]; n.y = ix.y[i]; n.w = ix.w[i]; n.r = ix.r[i]; n.ts = ts[i] || 0; if (rows[i] !== undefined) n.rows = rows[i]; }
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

/** Descriptions and column names (for search and result lines) arrive after the first render. */
window.MF_DESC = function (list, cols) {
  for (var i = 0; i < list.length && i < MF.nodes.length; i++) { MF.nodes[i].d = list[i] || ''; MF.nodes[i].c = (cols && cols[i]) || ''; }
  MF.descLoaded = true;
  if (MF.onDescriptions) MF.onDescriptions();
};
MF.loadScript = function (src, onerror) {
  var s = document.createElement('script');
  s.src = src;
  if (onerror) s.onerror = onerror;
  document.head.appendChild(s);
};
MF.loadDescriptions = function () {
  if (MF.descRequested) return;
  MF.descRequested = true;
  MF.loadScript('data/search.js');
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
    MF.loadScript('data/nodes/' + k + '.js', function () { MF.shardState[k] = null; reject(new Error('could not load data/nodes/' + k + '.js')); });
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
MF.TYPE_LABEL = { semantic_model: 'semantic model', saved_query: 'saved query' };
MF.badge = function (t) { return '<span class="badge ' + MF.esc(t) + '">' + MF.esc(MF.TYPE_LABEL[t] || t) + '</span>'; };
MF.status = function (s) { return s ? '<span class="status ' + MF.esc(String(s).replace(/ /g, '-')) + '">' + MF.esc(s) + '</span>' : ''; };
MF.nameOf = function (id) { var n = MF.byId.get(id); return n ? n.n : id; };
MF.link = function (id, label) {
  return MF.byId.has(id) ? '<a href="' + MF.nodeHref(id) + '">' + MF.esc(label || MF.nameOf(id)) + '</a>' : '<span>' + MF.esc(label || id) + '</span>';
};
MF.num = function (x) { return Number(x).toLocaleString('en-US'); };
MF.TYPES = ['model', 'source', 'seed', 'snapshot', 'analysis', 'exposure', 'semantic_model', 'metric', 'saved_query', 'test', 'unit_test', 'macro'];

/** Canvas colours follow the page theme (light or dark, from prefers-color-scheme) via CSS variables. */
MF.theme = function () {
  var cs = getComputedStyle(document.documentElement), v = function (k) { return cs.getPropertyValue(k).trim(); };
  var t = { bg: v('--panel'), fg: v('--fg'), muted: v('--muted'), edge: v('--edge'), edgeDim: v('--edge-dim'), box: v('--panel'), hl: v('--accent'), col: v('--col-hl'), colBg: v('--col-bg'), sel: v('--fg'), ok: v('--ok'), warn: v('--warn'), fail: v('--fail') };
  t.types = {};
  MF.TYPES.forEach(function (k) { t.types[k] = v('--' + k.replace('_', '-')) || t.muted; });
  return t;
};

MF.parseHash = function () {
  var h = location.hash.replace(/^#/, '') || '/';
  var q = h.indexOf('?');
  var route = q < 0 ? h : h.slice(0, q);
  var params = new URLSearchParams(q < 0 ? '' : h.slice(q + 1));
  return { route: route, params: params };
};
/**
 * Keeps the view in the URL without a new history entry or a re-render: what is in the address
 * bar is always a link to exactly this view, and a reload restores it.
 */
MF.setParams = function (changes) {
  var h = MF.parseHash();
  Object.keys(changes).forEach(function (k) {
    var v = changes[k];
    if (v === null || v === undefined || v === '' || v === false) h.params.delete(k); else h.params.set(k, String(v));
  });
  var qs = h.params.toString();
  history.replaceState(null, '', '#' + h.route + (qs ? '?' + qs : ''));
};
MF.announce = function (text) { var el = document.getElementById('live'); if (el) el.textContent = text; };

// Router: #/ overview, #/search[?q=&type=&tag=&group=&by=], #/node/<unique_id>[?col=c&sql=raw],
// #/graph[?focus=&up=&down=&select=&exclude=&sel=&cols=1&col=&cn=&z=&cx=&cy=&hide=&tag=&folder=].
MF.route = function () {
  var app = document.getElementById('app');
  var h = MF.parseHash();
  var section = h.route.indexOf('/node/') === 0 ? 'node' : h.route === '/graph' ? 'graph' : h.route === '/search' ? 'search' : 'overview';
  ['overview', 'search', 'graph'].forEach(function (k) {
    var a = document.getElementById('nav-' + k);
    a.classList.toggle('active', section === k);
    if (section === k) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
  document.body.dataset.page = section;
  if (MF.leaveGraph) { MF.leaveGraph(); MF.leaveGraph = null; }
  window.scrollTo(0, 0);
  if (section === 'node') return MF.renderNode(app, decodeURIComponent(h.route.slice(6)), h.params);
  if (section === 'graph') return MF.renderGraph(app, h.params);
  if (section === 'search') {
    // A link to a search (from the overview, or shared) brings its words into the search box.
    var box = document.getElementById('search');
    if (box.value !== (h.params.get('q') || '')) box.value = h.params.get('q') || '';
    document.title = 'Search · ' + MF.idx.project + ' docs';
    MF.renderIndex(app, h.params);
    performance.mark('mflow:index-rendered');
    return;
  }
  document.title = MF.idx.project + ' · mflow docs';
  MF.renderOverview(app);
};
