// A page per node: docs, columns with real types, tests and their last results, lineage, SQL.

/** Upstream column lineage as a tree, following one hop at a time through the shards. */
MF.traceColumn = function (id, col, seen) {
  seen = seen || {};
  var key = id + '\u0000' + col.toLowerCase();
  if (seen[key]) return Promise.resolve({ id: id, col: col, up: [], cycle: true });
  seen[key] = true;
  return MF.loadDetail(id).then(function (d) {
    var c = d && d.columns ? d.columns.find(function (x) { return x.name.toLowerCase() === col.toLowerCase(); }) : null;
    var node = { id: id, col: c ? c.name : col, lin: c ? c.lineage : null, up: [] };
    if (!c || !c.lineage) return node;
    return Promise.all(c.lineage.up.map(function (u) { return MF.traceColumn(u[0], u[1], seen); })).then(function (ups) { node.up = ups; return node; });
  });
};

MF.renderTrace = function (t) {
  var lin = t.lin;
  var label = '<a href="' + MF.nodeHref(t.id) + '?col=' + encodeURIComponent(t.col) + '" data-trace-node="' + MF.esc(t.id) + '">' + MF.esc(MF.nameOf(t.id)) + '.<b>' + MF.esc(t.col) + '</b></a>';
  var tr = lin ? '<span class="tr">' + MF.esc(lin.tr) + '</span>' : (MF.byId.get(t.id) && MF.byId.get(t.id).t === 'source' ? '<span class="tr">source column</span>' : MF.byId.get(t.id) && MF.byId.get(t.id).t === 'seed' ? '<span class="tr">seed column</span>' : '');
  var why = lin && !lin.ok ? '<div class="untraced">⚠ not fully traced: ' + lin.why.map(MF.esc).join('; ') + '</div>' : '';
  return '<li>' + label + tr + why + (t.up.length ? '<ul>' + t.up.map(MF.renderTrace).join('') + '</ul>' : '') + '</li>';
};

MF.renderNode = function (app, id, params) {
  app.innerHTML = '<p class="muted">Loading ' + MF.esc(id) + '…</p>';
  MF.loadDetail(id).then(function (d) {
    if (!d) { app.innerHTML = '<p>No node <code>' + MF.esc(id) + '</code> in this project. <a href="#/">Back to the index</a></p>'; return; }
    document.title = d.name + ' · ' + MF.idx.project;
    var inGraph = MF.byId.get(id).x !== undefined;
    var facts = [];
    if (d.relation) facts.push('relation <b>' + MF.esc(d.relation) + '</b>');
    if (d.materialized) facts.push('materialized <b>' + MF.esc(d.materialized) + '</b>');
    if (d.path) facts.push('file <b>' + MF.esc(d.path) + '</b>');
    if (d.warehouse) facts.push('warehouse <b>' + MF.esc(d.warehouse.type) + '</b>' + (d.warehouse.rows != null ? ' · <b class="row-count">' + Number(d.warehouse.rows).toLocaleString('en-US') + '</b> rows' : ''));
    if (d.lastRun) facts.push('last run ' + MF.status(d.lastRun.status) + (d.lastRun.seconds != null ? ' in ' + Number(d.lastRun.seconds).toFixed(2) + 's' : ''));
    var head = '<div class="card node-head">' + MF.badge(d.type) + ' ' + (d.tags || []).map(function (t) { return '<span class="tag">' + MF.esc(t) + '</span>'; }).join('') +
      '<h1 id="node-title">' + MF.esc(d.name) + '</h1><div class="facts">' + facts.map(function (f) { return '<span>' + f + '</span>'; }).join('') + '</div>' +
      (inGraph ? '<p><a id="open-graph" href="' + MF.graphHref(id, '&up=2&down=2') + '">Open in the lineage graph →</a></p>' : '') + '</div>';
    var desc = '<div class="card"><h2>Description</h2><div class="desc">' + (d.description || '<p class="muted">No description.</p>') + '</div></div>';
    var html = head + desc;
    if (d.type === 'macro') {
      html += '<div class="card"><h2>Arguments</h2>' + (d.arguments.length ? '<ul>' + d.arguments.map(function (a) { return '<li><code>' + MF.esc(a.name) + '</code>' + (a.default != null ? ' = <code>' + MF.esc(a.default) + '</code>' : '') + '</li>'; }).join('') + '</ul>' : '<p class="muted">None.</p>') + '</div>' +
        '<div class="card"><h2>Code</h2><pre class="code"><code class="language-sql">' + MF.esc(d.sql) + '</code></pre></div>';
      app.innerHTML = html;
      MF.highlight(app);
      return;
    }
    if (d.columns && d.columns.length) {
      html += '<div class="card"><h2>Columns</h2>' + (d.lineageError ? '<p class="untraced">Column lineage unavailable: ' + MF.esc(d.lineageError) + '</p>' : '') +
        '<table class="cols" id="columns"><thead><tr><th>Column</th><th>Type</th><th>Description</th><th>Tests</th><th>Computed from</th></tr></thead><tbody>' +
        d.columns.map(function (c) {
          var lin = '';
          if (c.lineage) {
            lin = c.lineage.up.map(function (u) { return '<a href="' + MF.nodeHref(u[0]) + '?col=' + encodeURIComponent(u[1]) + '">' + MF.esc(MF.nameOf(u[0])) + '.' + MF.esc(u[1]) + '</a>'; }).join('') +
              (c.lineage.up.length === 0 && c.lineage.ok ? '<span class="muted">' + (c.lineage.tr === 'constant' ? 'constant' : 'no column input') + '</span>' : '') +
              (!c.lineage.ok ? '<div class="untraced">⚠ cannot be traced: ' + c.lineage.why.map(MF.esc).join('; ') + '</div>' : '') +
              ' <button class="small trace-btn" data-col="' + MF.esc(c.name) + '">trace</button>' +
              (inGraph ? ' <a class="small" href="' + MF.graphHref(id, '&col=' + encodeURIComponent(c.name)) + '">graph</a>' : '');
          }
          return '<tr data-col="' + MF.esc(c.name) + '"><td><b>' + MF.esc(c.name) + '</b></td><td class="type" title="' + MF.esc(c.typeFrom || '') + '">' + MF.esc(c.type || '') + '</td><td class="desc">' + (c.description || '') + '</td><td>' +
            c.tests.map(function (t) { return '<div><a href="' + MF.nodeHref(t.id) + '">' + MF.esc(t.kind) + '</a> ' + MF.status(t.status) + '</div>'; }).join('') + '</td><td class="lin">' + lin + '</td></tr>';
        }).join('') + '</tbody></table><div class="trace" id="trace"></div></div>';
    }
    if (d.tests && d.tests.length) {
      html += '<div class="card"><h2>Tests</h2><table class="cols" id="tests"><thead><tr><th>Test</th><th>Column</th><th>Last result</th><th>Message</th></tr></thead><tbody>' +
        d.tests.map(function (t) { return '<tr><td><a href="' + MF.nodeHref(t.id) + '">' + MF.esc(t.kind) + '</a> <span class="muted">' + MF.esc(t.name) + '</span></td><td>' + MF.esc(t.column || '') + '</td><td>' + (MF.status(t.status) || '<span class="muted">not run</span>') + '</td><td class="muted">' + MF.esc(t.message || '') + '</td></tr>'; }).join('') + '</tbody></table></div>';
    }
    var list = function (ids) { return ids.length ? '<ul>' + ids.map(function (p) { return '<li>' + (MF.byId.get(p) ? MF.badge(MF.byId.get(p).t) + ' ' : '') + MF.link(p) + '</li>'; }).join('') + '</ul>' : '<p class="muted">None.</p>'; };
    html += '<div class="card lists"><div><h2>Parents</h2><div id="parents">' + list(d.parents || []) + '</div></div><div><h2>Children</h2><div id="children">' + list(d.children || []) + '</div></div></div>';
    if (d.compiled || d.raw) {
      html += '<div class="card"><h2>SQL</h2><div class="tabs" id="sql-tabs">' + (d.compiled ? '<button data-sql="compiled" class="on">Compiled</button>' : '') + '<button data-sql="raw" class="' + (d.compiled ? '' : 'on') + '">Source</button></div>' +
        (d.compiled ? '<pre class="code" data-sql="compiled"><code class="language-sql">' + MF.esc(d.compiled) + '</code></pre>' : '') +
        '<pre class="code" data-sql="raw" style="' + (d.compiled ? 'display:none' : '') + '"><code class="language-sql">' + MF.esc(d.raw || '') + '</code></pre></div>';
    }
    if (d.macros && d.macros.length) html += '<div class="card"><h2>Macros used</h2>' + list(d.macros) + '</div>';
    html += '<div class="card"><h2>Configuration</h2><pre class="code">' + MF.esc(JSON.stringify(d.config || {}, null, 2)) + '</pre></div>';
    if (d.source) html += '<div class="card"><h2>Source</h2><pre class="code">' + MF.esc(JSON.stringify(d.source, null, 2)) + '</pre></div>';
    app.innerHTML = html;
    MF.highlight(app);
    var tabs = app.querySelector('#sql-tabs');
    if (tabs) tabs.onclick = function (ev) {
      var b = ev.target.closest('[data-sql]'); if (!b) return;
      tabs.querySelectorAll('button').forEach(function (x) { x.classList.toggle('on', x === b); });
      app.querySelectorAll('pre[data-sql]').forEach(function (p) { p.style.display = p.dataset.sql === b.dataset.sql ? '' : 'none'; });
    };
    var showTrace = function (col) {
      app.querySelectorAll('#columns tr').forEach(function (r) { r.classList.toggle('sel', r.dataset.col === col); });
      var box = app.querySelector('#trace');
      box.innerHTML = '<p class="muted">Tracing ' + MF.esc(col) + '…</p>';
      MF.traceColumn(id, col).then(function (t) {
        box.innerHTML = '<h2>Column lineage of ' + MF.esc(col) + '</h2><ul id="trace-tree">' + MF.renderTrace(t) + '</ul>';
      });
    };
    app.querySelectorAll('.trace-btn').forEach(function (b) { b.onclick = function () { showTrace(b.dataset.col); }; });
    var col = params.get('col');
    if (col && app.querySelector('#trace')) {
      showTrace(col);
      var row = app.querySelector('#columns tr[data-col="' + CSS.escape(col) + '"]');
      if (row) row.scrollIntoView({ block: 'center' });
    }
  });
};

MF.highlight = function (root) {
  root.querySelectorAll('code.language-sql').forEach(function (el) { hljs.highlightElement(el); });
};
