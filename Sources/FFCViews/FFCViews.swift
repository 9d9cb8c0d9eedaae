// FFCViews: what ffc draws for people to look at — values on the graph as DOT, a layered layout of
// the graph, the self-contained explorer page, and training curves as SVG. It reads graphs and
// tensors and writes text; it evaluates nothing itself.
import FFCIR
import FFCTensor

/// The namespace of the views' shared constants.
public enum Views {}
