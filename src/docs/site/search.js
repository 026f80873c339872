// The index page: every node grouped by folder or by schema, filtered by type, tag and search.
MF.indexState = { groupBy: 'folder', group: null, type: null, tag: null, allGroups: false, allTags: false, limit: 50 };
// Long lists are cut (a 10,000-model project has hundreds of folders and tags): the first screen
// must lay out fast; 'show all' and 'show more' expand them.
MF.GROUPS_SHOWN = 60;
MF.TAGS_SHOWN = 40;

MF.searchNodes = function (q) {
  var s = MF.indexState;
  var terms = q.toLowerCase().split(/\s+/).filter(Boolean);
  var out = [];
  for (var i = 0; i < MF.nodes.length; i++) {
    var n = MF.nodes[i];
    if (s.type && n.t !== s.type) continue;
    if (s.tag && n.g.indexOf(s.tag) < 0) continue;
    if (s.group !== null && (s.groupBy === 'folder' ? n.f : n.s) !== s.group) continue;
    if (terms.length) {
      var hay = (n.n + ' ' + n.id + ' ' + n.f + ' ' + n.s + ' ' + n.g.join(' ') + ' ' + n.d).toLowerCase();
      var ok = true;
      for (var t = 0; t < terms.length; t++) if (hay.indexOf(terms[t]) < 0) { ok = false; break; }
      if (!ok) continue;
    }
    out.push(n);
  }
  // Exact and prefix name matches first: searching "fact_admission" must put it on top.
  if (terms.length) {
    var q0 = terms.join(' ');
    var rank = function (n) { var nm = n.n.toLowerCase(); return nm === q0 ? 0 : nm.indexOf(q0) === 0 ? 1 : nm.indexOf(q0) >= 0 ? 2 : 3; };
    out.sort(function (a, b) { return rank(a) - rank(b) || a.n.localeCompare(b.n); });
  }
  return out;
};

MF.renderIndex = function (app) {
  var s = MF.indexState;
  var counts = {}, types = {}, tags = {};
  MF.nodes.forEach(function (n) {
    var g = s.groupBy === 'folder' ? n.f : n.s;
    counts[g] = (counts[g] || 0) + 1;
    types[n.t] = (types[n.t] || 0) + 1;
    n.g.forEach(function (t) { tags[t] = (tags[t] || 0) + 1; });
  });
  var groupKeys = Object.keys(counts).sort();
  var side = '<div class="tabs"><button data-groupby="folder" class="' + (s.groupBy === 'folder' ? 'on' : '') + '">By folder</button><button data-groupby="schema" class="' + (s.groupBy === 'schema' ? 'on' : '') + '">By schema</button></div>' +
    '<h3>' + (s.groupBy === 'folder' ? 'Folders' : 'Schemas') + '</h3>' +
    '<div class="grp ' + (s.group === null ? 'sel' : '') + '" data-group="">All <span class="muted">' + MF.nodes.length + '</span></div>' +
    groupKeys.slice(0, s.allGroups ? groupKeys.length : MF.GROUPS_SHOWN).map(function (g) {
      return '<div class="grp ' + (s.group === g ? 'sel' : '') + '" data-group="' + MF.esc(g) + '" data-real="1">' + MF.esc(g || '(root)') + ' <span class="muted">' + counts[g] + '</span></div>';
    }).join('') +
    (!s.allGroups && groupKeys.length > MF.GROUPS_SHOWN ? '<div class="grp more" data-more="groups">show all ' + groupKeys.length + '…</div>' : '') +
    '<h3>Tags</h3><div class="chips">' + Object.keys(tags).sort().slice(0, s.allTags ? Infinity : MF.TAGS_SHOWN).map(function (t) {
      return '<button data-tag="' + MF.esc(t) + '" class="' + (s.tag === t ? 'on' : '') + '">' + MF.esc(t) + ' ' + tags[t] + '</button>';
    }).join('') + (!s.allTags && Object.keys(tags).length > MF.TAGS_SHOWN ? '<button data-more="tags">all ' + Object.keys(tags).length + ' tags…</button>' : '') + '</div>';
  var typeChips = '<div class="chips">' + ['', 'model', 'source', 'seed', 'snapshot', 'test', 'macro', 'analysis'].filter(function (t) { return !t || types[t]; }).map(function (t) {
    return '<button data-type="' + t + '" class="' + ((s.type || '') === t ? 'on' : '') + '">' + (t || 'all types') + (t ? ' ' + types[t] : '') + '</button>';
  }).join('') + '</div>';
  app.innerHTML = '<div class="layout"><aside class="sidebar" id="index-side">' + side + '</aside><section><div id="type-chips">' + typeChips + '</div><p class="muted" id="result-count"></p><div class="results" id="results"></div></section></div>';
  MF.renderResults();
  app.querySelector('#index-side').onclick = function (ev) {
    var t = ev.target.closest('[data-groupby],[data-group],[data-tag],[data-more]');
    if (!t) return;
    if (t.dataset.more === 'groups') s.allGroups = true;
    else if (t.dataset.more === 'tags') s.allTags = true;
    else if (t.dataset.groupby) { s.groupBy = t.dataset.groupby; s.group = null; }
    else if (t.dataset.tag !== undefined) s.tag = s.tag === t.dataset.tag ? null : t.dataset.tag;
    else s.group = t.dataset.real ? t.dataset.group : null;
    MF.renderIndex(app);
  };
  app.querySelector('#type-chips').onclick = function (ev) {
    var t = ev.target.closest('[data-type]');
    if (!t) return;
    s.type = t.dataset.type || null;
    MF.renderIndex(app);
  };
};

MF.renderResults = function () {
  var box = document.getElementById('results');
  if (!box) return;
  var q = document.getElementById('search').value;
  var found = MF.searchNodes(q);
  var LIMIT = MF.indexState.limit;
  document.getElementById('result-count').textContent = found.length + ' of ' + MF.nodes.length + ' nodes' + (found.length > LIMIT ? ' (showing the first ' + LIMIT + ')' : '');
  var more = found.length > LIMIT ? '<button class="small" id="more-results">show ' + Math.min(200, found.length - LIMIT) + ' more</button>' : '';
  box.innerHTML = found.slice(0, LIMIT).map(function (n) {
    return '<div class="result" data-id="' + MF.esc(n.id) + '"><div>' + MF.badge(n.t) + '</div><div><a class="name" href="' + MF.nodeHref(n.id) + '">' + MF.esc(n.n) + '</a> ' + MF.status(n.st) +
      '<div class="meta">' + MF.esc(n.f) + (n.s ? ' · ' + MF.esc(n.s) : '') + ' ' + n.g.map(function (t) { return '<span class="tag">' + MF.esc(t) + '</span>'; }).join('') + '</div>' +
      (n.d ? '<div class="meta">' + MF.esc(n.d) + '</div>' : '') + '</div></div>';
  }).join('') + (more ? '<div class="result">' + more + '</div>' : '') || '<p class="muted" style="padding:12px">Nothing matches.</p>';
  var btn = document.getElementById('more-results');
  if (btn) btn.onclick = function () { MF.indexState.limit += 200; MF.renderResults(); };
};
