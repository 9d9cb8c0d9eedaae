/// The page's self-test, run when its address ends in `#selftest`: it clicks through the page as a
/// person would (a source line, a node, the step-through to the last gradient, collapsing and
/// expanding a layer) and writes one PASS or FAIL line per check, then
/// `selftest: N passed, M failed`, into the page, where a headless browser's `--dump-dom` reads
/// them back. Errors the page logged count as a failure.
enum ExplorerSelfTest {
  static let code = #"""
    function ffcSelfTest() {
      var results = [];
      function check(name, ok, detail) {
        results.push((ok ? 'PASS ' : 'FAIL ') + name + (ok || !detail ? '' : ': ' + detail));
      }
      function click(e) { e.dispatchEvent(new MouseEvent('click', { bubbles: true })); }
      function count(id, cls) { return document.querySelectorAll('#' + id + ' .' + cls).length; }
      // A large graph stays collapsed and is stepped through in part: each click redraws what
      // is shown, so clicking through every step of a 1,000-layer net would take minutes.
      var big = D.steps.length > 400;
      try {
        if (!big) setAll(true);
        var lines = {}, best = null;
        N.forEach(function (f) {
          if (f.l === null) return;
          var c = lines[f.l] = lines[f.l] || [0, 0];
          c[f.g] += 1;
          if (best === null || (c[0] > 0 && c[1] > 0 && !(lines[best][0] > 0 && lines[best][1] > 0))) best = f.l;
        });
        check('the program has a line with nodes', best !== null);
        if (best !== null) {
          click(document.querySelector('.src[data-line="' + best + '"]'));
          check('clicking line ' + best + ' highlights its forward nodes', count('forward', 'hl') > 0 || lines[best][0] === 0, 'none lit');
          check('clicking line ' + best + ' highlights its gradient nodes', !D.gradient || lines[best][1] === 0 || count('gradient', 'hl') > 0, 'none lit');
          check('the line is marked', document.querySelectorAll('.src.hl').length === 1);
        }
        if (!document.querySelector('#forward .node')) toggle(views[0], views[0].d.items[0][1]);
        var first = document.querySelector('#forward .node');
        click(first);
        var n = Number(first.getAttribute('data-node'));
        var details = $('details-body').textContent;
        check('clicking a node shows its op and shape', details.indexOf(N[n].op) >= 0 && details.indexOf(N[n].s) >= 0, details.slice(0, 80));
        check('a node has a hover text with its value', first.querySelector('title').textContent.indexOf(N[n].n) === 0);
        click($('step-first'));
        check('the step-through starts at step 1', $('step-label').textContent.indexOf('step 1/') === 0, $('step-label').textContent);
        for (var s = 0; s < (big ? 25 : D.steps.length); s++) click($('step-next'));
        if (big) click($('step-last'));
        var last = D.steps[D.steps.length - 1];
        check('the step-through reaches the last step', state.step === D.steps.length - 1, String(state.step));
        if (D.gradient) {
          check('the last step is a gradient', N[last].g === 1, N[last].n);
          check('the last gradient is drawn as current', count('gradient', 'cur') > 0);
          if (D.hasValues) check('the last gradient shows its value', $('details-body').textContent.indexOf(N[last].f) >= 0, N[last].f);
        }
        click($('step-all'));
        var view = views[0], gi = view.d.groups.findIndex(function (g) { return !g.solo; });
        function drawn() {
          var box = view.groupEls.filter(function (p) { return p[1] === gi; });
          var nodes = view.nodeEls.filter(function (p) { return view.d.items[p[2]][1] === gi; });
          return { box: box.length ? box[0][0] : null, nodes: nodes.length };
        }
        if (gi >= 0) {
          var size = view.d.groups[gi].items.length, was = view.open[gi];
          toggle(view, gi);
          var now = drawn();
          check((was ? 'collapsing' : 'expanding') + ' a layer', was ? now.box && now.nodes === 0 : !now.box && now.nodes === size);
          if (now.box) click(now.box); else toggle(view, gi);
          now = drawn();
          check('and back', was ? !now.box && now.nodes === size : now.box && now.nodes === 0);
          click($('collapse-all'));
          check('collapse all', views.every(function (v) { return v.nodeEls.every(function (p) { return v.d.groups[v.d.items[p[2]][1]].solo; }); }));
          if (!big) click($('expand-all'));
        }
      } catch (e) {
        check('the self-test ran to its end', false, String(e && e.stack || e));
      }
      check('no errors were logged', ffcErrors.length === 0, ffcErrors.join(' | '));
      var passed = results.filter(function (r) { return r.indexOf('PASS') === 0; }).length;
      var out = $('selftest');
      out.textContent = results.join('\n') + '\nselftest: ' + passed + ' passed, ' + (results.length - passed) + ' failed\n';
      out.hidden = false;
    }
    if (location.hash === '#selftest') ffcSelfTest();

    """#
}
