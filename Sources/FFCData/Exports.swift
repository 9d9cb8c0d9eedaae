// The data API speaks in graphs, tensors and diagnostics; users of FFCData get them too.
@_exported import FFCIR
