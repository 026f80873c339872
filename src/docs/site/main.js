// Start-up: the header search, keyboard shortcut and the first route.
window.addEventListener('hashchange', MF.route);
var search = document.getElementById('search');
search.addEventListener('input', function () {
  MF.indexState.limit = 50;
  if (MF.parseHash().route !== '/search') { location.hash = '#/search?q=' + encodeURIComponent(search.value); return; }
  MF.setParams({ q: search.value });
  MF.renderResults();
});
search.addEventListener('keydown', function (ev) {
  if (ev.key === 'Enter') { var first = document.querySelector('#results .result[data-id]'); if (first) location.hash = MF.nodeHref(first.dataset.id); }
});
document.addEventListener('keydown', function (ev) {
  var t = ev.target, typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
  if (ev.key === '/' && !typing) { ev.preventDefault(); search.focus(); }
});
MF.onDescriptions = function () { if (MF.parseHash().route === '/search') MF.renderResults(); };
var initial = MF.parseHash();
if (initial.route === '/search') search.value = initial.params.get('q') || '';
MF.route();
// After the first paint, so the 10,000-node index shows before descriptions are parsed.
requestAnimationFrame(function () { setTimeout(MF.loadDescriptions, 100); });
// Dark mode follows the system; the canvas is redrawn with the new colours.
if (window.matchMedia) {
  var mq = window.matchMedia('(prefers-color-scheme: dark)');
  var onTheme = function () { if (MF.graph && MF.graph.retheme) MF.graph.retheme(); };
  if (mq.addEventListener) mq.addEventListener('change', onTheme);
}
// The skip link moves focus only: following "#app" would be read as a route.
document.querySelector('.skip').addEventListener('click', function (ev) { ev.preventDefault(); document.getElementById('app').focus(); });
