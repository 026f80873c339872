// The lineage graph on a canvas. Positions come precomputed (at generate time), so a first
// render of 10,000 nodes is one pass of drawing; only what is inside the viewport is drawn.
MF.graph = { filters: { types: null, tag: '', folder: '' } };

MF.renderGraph = function (app, params) {
  var G = MF.graph;
  var focus = params.get('focus');
  var fi = focus && MF.byId.has(focus) ? MF.byId.get(focus).i : -1;
  var up = params.has('up') ? Math.max(0, +params.get('up')) : (fi >= 0 ? 2 : 0);
  var down = params.has('down') ? Math.max(0, +params.get('down')) : (fi >= 0 ? 2 : 0);
  var col = params.get('col');
  var nodes = MF.nodes;
  var types = {}, tags = {}, folders = {};
  nodes.forEach(function (n) { if (n.x === undefined) return; types[n.t] = 1; n.g.forEach(function (t) { tags[t] = 1; }); folders[n.f] = 1; });
  if (!G.filters.types) G.filters.types = Object.assign({}, types);
  app.innerHTML = '<div class="graph-wrap"><aside class="graph-side" id="graph-side">' +
    (fi >= 0 ? '<h3>Focus</h3><div>' + MF.badge(nodes[fi].t) + ' ' + MF.link(focus) + '</div>' +
      '<label>Hops up (+n parents)<input type="number" id="g-up" min="0" max="50" value="' + up + '"></label><label>Hops down (children n+)<input type="number" id="g-down" min="0" max="50" value="' + down + '"></label>' +
      '<a href="#/graph">Show the whole DAG</a>' : '<h3>Whole DAG</h3><div class="muted">Click a node to select it, double-click to open it, shift-click a second node to highlight the paths between them.</div>') +
    '<h3>Resource types</h3>' + Object.keys(types).sort().map(function (t) { return '<label><input type="checkbox" data-type="' + t + '"' + (G.filters.types[t] ? ' checked' : '') + '> ' + MF.badge(t) + '</label>'; }).join('') +
    '<h3>Tag</h3><select id="g-tag"><option value="">any tag</option>' + Object.keys(tags).sort().map(function (t) { return '<option' + (G.filters.tag === t ? ' selected' : '') + '>' + MF.esc(t) + '</option>'; }).join('') + '</select>' +
    '<h3>Folder</h3><select id="g-folder"><option value="">any folder</option>' + Object.keys(folders).sort().map(function (f) { return '<option' + (G.filters.folder === f ? ' selected' : '') + '>' + MF.esc(f) + '</option>'; }).join('') + '</select>' +
    '<div class="panel" id="g-col"></div><div class="panel" id="g-sel"><span class="muted">Nothing selected.</span></div></aside>' +
    '<div class="canvas-box"><canvas id="graph-canvas"></canvas><button class="small fit-all" id="g-fit-all">fit all</button><div class="hint">wheel: zoom · drag: pan · click: select · double-click: open</div></div></div>';

  // --- which nodes, where ---
  var visible = [];
  var hop = null;
  if (fi >= 0) {
    hop = new Map([[fi, 0]]);
    var walk = function (start, dir, max) {
      var frontier = [start];
      for (var d = 1; d <= max && frontier.length; d++) {
        var next = [];
        frontier.forEach(function (i) { (dir < 0 ? MF.parents : MF.children)[i].forEach(function (j) { if (!hop.has(j)) { hop.set(j, dir * d); next.push(j); } }); });
        frontier = next;
      }
    };
    walk(fi, -1, up);
    walk(fi, 1, down);
  }
  var f = G.filters;
  nodes.forEach(function (n, i) {
    if (n.x === undefined) return;
    if (hop && !hop.has(i)) return;
    if (i !== fi && (!f.types[n.t] || (f.tag && n.g.indexOf(f.tag) < 0) || (f.folder && n.f !== f.folder))) return;
    visible.push(i);
  });
  var px = new Float64Array(nodes.length), py = new Float64Array(nodes.length), isVis = new Uint8Array(nodes.length);
  visible.forEach(function (i) { isVis[i] = 1; px[i] = nodes[i].x; py[i] = nodes[i].y; });
  if (hop) {
    // A neighbourhood keeps the layers and ELK's in-layer order, packed into adjacent columns.
    var layers = Array.from(new Set(visible.map(function (i) { return nodes[i].r; }))).sort(function (a, b) { return a - b; });
    var colW = 0; visible.forEach(function (i) { colW = Math.max(colW, nodes[i].w); });
    var byLayer = {};
    visible.forEach(function (i) { (byLayer[nodes[i].r] = byLayer[nodes[i].r] || []).push(i); });
    layers.forEach(function (lx, li) {
      var list = byLayer[lx].sort(function (a, b) { return nodes[a].y - nodes[b].y; });
      var step = col ? 52 : 38; // room for the column names drawn under each node
      var top = -list.length * step / 2;
      list.forEach(function (i, k) { px[i] = li * (colW + 80); py[i] = top + k * step; });
    });
  }
  var H = 28;
  var canvas = app.querySelector('#graph-canvas');
  var ctx = canvas.getContext('2d');
  var view = { s: 1, tx: 0, ty: 0 };
  var selected = -1, pathTo = -1, hl = null, colMarks = null, colEdges = null;

  // A big DAG is a few layers wide and thousands of nodes tall: fitted whole it is a one-pixel
  // sliver. Then the first view fits the width and starts at the top (boxes and edges readable,
  // pan down for more); the "fit all" button still gives the overview.
  var fit = function (all) {
    var r = canvas.getBoundingClientRect();
    var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    visible.forEach(function (i) { minX = Math.min(minX, px[i]); minY = Math.min(minY, py[i]); maxX = Math.max(maxX, px[i] + nodes[i].w); maxY = Math.max(maxY, py[i] + H); });
    if (!visible.length) { minX = minY = 0; maxX = maxY = 1; }
    view.s = Math.min(2, Math.min(r.width / (maxX - minX + 40), r.height / (maxY - minY + 40)));
    view.tx = (r.width - (maxX - minX) * view.s) / 2 - minX * view.s;
    view.ty = (r.height - (maxY - minY) * view.s) / 2 - minY * view.s;
    var sWidth = r.width / (maxX - minX + 40);
    if (!all && view.s < 0.04 && sWidth > view.s * 4) {
      view.s = Math.min(0.3, sWidth);
      view.tx = (r.width - (maxX - minX) * view.s) / 2 - minX * view.s;
      view.ty = 20 - minY * view.s;
    }
  };
  var size = function () {
    var r = canvas.getBoundingClientRect(), dpr = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(r.width * dpr)); canvas.height = Math.max(1, Math.round(r.height * dpr));
  };
  var draw = function () {
    var dpr = window.devicePixelRatio || 1, W = canvas.width / dpr, Hh = canvas.height / dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, Hh);
    ctx.translate(view.tx, view.ty); ctx.scale(view.s, view.s);
    var x0 = -view.tx / view.s, y0 = -view.ty / view.s, x1 = x0 + W / view.s, y1 = y0 + Hh / view.s;
    var inView = function (i) { return px[i] + nodes[i].w >= x0 && px[i] <= x1 && py[i] + H >= y0 && py[i] <= y1; };
    var lw = 1 / view.s;
    var edgePath = function (a, b) {
      var sx = px[a] + nodes[a].w, sy = py[a] + H / 2, tx = px[b], ty = py[b] + H / 2;
      if (Math.max(sx, tx) < x0 || Math.min(sx, tx) > x1 || Math.max(sy, ty) < y0 || Math.min(sy, ty) > y1) return;
      ctx.moveTo(sx, sy);
      if (view.s < 0.15) ctx.lineTo(tx, ty); else { var mx = (sx + tx) / 2; ctx.bezierCurveTo(mx, sy, mx, ty, tx, ty); }
    };
    ctx.lineWidth = lw; ctx.strokeStyle = hl || colMarks ? '#e5e8ee' : '#b8c0cc';
    ctx.beginPath();
    visible.forEach(function (a) { MF.children[a].forEach(function (b) { if (isVis[b]) edgePath(a, b); }); });
    ctx.stroke();
    if (hl) {
      ctx.strokeStyle = '#2f6fde'; ctx.lineWidth = 2 * lw; ctx.beginPath();
      visible.forEach(function (a) { if (hl.has(a)) MF.children[a].forEach(function (b) { if (isVis[b] && hl.has(b)) edgePath(a, b); }); });
      ctx.stroke();
    }
    if (colEdges) {
      ctx.strokeStyle = '#ea580c'; ctx.lineWidth = 2.5 * lw; ctx.beginPath();
      colEdges.forEach(function (e) { if (isVis[e[0]] && isVis[e[1]]) edgePath(e[0], e[1]); });
      ctx.stroke();
    }
    var labels = view.s * 12 >= 6;
    if (!labels) {
      // Zoomed out (a whole 10,000-node DAG): one filled path per colour and dimming, a few
      // canvas calls in all instead of four per node; marked nodes get an outline after.
      var batches = {};
      for (var k = 0; k < visible.length; k++) {
        var i = visible[k];
        if (!inView(i)) continue;
        var dim = (hl && !hl.has(i)) || (colMarks && !colMarks.has(i));
        var key = (dim ? 'd' : 'b') + (MF.colors[nodes[i].t] || '#666');
        (batches[key] = batches[key] || []).push(i);
      }
      Object.keys(batches).forEach(function (key) {
        ctx.globalAlpha = key[0] === 'd' ? 0.25 : 1;
        ctx.fillStyle = key.slice(1);
        ctx.beginPath();
        batches[key].forEach(function (i) { ctx.rect(px[i], py[i], nodes[i].w, H); });
        ctx.fill();
      });
      ctx.globalAlpha = 1;
      [selected, fi, pathTo].forEach(function (i) {
        if (i < 0 || !isVis[i]) return;
        ctx.lineWidth = 3 * lw; ctx.strokeStyle = i === fi && i !== selected ? '#ea580c' : '#111';
        ctx.strokeRect(px[i] - 2 * lw, py[i] - 2 * lw, nodes[i].w + 4 * lw, H + 4 * lw);
      });
      return;
    }
    ctx.font = '12px system-ui, sans-serif'; ctx.textBaseline = 'middle';
    for (var k = 0; k < visible.length; k++) {
      var i = visible[k];
      if (!inView(i)) continue;
      var n = nodes[i], dim = (hl && !hl.has(i)) || (colMarks && !colMarks.has(i));
      ctx.globalAlpha = dim ? 0.25 : 1;
      ctx.fillStyle = '#fff'; ctx.fillRect(px[i], py[i], n.w, H);
      ctx.fillStyle = MF.colors[n.t] || '#666'; ctx.fillRect(px[i], py[i], 5, H);
      ctx.lineWidth = i === selected || i === fi || i === pathTo ? 2.5 : 1;
      ctx.strokeStyle = i === selected || i === pathTo ? '#111' : i === fi ? '#ea580c' : MF.colors[n.t] || '#666';
      ctx.strokeRect(px[i], py[i], n.w, H);
      ctx.fillStyle = '#1d2430';
      ctx.fillText(n.n.length > (n.w - 16) / 6.6 ? n.n.slice(0, Math.floor((n.w - 16) / 6.6) - 1) + '…' : n.n, px[i] + 10, py[i] + H / 2);
      if (colMarks && colMarks.has(i)) {
        ctx.fillStyle = '#c2410c'; ctx.font = '11px ui-monospace, Menlo, monospace';
        ctx.fillText(colMarks.get(i).join(', '), px[i] + 2, py[i] + H + 8);
        ctx.font = '12px system-ui, sans-serif';
      }
    }
    ctx.globalAlpha = 1;
  };
  var raf = 0;
  var redraw = function () { if (!raf) raf = requestAnimationFrame(function () { raf = 0; draw(); }); };
  var toWorld = function (ev) { var r = canvas.getBoundingClientRect(); return [(ev.clientX - r.left - view.tx) / view.s, (ev.clientY - r.top - view.ty) / view.s]; };
  var hit = function (ev) {
    var w = toWorld(ev);
    for (var k = visible.length - 1; k >= 0; k--) { var i = visible[k]; if (w[0] >= px[i] && w[0] <= px[i] + nodes[i].w && w[1] >= py[i] && w[1] <= py[i] + H) return i; }
    return -1;
  };
  var reach = function (start, dir) {
    var seen = new Set([start]), stack = [start];
    while (stack.length) { var i = stack.pop(); (dir < 0 ? MF.parents : MF.children)[i].forEach(function (j) { if (!seen.has(j)) { seen.add(j); stack.push(j); } }); }
    return seen;
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
    var box = app.querySelector('#g-sel');
    if (selected < 0) box.innerHTML = '<span class="muted">Nothing selected.</span>';
    else {
      var n = nodes[selected];
      box.innerHTML = '<h3>Selected</h3><div>' + MF.badge(n.t) + ' <b id="g-sel-name">' + MF.esc(n.n) + '</b></div><div class="muted">' + MF.esc(n.f) + ' · ' + MF.esc(n.s) + '</div>' + (n.d ? '<p>' + MF.esc(n.d) + '</p>' : '') +
        '<p><a id="g-open" href="' + MF.nodeHref(n.id) + '">Open page</a> · <a href="' + MF.graphHref(n.id, '&up=2&down=2') + '">Focus here</a></p>' +
        (pathTo >= 0 ? '<p>Paths to <b>' + MF.esc(nodes[pathTo].n) + '</b>: ' + hl.size + ' nodes highlighted.</p>' : '<p class="muted">Shift-click another node to highlight the paths between them.</p>');
    }
    redraw();
  };
  canvas.addEventListener('wheel', function (ev) {
    ev.preventDefault();
    var r = canvas.getBoundingClientRect(), mx = ev.clientX - r.left, my = ev.clientY - r.top;
    var k = Math.exp(-ev.deltaY * 0.0015), s = Math.max(0.005, Math.min(4, view.s * k));
    view.tx = mx - (mx - view.tx) * (s / view.s); view.ty = my - (my - view.ty) * (s / view.s); view.s = s;
    redraw();
  }, { passive: false });
  var drag = null;
  canvas.addEventListener('mousedown', function (ev) { drag = { x: ev.clientX, y: ev.clientY, tx: view.tx, ty: view.ty, moved: false }; });
  window.addEventListener('mousemove', function (ev) {
    if (!drag) return;
    if (Math.abs(ev.clientX - drag.x) + Math.abs(ev.clientY - drag.y) > 3) drag.moved = true;
    view.tx = drag.tx + ev.clientX - drag.x; view.ty = drag.ty + ev.clientY - drag.y; redraw();
  });
  window.addEventListener('mouseup', function (ev) { if (drag && !drag.moved && ev.target === canvas) select(hit(ev), ev.shiftKey); drag = null; });
  canvas.addEventListener('dblclick', function (ev) { var i = hit(ev); if (i >= 0) location.hash = MF.nodeHref(nodes[i].id); });

  var side = app.querySelector('#graph-side');
  side.addEventListener('change', function (ev) {
    var t = ev.target;
    if (t.dataset.type) G.filters.types[t.dataset.type] = t.checked;
    else if (t.id === 'g-tag') G.filters.tag = t.value;
    else if (t.id === 'g-folder') G.filters.folder = t.value;
    else if (t.id === 'g-up' || t.id === 'g-down') {
      location.hash = MF.graphHref(focus, '&up=' + side.querySelector('#g-up').value + '&down=' + side.querySelector('#g-down').value + (col ? '&col=' + encodeURIComponent(col) : ''));
      return;
    }
    MF.renderGraph(app, params);
  });

  G.screenPos = function (id) {
    var n = MF.byId.get(id); if (!n || !isVis[n.i]) return null;
    var r = canvas.getBoundingClientRect();
    return { x: r.left + view.tx + (px[n.i] + n.w / 2) * view.s, y: r.top + view.ty + (py[n.i] + H / 2) * view.s };
  };
  G.visibleCount = function () { return visible.length; };
  G.select = function (id) { select(MF.byId.get(id).i, false); };
  G.view = view;

  app.querySelector('#g-fit-all').onclick = function () { fit(true); redraw(); };
  size(); fit(); draw();
  performance.mark('mflow:graph-rendered');
  G.rendered = true;
  window.onresize = function () { if (document.body.contains(canvas)) { size(); redraw(); } };

  if (col && fi >= 0) {
    var colBox = app.querySelector('#g-col');
    colBox.innerHTML = '<span class="muted">Tracing ' + MF.esc(col) + '…</span>';
    MF.traceColumn(focus, col).then(function (t) {
      colMarks = new Map(); colEdges = [];
      var add = function (node) {
        var n = MF.byId.get(node.id);
        if (!n) return;
        if (!colMarks.has(n.i)) colMarks.set(n.i, []);
        if (colMarks.get(n.i).indexOf(node.col) < 0) colMarks.get(n.i).push(node.col);
        node.up.forEach(function (u) { var p = MF.byId.get(u.id); if (p) colEdges.push([p.i, n.i]); add(u); });
      };
      add(t);
      colBox.innerHTML = '<h3>Column lineage</h3><div><b>' + MF.esc(MF.nameOf(focus)) + '.' + MF.esc(col) + '</b></div><ul class="trace" id="g-col-tree" style="padding-left:0">' + MF.renderTrace(t) + '</ul>';
      redraw();
    });
  }
};
