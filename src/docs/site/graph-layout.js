// Where the graph's nodes go in the browser: the generate-time layout for the whole DAG, cut into
// side-by-side bands when it is far taller than wide (a 10,000-model DAG is six layers and
// 114,000 px tall: fitted whole it was a one-pixel sliver); for a selection, its layers packed
// into adjacent columns; in column mode, each node as tall as its column list.
MF.GRAPH_H = 28;
MF.COL_ROW = 20;
// Boxes at least this many pixels tall on screen get their names drawn.
MF.LABEL_PX = 14;

/** Sets px/py (and nh, heights) for `visible`; returns the bands used, if any. */
MF.placeNodes = function (P) {
  var nodes = MF.nodes, visible = P.visible, px = P.px, py = P.py, nh = P.nh, H = MF.GRAPH_H;
  visible.forEach(function (i) { px[i] = nodes[i].x; py[i] = nodes[i].y; nh[i] = H + (P.colsOf && P.colsOf[i] ? P.colRows(i) * MF.COL_ROW + 6 : 0); });
  if (P.packed) {
    // A selection keeps the layers and the in-layer order of the whole layout, packed together.
    var byLayer = {};
    visible.forEach(function (i) { (byLayer[nodes[i].r] = byLayer[nodes[i].r] || []).push(i); });
    var layers = Object.keys(byLayer).map(Number).sort(function (a, b) { return a - b; });
    var x = 0, gap = P.colsOf ? 170 : 80;
    layers.forEach(function (lx) {
      var list = byLayer[lx].sort(function (a, b) { return nodes[a].y - nodes[b].y; });
      var colW = 0, total = 0;
      list.forEach(function (i) { colW = Math.max(colW, P.width(i)); total += nh[i] + (P.colsOf ? 26 : 10); });
      var y = -total / 2;
      list.forEach(function (i) { px[i] = x; py[i] = y; y += nh[i] + (P.colsOf ? 26 : 10); });
      x += colW + gap;
    });
    return null;
  }
  if (P.subset || visible.length < 2) return null;
  var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  visible.forEach(function (i) { minX = Math.min(minX, px[i]); maxX = Math.max(maxX, px[i] + nodes[i].w); minY = Math.min(minY, py[i]); maxY = Math.max(maxY, py[i] + H); });
  var W = maxX - minX, Ht = maxY - minY;
  // Bands so that the whole drawing has about the viewport's proportions.
  var k = Math.round(Math.sqrt((Ht * P.viewW) / (Math.max(W, 1) * P.viewH)));
  if (k < 2 || Ht / Math.max(W, 1) < 6) return null;
  var bandH = Ht / k, step = W + 220;
  visible.forEach(function (i) {
    var b = Math.min(k - 1, Math.floor((py[i] - minY) / bandH));
    px[i] += b * step;
    py[i] -= b * bandH;
  });
  return { count: k, height: bandH, step: step };
};
