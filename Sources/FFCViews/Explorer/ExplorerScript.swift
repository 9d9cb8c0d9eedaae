/// The page's script: draws the two graphs from the layouts ffc computed (moving whole groups when
/// one is collapsed or expanded), links source lines and nodes, explains a node, and steps through the
/// evaluation in the order it is computed. Text goes into the page
/// only through `textContent`, never as markup.
enum ExplorerScript {
  static let code = #"""
    'use strict';
    var ffcErrors = [];
    window.addEventListener('error', function (e) { ffcErrors.push(String(e.message)); });
    (function () {
      var original = console.error;
      console.error = function () {
        ffcErrors.push(Array.prototype.join.call(arguments, ' '));
        original.apply(console, arguments);
      };
    })();
    var D = JSON.parse(document.getElementById('ffc-data').textContent);
    var N = D.nodes, SVG = 'http://www.w3.org/2000/svg', CW = 6.6, HEADER = 16;
    var state = { step: -1, lit: [], line: null, selected: null };
    var computedAt = N.map(function () { return -1; });
    D.steps.forEach(function (n, i) { computedAt[n] = i; });
    function $(id) { return document.getElementById(id); }
    function svg(tag, attrs, text) {
      var e = document.createElementNS(SVG, tag);
      for (var k in attrs) e.setAttribute(k, attrs[k]);
      if (text !== undefined) e.textContent = text;
      return e;
    }
    function html(tag, cls, text) {
      var e = document.createElement(tag);
      if (cls) e.className = cls;
      if (text !== undefined) e.textContent = text;
      return e;
    }
    function computed(n) { return state.step < 0 || computedAt[n] <= state.step; }
    function shownValue(n) {
      var f = N[n];
      return computed(n) && f.v !== null ? f.v : f.s;
    }
    function fullValue(n) {
      var f = N[n];
      if (!computed(n)) return 'not computed yet (step ' + (computedAt[n] + 1) + ')';
      return f.f !== null ? f.f : (D.hasValues ? '(no value)' : 'shape ' + f.s + ' (no values: ' + D.note + ')');
    }
    var views = [];
    function makeView(d, container) {
      var view = { d: d, box: container, open: d.groups.map(function (g) { return g.solo || !d.collapsed; }) };
      views.push(view);
      render(view);
      return view;
    }
    function groupSize(g, open) {
      if (g.solo) return [g.iw, g.ih];
      if (!open) return [(g.label.length + 6) * CW + 16, 28];
      return [Math.max(g.iw, (g.label.length + 2) * CW), g.ih + HEADER];
    }
    function place(view) {
      var G = view.d.groups, size = G.map(function (g, i) { return groupSize(g, view.open[i]); });
      var layers = [], at = [], y = 10, left = Infinity, right = 0;
      G.forEach(function (g, i) { (layers[g.layer] = layers[g.layer] || []).push(i); });
      layers.forEach(function (layer) {
        if (!layer) return;
        layer.sort(function (a, b) { return G[a].cx - G[b].cx || a - b; });
        var height = 0, edge = -Infinity;
        layer.forEach(function (i) { height = Math.max(height, size[i][1]); });
        layer.forEach(function (i) {
          var x = Math.max(G[i].cx - size[i][0] / 2, edge + 16);
          at[i] = [x, y + (height - size[i][1]) / 2];
          edge = x + size[i][0];
          left = Math.min(left, x);
          right = Math.max(right, edge);
        });
        y += height + 40;
      });
      var shift = 10 - (left === Infinity ? 0 : left);
      at.forEach(function (p) { if (p) p[0] += shift; });
      return { at: at, size: size, width: right + shift + 10, height: Math.max(y - 30, 20) };
    }
    function curve(points) {
      var p = 'M' + points[0] + ' ' + points[1];
      for (var i = 2; i + 1 < points.length; i += 2) {
        var mid = (points[i - 1] + points[i + 1]) / 2;
        p += ' C' + points[i - 2] + ' ' + mid + ' ' + points[i] + ' ' + mid + ' ' + points[i] + ' ' + points[i + 1];
      }
      return p;
    }
    function render(view) {
      var d = view.d, G = d.groups, placed = place(view);
      var root = svg('svg', { width: placed.width, height: placed.height, viewBox: '0 0 ' + placed.width + ' ' + placed.height });
      var marker = svg('marker', { id: 'arrow' + views.indexOf(view), viewBox: '0 0 8 8', refX: 8, refY: 4, markerWidth: 7, markerHeight: 7, orient: 'auto' });
      marker.appendChild(svg('path', { d: 'M0 0 L8 4 L0 8 z', fill: '#777' }));
      var defs = svg('defs', {});
      defs.appendChild(marker);
      root.appendChild(defs);
      var edges = svg('g', {}), boxes = svg('g', {});
      root.appendChild(edges);
      root.appendChild(boxes);
      var arrow = 'url(#arrow' + views.indexOf(view) + ')';
      view.nodeEls = [];
      view.groupEls = [];
      function origin(gi) { return [placed.at[gi][0], placed.at[gi][1] + (G[gi].solo ? 0 : HEADER)]; }
      function centre(item) {
        var gi = d.items[item][1], g = G[gi], k = g.items.indexOf(item), o = origin(gi);
        return [o[0] + g.ix[k], o[1] + g.iy[k]];
      }
      G.forEach(function (g, gi) {
        var at = placed.at[gi], size = placed.size[gi];
        if (!view.open[gi]) {
          var box = svg('g', { 'class': 'gbox', transform: 'translate(' + at[0] + ',' + at[1] + ')' });
          box.appendChild(svg('rect', { width: size[0], height: size[1], rx: 6 }));
          box.appendChild(svg('text', { x: 8, y: 18 }, '\u25b8 ' + g.label + ' (' + g.items.length + ')'));
          box.appendChild(svg('title', {}, 'collapsed: click to expand'));
          box.addEventListener('click', function () { toggle(view, gi); });
          boxes.appendChild(box);
          view.groupEls.push([box, gi]);
          return;
        }
        if (!g.solo) {
          boxes.appendChild(svg('rect', { 'class': 'grp', x: at[0], y: at[1], width: size[0], height: size[1], rx: 6 }));
          var label = svg('text', { 'class': 'glabel', x: at[0] + 6, y: at[1] + 11 }, '\u25be ' + g.label);
          label.addEventListener('click', function () { toggle(view, gi); });
          boxes.appendChild(label);
        }
        var o = origin(gi);
        g.ie.forEach(function (e) {
          var pts = e[2].map(function (v, i) { return v + o[i % 2]; });
          edges.appendChild(svg('path', { 'class': 'edge', d: curve(pts), 'marker-end': arrow }));
        });
        g.items.forEach(function (item, k) {
          var n = d.items[item][0], f = N[n], w = f.w, x = o[0] + g.ix[k] - w / 2, y = o[1] + g.iy[k] - 16;
          var cls = 'node k-' + f.k + (f.g ? ' grad' : '') + (d.items[item][2] ? ' ref' : '');
          var e = svg('g', { 'class': cls, transform: 'translate(' + x + ',' + y + ')', 'data-node': n });
          e.appendChild(svg('rect', { width: w, height: 32, rx: 5 }));
          e.appendChild(svg('text', { x: 7, y: 13 }, f.t));
          e.appendChild(svg('text', { 'class': 'val', x: 7, y: 26 }, ''));
          e.appendChild(svg('title', {}, ''));
          e.addEventListener('click', function () { select(n); });
          boxes.appendChild(e);
          view.nodeEls.push([e, n, item]);
        });
      });
      var seen = {};
      d.edges.forEach(function (e) {
        var a = d.items[e[0]], b = d.items[e[1]], from, to;
        if (view.open[a[1]]) { var c = centre(e[0]); from = [c[0], c[1] + 16]; }
        else from = [placed.at[a[1]][0] + placed.size[a[1]][0] / 2, placed.at[a[1]][1] + placed.size[a[1]][1]];
        var points = [from[0], from[1]];
        if (view.open[b[1]] && e[2].length) {
          var o = origin(b[1]);
          e[2].forEach(function (v, i) { points.push(v + o[i % 2]); });
        } else if (view.open[b[1]]) {
          var t = centre(e[1]);
          points.push(t[0], t[1] - 16);
        } else {
          points.push(placed.at[b[1]][0] + placed.size[b[1]][0] / 2, placed.at[b[1]][1]);
        }
        var key = points.join();
        if (seen[key]) return;
        seen[key] = true;
        edges.appendChild(svg('path', { 'class': 'edge x', d: curve(points), 'marker-end': arrow }));
      });
      view.box.textContent = '';
      view.box.appendChild(root);
      refresh();
    }
    function toggle(view, gi) {
      view.open[gi] = !view.open[gi];
      render(view);
    }
    function setAll(open) {
      views.forEach(function (view) {
        view.open = view.d.groups.map(function (g) { return g.solo || open; });
        render(view);
      });
    }
    function refresh() {
      var lit = {}, current = state.step >= 0 ? D.steps[state.step] : -1;
      state.lit.forEach(function (n) { lit[n] = true; });
      views.forEach(function (view) {
        view.nodeEls.forEach(function (pair) {
          var e = pair[0], n = pair[1], c = e.classList;
          c.toggle('hl', !!lit[n]);
          c.toggle('sel', n === state.selected);
          c.toggle('cur', n === current);
          c.toggle('pending', !computed(n));
          e.childNodes[2].textContent = shownValue(n);
          e.childNodes[3].textContent = N[n].n + ': ' + fullValue(n);
        });
        view.groupEls.forEach(function (pair) {
          var items = view.d.groups[pair[1]].items.map(function (i) { return view.d.items[i][0]; });
          pair[0].classList.toggle('hl', items.some(function (n) { return lit[n]; }));
          pair[0].classList.toggle('cur', items.indexOf(current) >= 0);
        });
      });
      document.querySelectorAll('.src').forEach(function (e) {
        e.classList.toggle('hl', Number(e.dataset.line) === state.line);
      });
    }
    function showLine(line) {
      state.line = line;
      state.lit = [];
      N.forEach(function (f, n) { if (f.l === line) state.lit.push(n); });
      var body = $('details-body');
      body.textContent = '';
      body.appendChild(html('p', '', 'line ' + line + ': ' + state.lit.length + ' node' + (state.lit.length === 1 ? '' : 's') + ' highlighted'));
      body.appendChild(html('div', 'mono', D.source[line - 1] || ''));
      refresh();
    }
    function row(table, key, value) {
      var tr = html('tr');
      tr.appendChild(html('td', '', key));
      tr.appendChild(html('td', 'mono', value));
      table.appendChild(tr);
    }
    function select(n) {
      var f = N[n], body = $('details-body'), table = html('table');
      state.selected = n;
      state.line = f.l;
      body.textContent = '';
      body.appendChild(html('h3', 'mono', f.n));
      row(table, 'op', f.op);
      row(table, 'kind', f.k + (f.g ? ' (gradient)' : ''));
      row(table, 'shape', f.s);
      row(table, 'value', fullValue(n));
      if (f.d !== null) row(table, 'gradient', N[f.d].n + ' = ' + fullValue(f.d));
      if (f.l !== null) row(table, f.g ? 'derivative' : 'line', (f.g ? 'via line ' : 'line ') + f.l + ': ' + (D.source[f.l - 1] || '').trim());
      if (f.i.length) row(table, 'inputs', f.i.map(function (i) { return N[i].n; }).join(', '));
      body.appendChild(table);
      if (f.r.length) {
        body.appendChild(html('h2', '', 'rewrites on this line'));
        f.r.forEach(function (r) {
          var w = D.rewrites[r];
          body.appendChild(html('div', 'rw', w.pass + ': ' + w.rule + '\n  ' + w.before + '  ->  ' + w.after));
        });
      }
      refresh();
    }
    function setStep(step) {
      state.step = Math.max(-1, Math.min(D.steps.length - 1, step));
      var label = $('step-label');
      if (state.step < 0) {
        label.textContent = 'all values';
        refresh();
        return;
      }
      var n = D.steps[state.step];
      label.textContent = 'step ' + (state.step + 1) + '/' + D.steps.length + ': ' + N[n].n + (N[n].g ? ' (backward)' : ' (forward)');
      select(n);
    }
    function drawSource() {
      var box = $('source');
      D.source.forEach(function (text, i) {
        var line = html('div', 'src');
        line.dataset.line = i + 1;
        line.appendChild(html('span', 'ln', String(i + 1)));
        var hash = text.indexOf('#');
        line.appendChild(document.createTextNode(hash < 0 ? text : text.slice(0, hash)));
        if (hash >= 0) line.appendChild(html('span', 'cm', text.slice(hash)));
        line.addEventListener('click', function () { showLine(i + 1); });
        box.appendChild(line);
      });
    }
    $('title').textContent = D.title;
    $('note').textContent = D.note;
    drawSource();
    makeView(D.forward, $('forward'));
    if (D.gradient) makeView(D.gradient, $('gradient'));
    else $('gradient-title').textContent = 'gradient graph: none (the program declares no loss)';
    $('step-first').addEventListener('click', function () { setStep(0); });
    $('step-prev').addEventListener('click', function () { setStep(state.step - 1); });
    $('step-next').addEventListener('click', function () { setStep(state.step + 1); });
    $('step-last').addEventListener('click', function () { setStep(D.steps.length - 1); });
    $('step-all').addEventListener('click', function () { setStep(-1); });
    $('expand-all').addEventListener('click', function () { setAll(true); });
    $('collapse-all').addEventListener('click', function () { setAll(false); });
    setStep(-1);
    // '#node=dL/dW1' opens the page with that node explained, '#line=22' with a line lit.
    (function () {
      var hash = decodeURIComponent(location.hash.slice(1));
      if (hash.indexOf('node=') === 0) {
        var name = hash.slice(5), n = N.findIndex(function (f) { return f.n === name; });
        if (n >= 0) select(n);
      } else if (hash.indexOf('line=') === 0) {
        showLine(Number(hash.slice(5)));
      }
    })();

    """#
}
