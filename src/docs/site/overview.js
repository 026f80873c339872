// The landing page: the project's own description, what each layer holds, the last run and the
// last freshness check. Its data (data/overview.js) is loaded by script tag on first visit.
window.MF_OVERVIEW = function (o) {
  MF.overview = o;
  (MF.overviewWaiters || []).forEach(function (f) { f(o); });
  MF.overviewWaiters = [];
};

MF.loadOverview = function () {
  return new Promise(function (resolve) {
    if (MF.overview) return resolve(MF.overview);
    (MF.overviewWaiters = MF.overviewWaiters || []).push(resolve);
    if (MF.overviewRequested) return;
    MF.overviewRequested = true;
    MF.loadScript('data/overview.js');
  });
};

MF.ago = function (iso) {
  var t = Date.parse(iso);
  if (!isFinite(t)) return '';
  var s = Math.max(0, (Date.now() - t) / 1000);
  return s < 90 ? 'just now' : s < 5400 ? Math.round(s / 60) + ' minutes ago' : s < 129600 ? Math.round(s / 3600) + ' hours ago' : Math.round(s / 86400) + ' days ago';
};

MF.renderOverview = function (app) {
  app.innerHTML = '<h1 class="page-h">' + MF.esc(MF.idx.project) + '</h1><p class="muted">Loading the overview…</p>';
  MF.loadOverview().then(function (o) {
    if (MF.parseHash().route !== '/' && MF.parseHash().route !== '') return;
    var types = Object.keys(o.types).filter(function (t) { return o.types[t]; });
    var layerNames = Object.keys(o.layers).sort(function (a, b) { return a === 'tests' ? 1 : b === 'tests' ? -1 : a.localeCompare(b); });
    var layers = '<table class="cols" id="layers"><caption class="sr-only">Nodes by layer and type</caption><thead><tr><th scope="col">Layer</th><th scope="col">What it holds</th><th scope="col" class="num">Total</th></tr></thead><tbody>' +
      layerNames.map(function (l) {
        var per = o.layers[l], total = 0;
        var parts = Object.keys(per).map(function (t) { total += per[t]; return MF.badge(t) + ' ' + per[t]; }).join(' ');
        var href = l === 'sources' ? 'type=source' : l === 'tests' ? 'type=test' : l === 'seeds' ? 'type=seed' : l === 'semantic layer & exposures' ? '' : 'group=' + encodeURIComponent('models/' + l);
        return '<tr><th scope="row"><a href="#/search' + (href ? '?' + href : '') + '">' + MF.esc(l) + '</a></th><td>' + parts + '</td><td class="num">' + MF.num(total) + '</td></tr>';
      }).join('') + '</tbody></table>';
    var counts = '<ul class="counts" id="type-counts">' + types.map(function (t) { return '<li><a href="#/search?type=' + encodeURIComponent(t) + '"><b>' + MF.num(o.types[t]) + '</b> ' + MF.esc(MF.TYPE_LABEL[t] || t) + (o.types[t] === 1 ? '' : 's') + '</a></li>'; }).join('') + '</ul>';
    var run = '<p class="muted">No run results: run <code>mflow build</code> and generate the docs again to see the last run here.</p>';
    if (o.lastRun) {
      var r = o.lastRun;
      var cls = r.status === 'success' ? 'pass' : r.status === 'warnings' ? 'warn' : 'fail';
      run = '<p id="last-run"><span class="status ' + cls + '">' + MF.esc(r.status) + '</span> · ' + (r.command ? '<code>mflow ' + MF.esc(r.command) + '</code> · ' : '') +
        (r.generatedAt ? 'finished <time datetime="' + MF.esc(r.generatedAt) + '">' + MF.esc(r.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')) + '</time> (' + MF.ago(r.generatedAt) + ')' : '') +
        (r.elapsed != null ? ' · took ' + Number(r.elapsed).toFixed(1) + ' s' : '') + '</p>' +
        '<ul class="counts">' + Object.keys(r.statuses).map(function (k) { return '<li>' + MF.status(k) + ' <b>' + r.statuses[k] + '</b></li>'; }).join('') + '</ul>' +
        (r.problems.length ? '<h3>Failures and warnings' + (r.problemsTotal > r.problems.length ? ' (first ' + r.problems.length + ' of ' + r.problemsTotal + ')' : '') + '</h3><ul id="run-problems">' + r.problems.map(function (p) {
          return '<li>' + MF.status(p.status) + ' ' + MF.link(p.id) + (p.failures ? ' · ' + MF.num(p.failures) + ' failing rows' : '') + (p.message ? ' <span class="muted">' + MF.esc(p.message) + '</span>' : '') + '</li>';
        }).join('') + '</ul>' : '<p>No failures.</p>');
    }
    var fresh = '<p class="muted">No freshness results: run <code>mflow source freshness</code> and generate the docs again.</p>';
    if (o.freshness) {
      fresh = '<p class="muted">Checked ' + MF.esc((o.freshness.generatedAt || '').replace('T', ' ').replace(/\.\d+Z$/, 'Z')) + '</p><table class="cols" id="freshness"><thead><tr><th scope="col">Source</th><th scope="col">Status</th><th scope="col">Newest row</th><th scope="col">Age</th></tr></thead><tbody>' +
        o.freshness.results.map(function (f) {
          return '<tr><td>' + MF.link(f.id) + '</td><td>' + MF.status(f.status) + (f.error ? ' <span class="muted">' + MF.esc(f.error) + '</span>' : '') + '</td><td>' + MF.esc(f.maxLoadedAt || '') + '</td><td>' + (f.ageSeconds != null ? MF.esc(MF.duration(f.ageSeconds)) : '') + '</td></tr>';
        }).join('') + '</tbody></table>';
    }
    var about = o.about ? '<div class="desc about" id="about" tabindex="0" role="region" aria-label="Project description">' + o.about + '</div>' : '<p class="muted">No description: add a <code>{% docs __overview__ %}</code> block or a README.md to the project.</p>';
    app.innerHTML = '<h1 class="page-h" id="overview-title">' + MF.esc(MF.idx.project) + '</h1>' +
      '<div class="overview"><section class="card" aria-labelledby="h-counts"><h2 id="h-counts">Contents</h2>' + counts + layers +
      '<p><a href="#/graph">Open the lineage graph →</a></p></section>' +
      '<section class="card" aria-labelledby="h-run"><h2 id="h-run">Last run</h2>' + run + '</section>' +
      '<section class="card" aria-labelledby="h-fresh"><h2 id="h-fresh">Source freshness</h2>' + fresh + '</section>' +
      '<section class="card about-card" aria-labelledby="h-about"><h2 id="h-about">About this project</h2>' + about + '</section></div>';
    // Scrollable boxes must be reachable by keyboard.
    app.querySelectorAll('.about pre').forEach(function (p) { p.tabIndex = 0; });
    performance.mark('mflow:overview-rendered');
  });
};

MF.duration = function (s) {
  s = Number(s);
  return s < 120 ? Math.round(s) + ' s' : s < 7200 ? Math.round(s / 60) + ' min' : s < 172800 ? Math.round(s / 3600) + ' h' : Math.round(s / 86400) + ' days';
};
