/// The page's style sheet and its fixed markup; the script fills them in from the data block.
enum ExplorerStyle {
  static let css = #"""
    body{margin:0;font:13px/1.4 system-ui,sans-serif;color:#222;background:#fafafa}
    header{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;padding:6px 12px;
      background:#2f4f73;color:#fff}
    header h1{font-size:15px;margin:0;font-family:monospace}
    header #note{font-size:12px;opacity:.85}
    header button{font:12px monospace;padding:2px 7px;border:1px solid #9bb;border-radius:3px;
      background:#eef3f8;color:#223;cursor:pointer}
    #step-label{font:12px monospace;min-width:16em}
    main{display:grid;grid-template-columns:minmax(180px,21%) 1fr minmax(200px,19%);
      height:calc(100vh - 40px)}
    main>section,main>aside{overflow:auto;padding:6px 10px;border-right:1px solid #ddd}
    h2{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:#567;margin:8px 0 4px}
    #source{font:12px/1.5 monospace;white-space:pre}
    .src{cursor:pointer;padding:0 4px;border-radius:3px}
    .src:hover{background:#e6eef7}
    .src.hl{background:#ffe9a8}
    .src .ln{display:inline-block;width:3.2em;color:#999;text-align:right;margin-right:8px;
      user-select:none}
    .src .cm{color:#7a8a7a}
    #graphs .row{display:flex;gap:0 18px;align-items:flex-start}
    .graph svg{display:block}
    .node rect{fill:#fff;stroke:#555;stroke-width:1}
    .node{cursor:pointer}
    .node text{font:11px monospace;fill:#222}
    .node text.val{fill:#1d5fa0}
    .node.grad rect{fill:#fde3c8;stroke:#b86a1e}
    .node.k-param rect{fill:#fff2b3}
    .node.k-input rect,.node.k-target rect,.node.k-label rect{fill:#dbe9f6}
    .node.k-const rect{fill:#f2f2f2;stroke:#aaa}
    .node.ref rect{fill:#f4f4f4;stroke:#999;stroke-dasharray:3 2}
    .node.pending rect{opacity:.45}
    .node.pending text.val{fill:#999}
    .node.hl rect{stroke:#e0a000;stroke-width:3}
    .node.cur rect{stroke:#c0392b;stroke-width:3}
    .node.sel rect{stroke:#2a7a2a;stroke-width:3}
    .grp{fill:none;stroke:#b9c3cf;stroke-dasharray:4 3}
    .glabel{font:10px monospace;fill:#567;cursor:pointer}
    .gbox rect{fill:#eef3f8;stroke:#7f96ad}
    .gbox text{font:11px monospace;fill:#234}
    .gbox{cursor:pointer}
    .gbox.hl rect{stroke:#e0a000;stroke-width:3}
    .gbox.cur rect{stroke:#c0392b;stroke-width:3}
    .edge{fill:none;stroke:#777;stroke-width:1}
    .edge.x{stroke:#9aa}
    #details{font-size:12px}
    #details table{border-collapse:collapse;width:100%}
    #details td{vertical-align:top;padding:2px 4px;border-bottom:1px solid #eee}
    #details td:first-child{color:#567;white-space:nowrap}
    #details .mono{font-family:monospace;white-space:pre-wrap;word-break:break-all}
    .rw{font:11px monospace;margin:4px 0;white-space:pre-wrap}
    #curves svg{max-width:100%;height:auto}
    #selftest{font:12px monospace;background:#fff;border-top:1px solid #ccc;margin:0;padding:6px}
    """#

  static func body(curves: String?) -> String {
    let curves = curves.map { "<h2>training curves</h2>\n" + $0 } ?? ""
    return bodyStart + curves + bodyEnd
  }

  private static let bodyStart = #"""
    <header><h1 id="title"></h1><span id="note"></span>
    <span><button id="step-first" title="first step of the evaluation">|&lt;</button>
    <button id="step-prev" title="previous step">&lt;</button>
    <button id="step-next" title="next step">&gt;</button>
    <button id="step-last" title="last step">&gt;|</button>
    <button id="step-all" title="show every value">all</button>
    <span id="step-label"></span></span>
    <span><button id="expand-all">expand all</button>
    <button id="collapse-all">collapse all</button></span></header>
    <main><section><h2>program</h2><div id="source"></div></section>
    <section id="graphs"><div class="row"><div><h2>forward graph</h2>
    <div id="forward" class="graph"></div></div><div><h2 id="gradient-title">gradient graph</h2>
    <div id="gradient" class="graph"></div></div></div>
    <div id="curves">
    """#

  private static let bodyEnd = #"""
    </div></section>
    <aside id="details"><h2>details</h2><div id="details-body">Click a node or a program line.
    Hover a node for its value; click a layer's label to collapse or expand it.</div></aside></main>
    <pre id="selftest" hidden></pre>
    """#
}
