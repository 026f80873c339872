// The index page: every node, filterable by folder/schema, type, tag and search; its state is in
// the URL (#/search?q=&type=&tag=&group=&by=).
MF.indexState = { limit: 50, allGroups: false, allTags: false };
// Long lists are cut (a 10,000-model project has hundreds of folders and tags): the first screen
// must lay out fast; 'show all' and 'show more' expand them.
MF.GROUPS_SHOWN = 60;
MF.TAGS_SHOWN = 40;
// Models and the things built from them come before tests and macros when the match is as good.
MF.TYPE_RANK = { model: 0, source: 1, seed: 1, snapshot: 1, exposure: 2, metric: 2, semantic_model: 2, saved_query: 2, analysis: 3, macro: 4, test: 5, unit_test: 5 };

/**
 * Edit distance of `term` to the best-matching part of `text` (Sellers' algorithm): 1 means one
 * letter missing, extra, wrong or swapped somewhere, so "readmision" finds "mart_readmission".
 */
MF.fuzzyDistance = function (term, text, max) {
  var m = term.length, prev = new Array(m + 1), cur = new Array(m + 1), pp = new Array(m + 1), best = m;
  for (var i = 0; i <= m; i++) prev[i] = i;
  for (var j = 1; j <= text.length; j++) {
    cur[0] = 0;
    var tc = text.charCodeAt(j - 1);
    for (i = 1; i <= m; i++) {
      var cost = term.charCodeAt(i - 1) === tc ? 0 : 1;
      var v = Math.min(prev[i] + 1, cur[i - 1] + 1, prev[i - 1] + cost);
      if (i > 1 && j > 1 && term.charCodeAt(i - 1) === text.charCodeAt(j - 2) && term.charCodeAt(i - 2) === tc) v = Math.min(v, pp[i - 2] + 1);
      cur[i] = v;
    }
    if (cur[m] < best) { best = cur[m]; if (best === 0) return 0; }
    var t = pp; pp = prev; prev = cur; cur = t;
  }
  return best <= max ? best : max + 1;
};
// Short words and words with digits (d042, 2010) must match as typed: d043 is not a typo of d042.
MF.typoBudget = function (term) { return /\d/.test(term) ? 0 : term.length >= 8 ? 2 : term.length >= 5 ? 1 : 0; };

/**
 * Scores one node for the search terms: lower is better, -1 is no match. Exact name, name prefix,
 * name part, column name, other fields (description, folder, tags), then typo matches on name and
 * columns; ties go to models before tests.
 */
MF.scoreNode = function (n, terms, q0) {
  var name = n.n.toLowerCase(), cols = n.c.toLowerCase(), score = 0;
  var other = null;
  for (var t = 0; t < terms.length; t++) {
    var term = terms[t], s;
    if (name === term) s = 0;
    else if (name.indexOf(term) === 0) s = 1;
    else if (name.indexOf(term) > 0) s = 2;
    else if ((' ' + cols + ' ').indexOf(' ' + term + ' ') >= 0) s = 2;
    else if (cols.indexOf(term) >= 0) s = 4;
    else {
      if (other === null) other = (n.id + ' ' + n.f + ' ' + n.s + ' ' + n.g.join(' ') + ' ' + n.d).toLowerCase();
      if (other.indexOf(term) >= 0) s = 5;
      else {
        var budget = MF.typoBudget(term);
        if (!budget) return -1;
        var d = MF.fuzzyDistance(term, name, budget);
        if (d <= budget) s = 6 + d;
        else if (cols && MF.fuzzyDistance(term, cols, budget) <= budget) s = 9;
        else return -1;
      }
    }
    score += s;
  }
  if (terms.length > 1 && name === q0.replace(/\s+/g, '_')) score = 0;
  // Test names repeat their model's and column's names, so they match almost any search: they
  // come after the model unless the search names the test itself.
  if ((n.t === 'test' || n.t === 'unit_test') && score > 0) score += 2;
  return score;
};

MF.searchNodes = function (q, filter) {
  filter = filter || {};
  var terms = q.toLowerCase().split(/\s+/).filter(Boolean);
  var out = [];
  for (var i = 0; i < MF.nodes.length; i++) {
    var n = MF.nodes[i];
    if (filter.type && n.t !== filter.type) continue;
    if (filter.tag && n.g.indexOf(filter.tag) < 0) continue;
    // A folder holds what is under it too (models/core shows models/core/dims and models/core/facts).
    if (filter.group !== undefined && filter.group !== null && (filter.by === 'schema' ? n.s !== filter.group : !(n.f === filter.group || (filter.group && n.f.indexOf(filter.group + '/') === 0)))) continue;
    if (terms.length) {
      var sc = MF.scoreNode(n, terms, terms.join(' '));
      if (sc < 0) continue;
      n.score = sc;
    }
    out.push(n);
  }
  if (terms.length) out.sort(function (a, b) { return a.score - b.score || (MF.TYPE_RANK[a.t] || 0) - (MF.TYPE_RANK[b.t] || 0) || a.n.length - b.n.length || a.n.localeCompare(b.n); });
  return out;
};

MF.indexFilter = function (params) {
  return { type: params.get('type') || null, tag: params.get('tag') || null, group: params.has('group') ? params.get('group') : null, by: params.get('by') === 'schema' ? 'schema' : 'folder' };
};

MF.renderIndex = function (app, params) {
  var s = MF.indexState, f = MF.indexFilter(params);
  var counts = {}, types = {}, tags = {};
  MF.nodes.forEach(function (n) {
    if (f.by === 'folder') {
      // Counted in its folder and every folder above it: the list is a tree.
      var parts = n.f ? n.f.split('/') : [''];
      for (var k = 1; k <= parts.length; k++) { var g = parts.slice(0, k).join('/'); counts[g] = (counts[g] || 0) + 1; }
    } else counts[n.s] = (counts[n.s] || 0) + 1;
    types[n.t] = (types[n.t] || 0) + 1;
    n.g.forEach(function (t) { tags[t] = (tags[t] || 0) + 1; });
  });
  var groupKeys = Object.keys(counts).sort();
  var pressed = function (on) { return ' aria-pressed="' + (on ? 'true' : 'false') + '" class="grp' + (on ? ' sel' : '') + '"'; };
  var side = '<div class="tabs" role="group" aria-label="Group by"><button type="button" data-by="folder"' + (f.by === 'folder' ? ' class="on" aria-pressed="true"' : ' aria-pressed="false"') + '>By folder</button><button type="button" data-by="schema"' + (f.by === 'schema' ? ' class="on" aria-pressed="true"' : ' aria-pressed="false"') + '>By schema</button></div>' +
    '<h2 class="side-h" id="groups-h">' + (f.by === 'folder' ? 'Folders' : 'Schemas') + '</h2>' +
    '<ul class="groups" aria-labelledby="groups-h"><li><button type="button" data-group=""' + pressed(f.group === null) + '>All <span class="muted">' + MF.nodes.length + '</span></button></li>' +
    groupKeys.slice(0, s.allGroups ? groupKeys.length : MF.GROUPS_SHOWN).map(function (g) {
      var depth = f.by === 'folder' && g ? g.split('/').length - 1 : 0;
      return '<li style="padding-left:' + depth * 10 + 'px"><button type="button" data-group="' + MF.esc(g) + '" data-real="1"' + pressed(f.group === g) + '>' + MF.esc(g || '(root)') + ' <span class="muted">' + counts[g] + '</span></button></li>';
    }).join('') +
    (!s.allGroups && groupKeys.length > MF.GROUPS_SHOWN ? '<li><button type="button" class="grp more" data-more="groups">show all ' + groupKeys.length + '…</button></li>' : '') + '</ul>' +
    '<h2 class="side-h">Tags</h2><div class="chips">' + Object.keys(tags).sort().slice(0, s.allTags ? Infinity : MF.TAGS_SHOWN).map(function (t) {
      return '<button type="button" data-tag="' + MF.esc(t) + '" aria-pressed="' + (f.tag === t) + '" class="' + (f.tag === t ? 'on' : '') + '">' + MF.esc(t) + ' ' + tags[t] + '</button>';
    }).join('') + (!s.allTags && Object.keys(tags).length > MF.TAGS_SHOWN ? '<button type="button" data-more="tags">all ' + Object.keys(tags).length + ' tags…</button>' : '') + '</div>';
  var typeChips = '<div class="chips" role="group" aria-label="Resource type">' + [''].concat(MF.TYPES).filter(function (t) { return !t || types[t]; }).map(function (t) {
    return '<button type="button" data-type="' + t + '" aria-pressed="' + ((f.type || '') === t) + '" class="' + ((f.type || '') === t ? 'on' : '') + '">' + (t ? MF.esc(MF.TYPE_LABEL[t] || t) + ' ' + types[t] : 'all types') + '</button>';
  }).join('') + '</div>';
  app.innerHTML = '<h1 class="page-h">Index of ' + MF.esc(MF.idx.project) + '</h1><div class="layout"><aside class="sidebar" id="index-side" aria-label="Folders and tags">' + side + '</aside><section aria-label="Results"><div id="type-chips">' + typeChips + '</div><p class="muted" id="result-count" role="status"></p><div class="results" id="results"></div></section></div>';
  MF.renderResults();
  var go = function (changes) { MF.indexState.limit = 50; MF.setParams(changes); MF.renderIndex(app, MF.parseHash().params); };
  app.querySelector('#index-side').onclick = function (ev) {
    var t = ev.target.closest('[data-by],[data-group],[data-tag],[data-more]');
    if (!t) return;
    if (t.dataset.more === 'groups') { s.allGroups = true; MF.renderIndex(app, params); }
    else if (t.dataset.more === 'tags') { s.allTags = true; MF.renderIndex(app, params); }
    else if (t.dataset.by) go({ by: t.dataset.by === 'schema' ? 'schema' : null, group: null });
    else if (t.dataset.tag !== undefined) go({ tag: f.tag === t.dataset.tag ? null : t.dataset.tag });
    else if (t.dataset.real) {
      // The root folder is the empty string: a real value, so it is set here rather than through setParams.
      var p = MF.parseHash(); p.params.set('group', t.dataset.group);
      history.replaceState(null, '', '#' + p.route + '?' + p.params.toString());
      MF.indexState.limit = 50; MF.renderIndex(app, MF.parseHash().params);
    } else go({ group: null });
    var again = app.querySelector('#index-side [data-group="' + CSS.escape(t.dataset.group || '') + '"]');
    if (again && t.dataset.group !== undefined) again.focus();
  };
  app.querySelector('#type-chips').onclick = function (ev) {
    var t = ev.target.closest('[data-type]');
    if (!t) return;
    go({ type: t.dataset.type || null });
  };
};

MF.renderResults = function () {
  var box = document.getElementById('results');
  if (!box) return;
  var q = document.getElementById('search').value;
  var found = MF.searchNodes(q, MF.indexFilter(MF.parseHash().params));
  var LIMIT = MF.indexState.limit;
  document.getElementById('result-count').textContent = found.length + ' of ' + MF.nodes.length + ' nodes' + (found.length > LIMIT ? ' (showing the first ' + LIMIT + ')' : '') + (q && !MF.descLoaded ? ' · descriptions and columns still loading' : '');
  var terms = q.toLowerCase().split(/\s+/).filter(Boolean);
  var more = found.length > LIMIT ? '<button type="button" class="small" id="more-results">show ' + Math.min(200, found.length - LIMIT) + ' more</button>' : '';
  box.innerHTML = found.slice(0, LIMIT).map(function (n) {
    // Say which columns matched: the reason a model without the word in its name is listed.
    var colHits = terms.length && n.c ? n.c.split(' ').filter(function (c) { var lc = c.toLowerCase(); return terms.some(function (t) { return lc.indexOf(t) >= 0; }); }).slice(0, 5) : [];
    return '<div class="result" data-id="' + MF.esc(n.id) + '"><div>' + MF.badge(n.t) + '</div><div><a class="name" href="' + MF.nodeHref(n.id) + '">' + MF.esc(n.n) + '</a> ' + MF.status(n.st) +
      '<div class="meta">' + MF.esc(n.f) + (n.s ? ' · ' + MF.esc(n.s) : '') + ' ' + n.g.map(function (t) { return '<span class="tag">' + MF.esc(t) + '</span>'; }).join('') + '</div>' +
      (colHits.length ? '<div class="meta cols-hit">columns: ' + colHits.map(function (c) { return '<a href="' + MF.nodeHref(n.id) + '?col=' + encodeURIComponent(c) + '"><code>' + MF.esc(c) + '</code></a>'; }).join(' ') + '</div>' : '') +
      (n.d ? '<div class="meta">' + MF.esc(n.d) + '</div>' : '') + '</div></div>';
  }).join('') + (more ? '<div class="result">' + more + '</div>' : '') || '<p class="muted" style="padding:12px">Nothing matches.</p>';
  var btn = document.getElementById('more-results');
  if (btn) btn.onclick = function () { MF.indexState.limit += 200; MF.renderResults(); };
};
