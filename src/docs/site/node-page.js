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
    if (d.facts) facts.push.apply(facts, MF.semanticFacts(d));
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
    if (d.facts) html += MF.semanticDefinition(d);
    if (d.columns && d.columns.length) {
      html += '<div class="card"><h2>Columns</h2>' + (d.lineageError ? '<p class="untraced">Column lineage unavailable: ' + MF.esc(d.lineageError) + '</p>' : '') +
        '<div class="scroll-x" tabindex="0" role="region" aria-label="Columns of ' + MF.esc(d.name) + '"><table class="cols" id="columns"><thead><tr><th>Column</th><th>Type</th><th>Description</th><th>Tests</th><th>Computed from</th></tr></thead><tbody>' +
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
        }).join('') + '</tbody></table></div><div class="trace" id="trace"></div></div>';
    }
    if (d.tests && d.tests.length) {
      html += '<div class="card"><h2>Tests</h2><div class="scroll-x" tabindex="0" role="region" aria-label="Tests"><table class="cols" id="tests"><thead><tr><th>Test</th><th>Column</th><th>Last result</th><th>Message</th></tr></thead><tbody>' +
        d.tests.map(function (t) { return '<tr><td><a href="' + MF.nodeHref(t.id) + '">' + MF.esc(t.kind) + '</a> <span class="muted">' + MF.esc(t.name) + '</span></td><td>' + MF.esc(t.column || '') + '</td><td>' + (MF.status(t.status) || '<span class="muted">not run</span>') + '</td><td class="muted">' + MF.esc(t.message || '') + '</td></tr>'; }).join('') + '</tbody></table></div></div>';
    }
    var list = function (ids) { return ids.length ? '<ul>' + ids.map(function (p) { return '<li>' + (MF.byId.get(p) ? MF.badge(MF.byId.get(p).t) + ' ' : '') + MF.link(p) + '</li>'; }).join('') + '</ul>' : '<p class="muted">None.</p>'; };
    html += '<div class="card lists"><div><h2>Parents</h2><div id="parents">' + list(d.parents || []) + '</div></div><div><h2>Children</h2><div id="children">' + list(d.children || []) + '</div></div></div>';
    if (d.compiled || d.raw) {
      // The tab shown is in the URL (?sql=raw), so a link to the source SQL opens on it.
      var sqlTab = d.compiled && params.get('sql') !== 'raw' ? 'compiled' : 'raw';
      var tabBtn = function (k, label) { return '<button type="button" role="tab" id="tab-' + k + '" aria-controls="sql-' + k + '" data-sql="' + k + '" aria-selected="' + (sqlTab === k) + '" class="' + (sqlTab === k ? 'on' : '') + '">' + label + '</button>'; };
      html += '<div class="card"><h2 id="h-sql">SQL</h2><div class="tabs" id="sql-tabs" role="tablist" aria-labelledby="h-sql">' + (d.compiled ? tabBtn('compiled', 'Compiled') : '') + tabBtn('raw', 'Source') + '</div>' +
        (d.compiled ? '<pre class="code" role="tabpanel" tabindex="0" id="sql-compiled" aria-labelledby="tab-compiled" data-sql="compiled" style="' + (sqlTab === 'compiled' ? '' : 'display:none') + '"><code class="language-sql">' + MF.esc(d.compiled) + '</code></pre>' : '') +
        '<pre class="code" role="tabpanel" tabindex="0" id="sql-raw" aria-labelledby="tab-raw" data-sql="raw" style="' + (sqlTab === 'raw' ? '' : 'display:none') + '"><code class="language-sql">' + MF.esc(d.raw || '') + '</code></pre></div>';
    }
    if (d.macros && d.macros.length) html += '<div class="card"><h2>Macros used</h2>' + list(d.macros) + '</div>';
    html += '<div class="card"><h2>Configuration</h2><pre class="code" tabindex="0">' + MF.esc(JSON.stringify(d.config || {}, null, 2)) + '</pre></div>';
    if (d.source) html += '<div class="card"><h2>Source</h2><pre class="code" tabindex="0">' + MF.esc(JSON.stringify(d.source, null, 2)) + '</pre></div>';
    app.innerHTML = html;
    MF.highlight(app);
    var tabs = app.querySelector('#sql-tabs');
    if (tabs) tabs.onclick = function (ev) {
      var b = ev.target.closest('[data-sql]'); if (!b) return;
      tabs.querySelectorAll('button').forEach(function (x) { x.classList.toggle('on', x === b); x.setAttribute('aria-selected', String(x === b)); });
      app.querySelectorAll('pre[data-sql]').forEach(function (p) { p.style.display = p.dataset.sql === b.dataset.sql ? '' : 'none'; });
      MF.setParams({ sql: b.dataset.sql === 'raw' && d.compiled ? 'raw' : null });
    };
    var showTrace = function (col) {
      MF.setParams({ col: col });
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

/** Exposures, metrics, semantic models and saved queries: the facts dbt users look for first. */
MF.semanticFacts = function (d) {
  var f = d.facts, out = [];
  if (f.label) out.push('label <b>' + MF.esc(f.label) + '</b>');
  if (f.type) out.push('type <b>' + MF.esc(f.type) + '</b>');
  if (f.maturity) out.push('maturity <b>' + MF.esc(f.maturity) + '</b>');
  if (f.owner) out.push('owner <b>' + MF.esc(f.owner.name || f.owner.email || '') + '</b>' + (f.owner.email && f.owner.name ? ' &lt;' + MF.esc(f.owner.email) + '&gt;' : ''));
  if (f.url && /^https?:/i.test(f.url)) out.push('<a href="' + MF.esc(f.url) + '" rel="noopener">' + MF.esc(f.url) + '</a>');
  if (f.model) out.push('model <b>' + MF.esc(f.model) + '</b>');
  if (f.defaults && f.defaults.agg_time_dimension) out.push('time dimension <b>' + MF.esc(f.defaults.agg_time_dimension) + '</b>');
  return out;
};

MF.semanticDefinition = function (d) {
  var f = d.facts, html = '';
  var table = function (id, title, rows, head) {
    if (!rows || !rows.length) return '';
    return '<div class="card"><h2>' + title + '</h2><div class="scroll-x" tabindex="0" role="region" aria-label="' + title + '"><table class="cols" id="' + id + '"><thead><tr>' + head.map(function (h) { return '<th scope="col">' + h[0] + '</th>'; }).join('') + '</tr></thead><tbody>' +
      rows.map(function (r) { return '<tr>' + head.map(function (h) { var v = h[1](r); return '<td>' + (v == null ? '' : MF.esc(typeof v === 'object' ? JSON.stringify(v) : v)) + '</td>'; }).join('') + '</tr>'; }).join('') + '</tbody></table></div></div>';
  };
  html += table('entities', 'Entities', f.entities, [['Name', function (r) { return r.name; }], ['Type', function (r) { return r.type; }], ['Expression', function (r) { return r.expr; }]]);
  html += table('dimensions', 'Dimensions', f.dimensions, [['Name', function (r) { return r.name; }], ['Type', function (r) { return r.type; }], ['Expression', function (r) { return r.expr; }], ['Granularity', function (r) { return r.type_params && r.type_params.time_granularity; }]]);
  html += table('measures', 'Measures', f.measures, [['Name', function (r) { return r.name; }], ['Aggregation', function (r) { return r.agg; }], ['Expression', function (r) { return r.expr; }], ['Description', function (r) { return r.description; }]]);
  if (f.type_params) html += '<div class="card"><h2>Definition</h2><pre class="code" tabindex="0" id="metric-definition">' + MF.esc(JSON.stringify({ type: f.type, type_params: f.type_params, filter: f.filter || undefined }, null, 2)) + '</pre></div>';
  if (f.query_params) html += '<div class="card"><h2>Query</h2><pre class="code" tabindex="0" id="saved-query">' + MF.esc(JSON.stringify({ query_params: f.query_params, exports: f.exports || undefined }, null, 2)) + '</pre></div>';
  return html;
};

MF.highlight = function (root) {
  root.querySelectorAll('code.language-sql').forEach(function (el) { hljs.highlightElement(el); });
};
