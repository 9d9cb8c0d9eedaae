// FFCFormats: the files the field exchanges, read and written by hand — safetensors weights,
// NumPy .npy/.npz arrays, and ONNX models (the protobuf wire format). Readers check every length
// and offset against the file before touching the bytes they name.
import FFCDiagnostics
import FFCIR
import FFCTensor

/// The namespace of the formats' shared constants.
public enum Formats {}
