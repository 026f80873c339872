// Router: #/ (index), #/node/<unique_id>[?col=c], #/graph[?focus=<id>&up=n&down=n&col=c].
MF.route = function () {
  var app = document.getElementById('app');
  var h = MF.parseHash();
  document.getElementById('nav-index').classList.toggle('active', h.route === '/');
  document.getElementById('nav-graph').classList.toggle('active', h.route === '/graph');
  window.scrollTo(0, 0);
  if (h.route.indexOf('/node/') === 0) return MF.renderNode(app, decodeURIComponent(h.route.slice(6)), h.params);
  if (h.route === '/graph') return MF.renderGraph(app, h.params);
  document.title = MF.idx.project + ' · mflow docs';
  MF.renderIndex(app);
  performance.mark('mflow:index-rendered');
};
window.addEventListener('hashchange', MF.route);
var search = document.getElementById('search');
search.addEventListener('input', function () {
  MF.indexState.limit = 50;
  if (MF.parseHash().route !== '/') { location.hash = '#/'; return; }
  MF.renderResults();
});
search.addEventListener('keydown', function (ev) {
  if (ev.key === 'Enter') { var first = document.querySelector('#results .result'); if (first) location.hash = MF.nodeHref(first.dataset.id); }
});
document.addEventListener('keydown', function (ev) { if (ev.key === '/' && document.activeElement !== search) { ev.preventDefault(); search.focus(); } });
MF.onDescriptions = function () { if (MF.parseHash().route === '/') MF.renderResults(); };
MF.route();
// After the first paint, so the 10,000-node index shows before descriptions are parsed.
requestAnimationFrame(function () { setTimeout(MF.loadDescriptions, 100); });
