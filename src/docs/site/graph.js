// The lineage graph on a canvas. Positions come precomputed (at generate time), so a first
// render of 10,000 nodes is one pass of drawing; only what is inside the viewport is drawn.
// Everything the reader sets (selector, filters, selection, columns, zoom) is kept in the URL.
MF.graph = {};

MF.graphParams = function (params) {
  var focus = params.get('focus');
  var fi = focus && MF.byId.has(focus) ? MF.byId.get(focus).i : -1;
  return {
    focus: fi >= 0 ? focus : null, fi: fi,
    up: params.has('up') ? Math.max(0, +params.get('up') || 0) : (fi >= 0 ? 2 : 0),
    down: params.has('down') ? Math.max(0, +params.get('down') || 0) : (fi >= 0 ? 2 : 0),
    select: params.get('select') || '', exclude: params.get('exclude') || '',
    hide: (params.get('hide') || '').split(',').filter(Boolean), tag: params.get('tag') || '', folder: params.get('folder') || '',
    sel: params.get('sel'), col: params.get('col'), cn: params.get('cn') || (fi >= 0 ? focus : null),
    cols: params.get('cols') === '1' || !!params.get('col'),
    z: params.has('z') ? +params.get('z') : null, cx: params.has('cx') ? +params.get('cx') : null, cy: params.has('cy') ? +params.get('cy') : null,
  };
};

MF.renderGraph = function (app, params) {
  var P = MF.graphParams(params), nodes = MF.nodes, G = MF.graph;
  document.title = 'Lineage graph · ' + MF.idx.project + ' docs';
  // --- which nodes ---
  var chosen = null, selectError = '';
  if (P.select || P.exclude) {
    try { chosen = MF.selectNodes(P.select, P.exclude); } catch (err) { selectError = err.message; }
  }
  var hop = null;
  if (P.fi >= 0) {
    hop = new Set([P.fi]);
    MF.walkGraph([P.fi], true, P.up).forEach(function (i) { hop.add(i); });
    MF.walkGraph([P.fi], false, P.down).forEach(function (i) { hop.add(i); });
  }
  var types = {}, tags = {}, folders = {};
  var visible = [];
  nodes.forEach(function (n, i) {
    if (n.x === undefined) return;
    types[n.t] = 1; n.g.forEach(function (t) { tags[t] = 1; }); folders[n.f] = 1;
    if (hop && !hop.has(i)) return;
    if (chosen && !chosen.has(i)) return;
    if (i !== P.fi && (P.hide.indexOf(n.t) >= 0 || (P.tag && n.g.indexOf(P.tag) < 0) || (P.folder && n.f !== P.folder))) return;
    visible.push(i);
  });
  var subset = !!(hop || chosen || P.tag || P.folder);
  var colMode = P.cols && visible.length <= 80;

  // --- the page ---
  var opt = function (v, cur, label) { return '<option value="' + MF.esc(v) + '"' + (cur === v ? ' selected' : '') + '>' + MF.esc(label || v) + '</option>'; };
  app.innerHTML = '<h1 class="sr-only">Lineage graph</h1><div class="graph-wrap"><aside class="graph-side" id="graph-side" aria-label="Graph controls">' +
    '<div class="field"><label for="g-find">Find a node</label><input id="g-find" type="search" autocomplete="off" spellcheck="false" placeholder="name, e.g. fact_admission" aria-controls="g-find-results"><ul id="g-find-results" class="find-results"></ul></div>' +
    '<form id="g-select-form" class="field"><label for="g-select">Select <span class="muted">(dbt syntax: +name+, tag:x, 2+name)</span></label><input id="g-select" type="text" autocomplete="off" spellcheck="false" value="' + MF.esc(P.select) + '" placeholder="+fact_admission+">' +
    '<label for="g-exclude">Exclude</label><input id="g-exclude" type="text" autocomplete="off" spellcheck="false" value="' + MF.esc(P.exclude) + '" placeholder="tag:staging">' +
    '<div class="row"><button type="submit" class="small" id="g-apply">Apply</button> <button type="button" class="small" id="g-clear">Whole DAG</button></div><p id="g-select-error" class="error" role="alert">' + MF.esc(selectError) + '</p></form>' +
    (P.fi >= 0 ? '<h2 class="side-h">Focus</h2><div>' + MF.badge(nodes[P.fi].t) + ' ' + MF.link(P.focus) + '</div>' +
      '<div class="row2"><label>Hops up <input type="number" id="g-up" min="0" max="50" value="' + P.up + '"></label><label>Hops down <input type="number" id="g-down" min="0" max="50" value="' + P.down + '"></label></div>' : '') +
    '<p class="muted" id="g-count" role="status">' + MF.num(visible.length) + ' nodes shown</p>' +
    '<label class="check"><input type="checkbox" id="g-cols"' + (P.cols ? ' checked' : '') + '> Show columns and column lineage</label>' + (P.cols && !colMode ? '<p class="muted">Columns are drawn for up to 80 nodes: narrow the selection.</p>' : '') +
    '<fieldset><legend>Resource types</legend>' + Object.keys(types).sort().map(function (t) { return '<label class="check"><input type="checkbox" data-type="' + t + '"' + (P.hide.indexOf(t) < 0 ? ' checked' : '') + '> ' + MF.badge(t) + '</label>'; }).join('') + '</fieldset>' +
    '<div class="field"><label for="g-tag">Tag</label><select id="g-tag">' + opt('', P.tag, 'any tag') + Object.keys(tags).sort().map(function (t) { return opt(t, P.tag); }).join('') + '</select></div>' +
    '<div class="field"><label for="g-folder">Folder</label><select id="g-folder">' + opt('', P.folder, 'any folder') + Object.keys(folders).sort().map(function (f) { return opt(f, P.folder); }).join('') + '</select></div>' +
    '<div class="panel" id="g-col"></div><div class="panel" id="g-sel"><span class="muted">Nothing selected.</span></div></aside>' +
    '<div class="canvas-col"><div class="canvas-box"><canvas id="graph-canvas" tabindex="0" role="application" aria-roledescription="lineage graph" aria-label="Lineage graph of ' + visible.length + ' nodes" aria-describedby="g-help"></canvas>' +
    '<div class="zoom" role="toolbar" aria-label="Zoom"><button type="button" id="g-zoom-in" aria-label="Zoom in">+</button><button type="button" id="g-zoom-out" aria-label="Zoom out">−</button><button type="button" id="g-fit" aria-label="Fit to the view">fit</button><button type="button" id="g-fit-all" aria-label="Show the whole graph">whole</button></div>' +
    '<canvas id="g-minimap" width="180" height="120" aria-hidden="true"></canvas></div>' +
    '<p class="hint" id="g-help">Drag or arrow keys: pan · wheel, pinch or + −: zoom · click or N / P: select · double-click or Enter: open · shift-click: paths between two nodes</p>' +
    '<details id="g-list"><summary>The ' + MF.num(visible.length) + ' nodes of this view as a list</summary><div id="g-list-body"></div></details></div></div>';

  var canvas = app.querySelector('#graph-canvas'), ctx = canvas.getContext('2d');
  var mini = app.querySelector('#g-minimap'), mctx = mini.getContext('2d');
  var px = new Float64Array(nodes.length), py = new Float64Array(nodes.length), nh = new Float64Array(nodes.length), isVis = new Uint8Array(nodes.length);
  visible.forEach(function (i) { isVis[i] = 1; });
  var H = MF.GRAPH_H, ROW = MF.COL_ROW;
  var view = { s: 1, tx: 0, ty: 0 };
  var theme = MF.theme();
  var selected = P.sel && MF.byId.has(P.sel) && isVis[MF.byId.get(P.sel).i] ? MF.byId.get(P.sel).i : -1, pathTo = -1, hl = null;
  var colsOf = null, moreOf = {}, detailOf = {}, colEdges = [], traced = null, widthOf = function (i) { return nodes[i].w; };
  var bands = null, order = null;

  var bbox = function () {
    var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    visible.forEach(function (i) { minX = Math.min(minX, px[i]); minY = Math.min(minY, py[i]); maxX = Math.max(maxX, px[i] + widthOf(i)); maxY = Math.max(maxY, py[i] + nh[i]); });
    if (!visible.length) { minX = minY = 0; maxX = maxY = 1; }
    return { minX: minX, minY: minY, maxX: maxX, maxY: maxY };
  };
  var place = function () {
    var r = canvas.getBoundingClientRect();
    bands = MF.placeNodes({ visible: visible, px: px, py: py, nh: nh, colsOf: colsOf, colRows: function (i) { return colsOf[i].length + (moreOf[i] ? 1 : 0); }, packed: colMode || (subset && visible.length <= 400), subset: subset, width: widthOf, viewW: r.width || 800, viewH: r.height || 600 });
    order = visible.slice().sort(function (a, b) { return px[a] - px[b] || py[a] - py[b]; });
  };
  // "fit": everything when it stays readable, else the full width from the top-left, zoomed so
  // that names can be read (the minimap and "all" give the overview).
  var fit = function (all) {
    var r = canvas.getBoundingClientRect(), b = bbox();
    var sAll = Math.min(1.5, r.width / (b.maxX - b.minX + 40), r.height / (b.maxY - b.minY + 40));
    if (all || sAll * H >= MF.LABEL_PX) {
      view.s = sAll;
      view.tx = (r.width - (b.maxX - b.minX) * view.s) / 2 - b.minX * view.s;
      view.ty = (r.height - (b.maxY - b.minY) * view.s) / 2 - b.minY * view.s;
      return;
    }
    view.s = Math.max(sAll, colMode ? 0.8 : 0.75, Math.min(1, r.width / (b.maxX - b.minX + 40)));
    view.tx = 20 - b.minX * view.s;
    view.ty = 20 - b.minY * view.s;
  };
  var size = function () {
    var r = canvas.getBoundingClientRect(), dpr = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(r.width * dpr)); canvas.height = Math.max(1, Math.round(r.height * dpr));
  };
  var rowY = function (i, col) {
    var list = colsOf && colsOf[i];
    var k = list ? list.findIndex(function (c) { return c.toLowerCase() === String(col).toLowerCase(); }) : -1;
    return k < 0 ? py[i] + H / 2 : py[i] + H + 3 + k * ROW + ROW / 2;
  };

  var vb = { x0: 0, y0: 0, x1: 0, y1: 0 };
  var curve = function (sx, sy, tx, ty) {
    if (Math.max(sx, tx) < vb.x0 || Math.min(sx, tx) > vb.x1 || Math.max(sy, ty) < vb.y0 || Math.min(sy, ty) > vb.y1) return;
    ctx.moveTo(sx, sy);
    if (view.s < 0.15) ctx.lineTo(tx, ty); else { var mx = (sx + tx) / 2; ctx.bezierCurveTo(mx, sy, mx, ty, tx, ty); }
  };
  var draw = function () {
    var dpr = window.devicePixelRatio || 1, W = canvas.width / dpr, Hh = canvas.height / dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = theme.bg; ctx.fillRect(0, 0, W, Hh);
    ctx.translate(view.tx, view.ty); ctx.scale(view.s, view.s);
    var x0 = -view.tx / view.s, y0 = -view.ty / view.s, x1 = x0 + W / view.s, y1 = y0 + Hh / view.s;
    vb = { x0: x0, y0: y0, x1: x1, y1: y1 };
    var inView = function (i) { return px[i] + widthOf(i) >= x0 && px[i] <= x1 && py[i] + nh[i] >= y0 && py[i] <= y1; };
    var lw = 1 / view.s;
    var edgePath = function (a, b) { curve(px[a] + widthOf(a), py[a] + H / 2, px[b], py[b] + H / 2); };
    ctx.lineWidth = lw; ctx.strokeStyle = hl || traced || colMode ? theme.edgeDim : theme.edge;
    ctx.beginPath();
    visible.forEach(function (a) { MF.children[a].forEach(function (b) { if (isVis[b]) edgePath(a, b); }); });
    ctx.stroke();
    if (hl) {
      ctx.strokeStyle = theme.hl; ctx.lineWidth = 2 * lw; ctx.beginPath();
      visible.forEach(function (a) { if (hl.has(a)) MF.children[a].forEach(function (b) { if (isVis[b] && hl.has(b)) edgePath(a, b); }); });
      ctx.stroke();
    }
    var labels = view.s * H >= MF.LABEL_PX;
    if (!labels) {
      // Zoomed out (a whole 10,000-node DAG): one filled path per colour and dimming, a few
      // canvas calls in all instead of four per node; marked nodes get an outline after.
      var batches = {};
      for (var k = 0; k < visible.length; k++) {
        var i = visible[k];
        if (!inView(i)) continue;
        var key = ((hl && !hl.has(i)) ? 'd' : 'b') + (theme.types[nodes[i].t] || theme.muted);
        (batches[key] = batches[key] || []).push(i);
      }
      Object.keys(batches).forEach(function (key) {
        ctx.globalAlpha = key[0] === 'd' ? 0.25 : 1;
        ctx.fillStyle = key.slice(1);
        ctx.beginPath();
        batches[key].forEach(function (i) { ctx.rect(px[i], py[i], widthOf(i), nh[i]); });
        ctx.fill();
      });
      ctx.globalAlpha = 1;
      [selected, P.fi, pathTo].forEach(function (i) {
        if (i < 0 || !isVis[i]) return;
        ctx.lineWidth = 3 * lw; ctx.strokeStyle = i === P.fi && i !== selected ? theme.col : theme.sel;
        ctx.strokeRect(px[i] - 2 * lw, py[i] - 2 * lw, widthOf(i) + 4 * lw, nh[i] + 4 * lw);
      });
      drawMini();
      return;
    }
    // Names are drawn at a size that stays readable on screen (9-12 px) whatever the zoom.
    var fs = Math.min(12, H * view.s * 0.5) / view.s, small = Math.min(10, H * view.s * 0.36) / view.s, second = view.s >= 0.9;
    ctx.textBaseline = 'middle';
    if (colMode) drawColumnEdges(lw);
    for (var k2 = 0; k2 < visible.length; k2++) {
      var j = visible[k2];
      if (!inView(j)) continue;
      var n = nodes[j], w = widthOf(j), dim = (hl && !hl.has(j)) || (traced && !traced.nodes.has(j));
      ctx.globalAlpha = dim ? 0.3 : 1;
      ctx.fillStyle = theme.box; ctx.fillRect(px[j], py[j], w, nh[j]);
      ctx.fillStyle = theme.types[n.t] || theme.muted; ctx.fillRect(px[j], py[j], 5, H);
      ctx.lineWidth = (j === selected || j === P.fi || j === pathTo ? 2.5 : 1) * Math.max(1, lw * 0.8);
      ctx.strokeStyle = j === selected || j === pathTo ? theme.sel : j === P.fi ? theme.col : theme.types[n.t] || theme.muted;
      ctx.strokeRect(px[j], py[j], w, nh[j]);
      // Test status (dot, top right) and row count (second line) on the node itself.
      if (n.ts) {
        ctx.fillStyle = n.ts === 1 ? theme.ok : n.ts === 2 ? theme.warn : n.ts === 3 ? theme.fail : theme.muted;
        ctx.beginPath(); ctx.arc(px[j] + w - 8, py[j] + 8, 3.5, 0, 7); ctx.fill();
      }
      var twoLines = second && n.rows !== undefined;
      ctx.fillStyle = theme.fg; ctx.font = fs + 'px system-ui, sans-serif';
      var maxChars = Math.max(3, Math.floor((w - 14) / (fs * 0.56)));
      ctx.fillText(n.n.length > maxChars ? n.n.slice(0, maxChars - 1) + '…' : n.n, px[j] + 10, py[j] + (twoLines ? 10 : H / 2));
      if (twoLines) {
        ctx.fillStyle = theme.muted; ctx.font = small + 'px system-ui, sans-serif';
        ctx.fillText(MF.num(n.rows) + ' rows', px[j] + 10, py[j] + 21);
      }
      if (colMode && colsOf[j]) {
        ctx.font = Math.min(11, ROW * view.s * 0.6) / view.s + 'px ui-monospace, Menlo, monospace';
        colsOf[j].forEach(function (c, ci) {
          var yy = py[j] + H + 3 + ci * ROW, on = traced && traced.cols.has(j + '\u0000' + c.toLowerCase());
          if (on) { ctx.fillStyle = theme.colBg; ctx.fillRect(px[j] + 1, yy, w - 2, ROW); }
          ctx.fillStyle = on ? theme.col : theme.fg;
          ctx.fillText(c, px[j] + 10, yy + ROW / 2);
        });
        if (moreOf[j]) { ctx.fillStyle = theme.muted; ctx.fillText('+ ' + moreOf[j] + ' more column' + (moreOf[j] > 1 ? 's' : ''), px[j] + 10, py[j] + H + 3 + colsOf[j].length * ROW + ROW / 2); }
      }
    }
    ctx.globalAlpha = 1;
    drawMini();
  };

  var drawColumnEdges = function (lw) {
    var label = view.s >= 0.55;
    var fsz = 10 / Math.max(view.s, 0.55);
    [false, true].forEach(function (onTrace) {
      colEdges.forEach(function (e) {
        var on = !!(traced && traced.edges.has(e.key));
        if (on !== onTrace) return;
        var sx = px[e.a] + widthOf(e.a), sy = rowY(e.a, e.ac), tx = px[e.b], ty = e.filter ? py[e.b] + H / 2 : rowY(e.b, e.bc);
        ctx.globalAlpha = traced && !on ? 0.35 : 1;
        ctx.strokeStyle = on ? theme.col : e.filter ? theme.muted : theme.hl;
        ctx.lineWidth = (on ? 2.5 : 1.2) * lw;
        ctx.setLineDash(e.filter ? [5 * lw, 4 * lw] : []);
        ctx.beginPath(); curve(sx, sy, tx, ty); ctx.stroke();
        ctx.setLineDash([]);
        if (label && e.tr && e.tr !== 'identity') {
          var mx = (sx + tx) / 2 + (tx - sx) * 0.18, my = sy + (ty - sy) * 0.73;
          ctx.font = fsz + 'px system-ui, sans-serif';
          var tw = ctx.measureText(e.tr).width + 6 / view.s;
          ctx.fillStyle = theme.bg; ctx.fillRect(mx - tw / 2, my - fsz * 0.7, tw, fsz * 1.4);
          ctx.fillStyle = on ? theme.col : theme.muted; ctx.textAlign = 'center'; ctx.fillText(e.tr, mx, my); ctx.textAlign = 'left';
        }
      });
    });
    ctx.globalAlpha = 1;
  };

  // --- minimap: the whole view, with the visible part outlined; click or drag to move there ---
  var miniCache = null, miniMap = null;
  var drawMini = function () {
    var MW = mini.width, MH = mini.height;
    if (!miniCache) {
      var b = bbox(), s = Math.min((MW - 8) / (b.maxX - b.minX || 1), (MH - 8) / (b.maxY - b.minY || 1));
      miniMap = { s: s, ox: 4 - b.minX * s + (MW - 8 - (b.maxX - b.minX) * s) / 2, oy: 4 - b.minY * s + (MH - 8 - (b.maxY - b.minY) * s) / 2 };
      miniCache = document.createElement('canvas'); miniCache.width = MW; miniCache.height = MH;
      var c = miniCache.getContext('2d'), byColor = {};
      c.fillStyle = theme.bg; c.fillRect(0, 0, MW, MH);
      visible.forEach(function (i) { var k = theme.types[nodes[i].t] || theme.muted; (byColor[k] = byColor[k] || []).push(i); });
      Object.keys(byColor).forEach(function (k) {
        c.fillStyle = k; c.beginPath();
        byColor[k].forEach(function (i) { c.rect(miniMap.ox + px[i] * s, miniMap.oy + py[i] * s, Math.max(1, widthOf(i) * s), Math.max(1, nh[i] * s)); });
        c.fill();
      });
    }
    mctx.setTransform(1, 0, 0, 1, 0, 0);
    mctx.drawImage(miniCache, 0, 0);
    var r = canvas.getBoundingClientRect(), s2 = miniMap.s;
    mctx.strokeStyle = theme.col; mctx.lineWidth = 1.5;
    mctx.strokeRect(miniMap.ox + (-view.tx / view.s) * s2, miniMap.oy + (-view.ty / view.s) * s2, Math.max(2, r.width / view.s * s2), Math.max(2, r.height / view.s * s2));
  };
  var miniMove = function (ev) {
    var r = mini.getBoundingClientRect(), cr = canvas.getBoundingClientRect();
    var wx = ((ev.clientX - r.left) * (mini.width / r.width) - miniMap.ox) / miniMap.s, wy = ((ev.clientY - r.top) * (mini.height / r.height) - miniMap.oy) / miniMap.s;
    view.tx = cr.width / 2 - wx * view.s; view.ty = cr.height / 2 - wy * view.s; changed();
  };
  var miniDrag = false;
  mini.addEventListener('pointerdown', function (ev) { miniDrag = true; mini.setPointerCapture(ev.pointerId); miniMove(ev); });
  mini.addEventListener('pointermove', function (ev) { if (miniDrag) miniMove(ev); });
  mini.addEventListener('pointerup', function () { miniDrag = false; });

  var raf = 0, urlTimer = 0;
  var redraw = function () { if (!raf) raf = requestAnimationFrame(function () { raf = 0; draw(); }); };
  // Pan and zoom go to the URL (z, and the world point at the centre) once the view settles.
  var changed = function () {
    redraw();
    clearTimeout(urlTimer);
    urlTimer = setTimeout(function () {
      if (!document.body.contains(canvas)) return;
      var r = canvas.getBoundingClientRect();
      MF.setParams({ z: view.s.toFixed(3), cx: Math.round((r.width / 2 - view.tx) / view.s), cy: Math.round((r.height / 2 - view.ty) / view.s) });
    }, 250);
  };
  var zoomAt = function (k, mx, my) {
    var r = canvas.getBoundingClientRect();
    if (mx === undefined) { mx = r.width / 2; my = r.height / 2; }
    var s = Math.max(0.002, Math.min(4, view.s * k));
    view.tx = mx - (mx - view.tx) * (s / view.s); view.ty = my - (my - view.ty) * (s / view.s); view.s = s;
    changed();
  };
  var toWorld = function (cx, cy) { var r = canvas.getBoundingClientRect(); return [(cx - r.left - view.tx) / view.s, (cy - r.top - view.ty) / view.s]; };
  var hit = function (cx, cy) {
    var w = toWorld(cx, cy);
    for (var k = visible.length - 1; k >= 0; k--) { var i = visible[k]; if (w[0] >= px[i] && w[0] <= px[i] + widthOf(i) && w[1] >= py[i] && w[1] <= py[i] + nh[i]) return { i: i, col: colMode && colsOf[i] && w[1] > py[i] + H + 3 ? colsOf[i][Math.floor((w[1] - py[i] - H - 3) / ROW)] : null }; }
    return { i: -1, col: null };
  };
  var reach = function (start, dir) {
    var seen = MF.walkGraph([start], dir < 0, Infinity);
    seen.add(start);
    return seen;
  };
  var centerOn = function (i, minScale) {
    var r = canvas.getBoundingClientRect();
    if (minScale && view.s < minScale) view.s = minScale;
    view.tx = r.width / 2 - (px[i] + widthOf(i) / 2) * view.s; view.ty = r.height / 2 - (py[i] + H / 2) * view.s;
    changed();
  };
  var select = function (i, shift) {
    if (shift && selected >= 0 && i >= 0 && i !== selected) {
      pathTo = i;
      var a = reach(selected, 1), b = reach(i, -1), c = reach(i, 1), d = reach(selected, -1);
      hl = new Set();
      a.forEach(function (x) { if (b.has(x)) hl.add(x); });
      c.forEach(function (x) { if (d.has(x)) hl.add(x); });
      if (hl.size === 0) hl = new Set([selected, i]);
    } else {
      selected = i; pathTo = -1;
      hl = i >= 0 ? (function () { var s = reach(i, -1); reach(i, 1).forEach(function (x) { s.add(x); }); return s; })() : null;
    }
    MF.setParams({ sel: selected >= 0 ? nodes[selected].id : null });
    var box = app.querySelector('#g-sel');
    if (selected < 0) { box.innerHTML = '<span class="muted">Nothing selected.</span>'; MF.announce('Nothing selected'); }
    else {
      var n = nodes[selected];
      var facts = [MF.esc(n.f), MF.esc(n.s)].filter(Boolean).join(' · ') + (n.rows !== undefined ? ' · ' + MF.num(n.rows) + ' rows' : '') + (n.ts ? ' · tests ' + ['', 'pass', 'warn', 'fail', 'not run'][n.ts] : '');
      box.innerHTML = '<h2 class="side-h">Selected</h2><div>' + MF.badge(n.t) + ' <b id="g-sel-name">' + MF.esc(n.n) + '</b></div><div class="muted">' + facts + '</div>' + (n.d ? '<p>' + MF.esc(n.d) + '</p>' : '') +
        '<p><a id="g-open" href="' + MF.nodeHref(n.id) + '">Open page</a> · <a href="' + MF.graphHref(n.id, '&up=2&down=2') + '">Focus here</a></p>' +
        (pathTo >= 0 ? '<p>Paths to <b>' + MF.esc(nodes[pathTo].n) + '</b>: ' + hl.size + ' nodes highlighted.</p>' : '<p class="muted">Shift-click another node to highlight the paths between them.</p>');
      MF.announce('Selected ' + n.t + ' ' + n.n + ', ' + MF.parents[selected].length + ' parents, ' + MF.children[selected].length + ' children');
    }
    redraw();
  };

  // --- pointer: mouse drag, one-finger pan, two-finger pinch, taps ---
  var pointers = new Map(), gesture = null, lastTap = { t: 0, i: -1 };
  canvas.addEventListener('pointerdown', function (ev) {
    canvas.setPointerCapture(ev.pointerId);
    pointers.set(ev.pointerId, { x: ev.clientX, y: ev.clientY });
    var pts = Array.from(pointers.values());
    if (pts.length === 1) gesture = { kind: 'pan', x: ev.clientX, y: ev.clientY, tx: view.tx, ty: view.ty, moved: false };
    else if (pts.length === 2) {
      var r = canvas.getBoundingClientRect();
      gesture = { kind: 'pinch', d: Math.hypot(pts[0].x - pts[1].x, pts[0].y - pts[1].y) || 1, mx: (pts[0].x + pts[1].x) / 2 - r.left, my: (pts[0].y + pts[1].y) / 2 - r.top, s: view.s, tx: view.tx, ty: view.ty, moved: true };
    }
  });
  canvas.addEventListener('pointermove', function (ev) {
    if (!pointers.has(ev.pointerId) || !gesture) return;
    pointers.set(ev.pointerId, { x: ev.clientX, y: ev.clientY });
    var pts = Array.from(pointers.values());
    if (gesture.kind === 'pinch' && pts.length >= 2) {
      var r = canvas.getBoundingClientRect();
      var d = Math.hypot(pts[0].x - pts[1].x, pts[0].y - pts[1].y) || 1, mx = (pts[0].x + pts[1].x) / 2 - r.left, my = (pts[0].y + pts[1].y) / 2 - r.top;
      var s = Math.max(0.002, Math.min(4, gesture.s * d / gesture.d));
      // The world point under the fingers' first midpoint stays under their midpoint now.
      var wx = (gesture.mx - gesture.tx) / gesture.s, wy = (gesture.my - gesture.ty) / gesture.s;
      view.s = s; view.tx = mx - wx * s; view.ty = my - wy * s;
      changed();
    } else if (gesture.kind === 'pan') {
      if (Math.abs(ev.clientX - gesture.x) + Math.abs(ev.clientY - gesture.y) > 3) gesture.moved = true;
      view.tx = gesture.tx + ev.clientX - gesture.x; view.ty = gesture.ty + ev.clientY - gesture.y; changed();
    }
  });
  var endPointer = function (ev) {
    if (!pointers.has(ev.pointerId)) return;
    pointers.delete(ev.pointerId);
    if (gesture && gesture.kind === 'pan' && !gesture.moved && ev.type === 'pointerup') {
      var h = hit(ev.clientX, ev.clientY);
      if (h.col && colMode) traceFrom(nodes[h.i].id, h.col);
      else select(h.i, ev.shiftKey);
      if (ev.pointerType !== 'mouse') {
        // A double tap opens the node, as a double click does.
        if (h.i >= 0 && lastTap.i === h.i && ev.timeStamp - lastTap.t < 400) location.hash = MF.nodeHref(nodes[h.i].id);
        lastTap = { t: ev.timeStamp, i: h.i };
      }
    }
    if (pointers.size === 1) { var p = Array.from(pointers.values())[0]; gesture = { kind: 'pan', x: p.x, y: p.y, tx: view.tx, ty: view.ty, moved: true }; }
    else if (pointers.size === 0) gesture = null;
  };
  canvas.addEventListener('pointerup', endPointer);
  canvas.addEventListener('pointercancel', endPointer);
  canvas.addEventListener('wheel', function (ev) {
    ev.preventDefault();
    var r = canvas.getBoundingClientRect();
    zoomAt(Math.exp(-ev.deltaY * 0.0015), ev.clientX - r.left, ev.clientY - r.top);
  }, { passive: false });
  canvas.addEventListener('dblclick', function (ev) { var h = hit(ev.clientX, ev.clientY); if (h.i >= 0) location.hash = MF.nodeHref(nodes[h.i].id); });

  // --- keyboard: the canvas is one tab stop; keys pan, zoom, walk the nodes and open them ---
  canvas.addEventListener('keydown', function (ev) {
    var k = ev.key, step = 60;
    if (k === 'ArrowLeft') view.tx += step; else if (k === 'ArrowRight') view.tx -= step;
    else if (k === 'ArrowUp') view.ty += step; else if (k === 'ArrowDown') view.ty -= step;
    else if (k === '+' || k === '=') return ev.preventDefault(), zoomAt(1.25);
    else if (k === '-' || k === '_') return ev.preventDefault(), zoomAt(0.8);
    else if (k === '0') { ev.preventDefault(); fit(); return changed(); }
    else if (k === 'n' || k === 'p' || k === 'N' || k === 'P') {
      if (!order.length) return;
      var at = selected >= 0 ? order.indexOf(selected) : -1;
      var next = order[((k.toLowerCase() === 'n' ? at + 1 : at - 1) + order.length) % order.length];
      select(next, false); centerOn(next, 0.6); ev.preventDefault(); return;
    }
    else if (k === 'Enter' && selected >= 0) { location.hash = MF.nodeHref(nodes[selected].id); return; }
    else if (k === 'Escape') { select(-1, false); return; }
    else return;
    ev.preventDefault(); changed();
  });

  // --- controls ---
  var side = app.querySelector('#graph-side');
  var rerender = function (changes) { MF.setParams(changes); MF.renderGraph(app, MF.parseHash().params); };
  side.addEventListener('change', function (ev) {
    var t = ev.target;
    if (t.dataset.type) {
      var hide = Array.from(side.querySelectorAll('input[data-type]')).filter(function (x) { return !x.checked; }).map(function (x) { return x.dataset.type; });
      rerender({ hide: hide.join(','), z: null, cx: null, cy: null });
    } else if (t.id === 'g-tag') rerender({ tag: t.value, z: null, cx: null, cy: null });
    else if (t.id === 'g-folder') rerender({ folder: t.value, z: null, cx: null, cy: null });
    else if (t.id === 'g-cols') rerender({ cols: t.checked ? '1' : null, col: t.checked ? P.col : null, z: null, cx: null, cy: null });
    else if (t.id === 'g-up' || t.id === 'g-down') rerender({ up: side.querySelector('#g-up').value, down: side.querySelector('#g-down').value, z: null, cx: null, cy: null });
  });
  app.querySelector('#g-select-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    rerender({ select: app.querySelector('#g-select').value.trim(), exclude: app.querySelector('#g-exclude').value.trim(), focus: null, up: null, down: null, z: null, cx: null, cy: null, sel: null });
  });
  app.querySelector('#g-clear').onclick = function () { location.hash = '#/graph'; };
  var find = app.querySelector('#g-find'), findList = app.querySelector('#g-find-results');
  var findMatches = function () {
    var q = find.value.trim().toLowerCase();
    if (!q) return [];
    return MF.searchNodes(q).filter(function (n) { return n.x !== undefined; }).slice(0, 8);
  };
  var goTo = function (n) {
    if (!isVis[n.i]) { location.hash = MF.graphHref(n.id, '&up=2&down=2&sel=' + encodeURIComponent(n.id)); return; }
    select(n.i, false); centerOn(n.i, 0.8); canvas.focus();
  };
  find.addEventListener('input', function () {
    findList.innerHTML = findMatches().map(function (n) { return '<li><button type="button" class="link" data-id="' + MF.esc(n.id) + '">' + MF.badge(n.t) + ' ' + MF.esc(n.n) + (isVis[n.i] ? '' : ' <span class="muted">(not in view: focus)</span>') + '</button></li>'; }).join('');
  });
  find.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') { ev.preventDefault(); var m = findMatches(); if (m.length) goTo(m[0]); } });
  findList.addEventListener('click', function (ev) { var b = ev.target.closest('[data-id]'); if (b) goTo(MF.byId.get(b.dataset.id)); });
  app.querySelector('#g-zoom-in').onclick = function () { zoomAt(1.4); };
  app.querySelector('#g-zoom-out').onclick = function () { zoomAt(1 / 1.4); };
  app.querySelector('#g-fit').onclick = function () { fit(false); changed(); };
  app.querySelector('#g-fit-all').onclick = function () { fit(true); changed(); };
  var list = app.querySelector('#g-list');
  list.addEventListener('toggle', function () {
    if (!list.open) return;
    var shown = order.slice(0, 300);
    list.querySelector('#g-list-body').innerHTML = '<ul class="node-list">' + shown.map(function (i) {
      var n = nodes[i];
      return '<li>' + MF.badge(n.t) + ' ' + MF.link(n.id) + ' <span class="muted">' + MF.parents[i].filter(function (j) { return isVis[j]; }).map(function (j) { return '← ' + MF.esc(nodes[j].n); }).join(', ') + '</span></li>';
    }).join('') + '</ul>' + (order.length > shown.length ? '<p class="muted">First 300 of ' + MF.num(order.length) + ' nodes, left to right: narrow the view with Select.</p>' : '');
  });

  // --- column lineage ---
  var traceFrom = function (id, col) {
    MF.setParams({ col: col, cn: id === P.focus ? null : id });
    P.col = col; P.cn = id;
    var colBox = app.querySelector('#g-col');
    colBox.innerHTML = '<span class="muted">Tracing ' + MF.esc(col) + '…</span>';
    MF.traceColumn(id, col).then(function (t) {
      traced = { nodes: new Set(), cols: new Set(), edges: new Set() };
      var add = function (node) {
        var n = MF.byId.get(node.id);
        if (!n) return;
        traced.nodes.add(n.i); traced.cols.add(n.i + '\u0000' + node.col.toLowerCase());
        node.up.forEach(function (u) { var p = MF.byId.get(u.id); if (p) traced.edges.add(p.i + '\u0000' + u.col.toLowerCase() + '\u0000' + n.i + '\u0000' + node.col.toLowerCase()); add(u); });
      };
      add(t);
      colBox.innerHTML = '<h2 class="side-h">Column lineage</h2><div><b>' + MF.esc(MF.nameOf(id)) + '.' + MF.esc(col) + '</b></div><ul class="trace" id="g-col-tree" style="padding-left:0">' + MF.renderTrace(t) + '</ul>';
      MF.announce('Column lineage of ' + MF.nameOf(id) + '.' + col + ': ' + traced.cols.size + ' columns');
      redraw();
    });
  };
  var buildColumnEdges = function () {
    colEdges = [];
    visible.forEach(function (b) {
      var d = detailOf[b];
      if (!d) return;
      (d.columns || []).forEach(function (c) {
        if (!c.lineage) return;
        c.lineage.up.forEach(function (u) {
          var p = MF.byId.get(u[0]);
          if (p && isVis[p.i]) colEdges.push({ a: p.i, ac: u[1], b: b, bc: c.name, tr: c.lineage.tr, key: p.i + '\u0000' + u[1].toLowerCase() + '\u0000' + b + '\u0000' + c.name.toLowerCase() });
        });
      });
      (d.filters || []).forEach(function (u) {
        var p = MF.byId.get(u[0]);
        if (p && isVis[p.i]) colEdges.push({ a: p.i, ac: u[1], b: b, bc: null, tr: 'filter', filter: true, key: 'f' + p.i + '\u0000' + u[1] + '\u0000' + b });
      });
    });
  };

  G.screenPos = function (id) {
    var n = MF.byId.get(id); if (!n || !isVis[n.i]) return null;
    var r = canvas.getBoundingClientRect();
    return { x: r.left + view.tx + (px[n.i] + widthOf(n.i) / 2) * view.s, y: r.top + view.ty + (py[n.i] + H / 2) * view.s };
  };
  G.columnPos = function (id, col) {
    var n = MF.byId.get(id); if (!n || !isVis[n.i] || !colMode) return null;
    var r = canvas.getBoundingClientRect();
    return { x: r.left + view.tx + (px[n.i] + 30) * view.s, y: r.top + view.ty + rowY(n.i, col) * view.s };
  };
  G.columnEdges = function () { return colEdges.map(function (e) { return { from: nodes[e.a].n + '.' + e.ac, to: nodes[e.b].n + (e.bc ? '.' + e.bc : ''), tr: e.tr, traced: !!(traced && traced.edges.has(e.key)) }; }); };
  G.visibleCount = function () { return visible.length; };
  G.visibleNames = function () { return visible.map(function (i) { return nodes[i].n; }); };
  G.select = function (id) { select(MF.byId.get(id).i, false); };
  G.view = view;
  G.bands = function () { return bands; };
  G.retheme = function () { theme = MF.theme(); miniCache = null; redraw(); };
  G.rendered = false;
  G.columnsShown = colMode;

  var start = function () {
    place();
    size();
    if (P.z && isFinite(P.cx) && isFinite(P.cy)) {
      var r = canvas.getBoundingClientRect();
      view.s = P.z; view.tx = r.width / 2 - P.cx * view.s; view.ty = r.height / 2 - P.cy * view.s;
    } else {
      fit(false);
      // Too big to show whole and readable: open on the focused node rather than the top-left corner.
      var whole = bbox(), r2 = canvas.getBoundingClientRect();
      if (P.fi >= 0 && isVis[P.fi] && ((whole.maxY - whole.minY) * view.s > r2.height || (whole.maxX - whole.minX) * view.s > r2.width)) {
        centerOn(P.fi);
        if (colMode && P.col && P.cn === P.focus) view.ty = r2.height / 2 - rowY(P.fi, P.col) * view.s;
      }
    }
    draw();
    performance.mark('mflow:graph-rendered');
    G.rendered = true;
    if (selected >= 0) select(selected, false);
    if (P.col && P.cn && MF.byId.has(P.cn)) traceFrom(P.cn, P.col);
  };
  var onResize = function () { if (document.body.contains(canvas)) { size(); miniCache = null; redraw(); } };
  window.addEventListener('resize', onResize);
  MF.leaveGraph = function () { window.removeEventListener('resize', onResize); clearTimeout(urlTimer); };

  if (colMode) {
    // Column lists come from the node details (shards loaded on demand).
    Promise.all(visible.map(function (i) { return MF.loadDetail(nodes[i].id).then(function (d) { detailOf[i] = d; }); })).then(function () {
      if (!document.body.contains(canvas)) return;
      buildColumnEdges();
      // A node lists the columns that have an edge in this view (and the traced one); a wide
      // source's other 70 columns collapse into "+ N more columns".
      var used = {};
      var use = function (i, c) { if (c) (used[i] = used[i] || new Set()).add(c.toLowerCase()); };
      colEdges.forEach(function (e) { use(e.a, e.ac); use(e.b, e.bc); });
      if (P.col && P.cn && MF.byId.has(P.cn)) use(MF.byId.get(P.cn).i, P.col);
      colsOf = {};
      var cw = {};
      visible.forEach(function (i) {
        var d = detailOf[i], all = d && d.columns ? d.columns.map(function (c) { return c.name; }) : [];
        var keep = used[i] ? all.filter(function (c) { return used[i].has(c.toLowerCase()); }) : all.slice(0, 6);
        colsOf[i] = keep; moreOf[i] = all.length - keep.length;
        var longest = keep.reduce(function (m, c) { return Math.max(m, c.length); }, 16);
        cw[i] = Math.min(340, Math.max(nodes[i].w, 28 + longest * 7.2));
      });
      widthOf = function (i) { return cw[i] || nodes[i].w; };
      start();
    });
  } else start();
};
