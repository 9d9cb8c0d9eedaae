#!/usr/bin/env python3
"""Cross-checks `ffc import` against ONNX Runtime. The models are built here with onnx.helper in
the shapes torch.onnx.export gives an MLP (Gemm with transB=1 and [out, in] weights, or MatMul and
Add; value names such as /fc1/Gemm_output_0; a named batch dimension), saved to
samples/onnx/fixtures/ with the inputs and ONNX Runtime's outputs (the Swift tests import them
without Python). Each model is imported, run by `ffc run --format json` on the same inputs and
compared with ONNX Runtime to 1e-5 of the output's largest magnitude, in f32.

usage: import_check.py <ffc binary> [--write-fixtures]
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
rng = np.random.default_rng(7)


def weight(name, *shape):
    return numpy_helper.from_array(rng.normal(0, 0.5, size=shape).astype(np.float32), name)


def model(name, nodes, initializers, features, outputs):
    graph = helper.make_graph(
        nodes, "main_graph",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch_size", features])],
        [helper.make_tensor_value_info(o, TensorProto.FLOAT, ["batch_size", k]) for o, k in outputs],
        initializers)
    m = helper.make_model(graph, producer_name="pytorch", producer_version="2.5.0",
                          opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.checker.check_model(m, full_check=True)
    return name, m


def models():
    # nn.Sequential(Linear(4, 8), ReLU(), Linear(8, 3), LogSoftmax(dim=1)), exported with Gemm.
    yield model("mlp_gemm", [
        helper.make_node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["/fc1/Gemm_output_0"],
                         name="/fc1/Gemm", alpha=1.0, beta=1.0, transB=1),
        helper.make_node("Relu", ["/fc1/Gemm_output_0"], ["/act/Relu_output_0"], name="/act/Relu"),
        helper.make_node("Gemm", ["/act/Relu_output_0", "fc2.weight", "fc2.bias"],
                         ["/fc2/Gemm_output_0"], name="/fc2/Gemm", alpha=1.0, beta=1.0, transB=1),
        helper.make_node("LogSoftmax", ["/fc2/Gemm_output_0"], ["output"], name="/LogSoftmax",
                         axis=1),
    ], [weight("fc1.weight", 8, 4), weight("fc1.bias", 8), weight("fc2.weight", 3, 8),
        weight("fc2.bias", 3)], 4, [("output", 3)])
    # Flatten, MatMul + Add (weights stored transposed, as the dynamo exporter does), LeakyRelu,
    # Dropout and Identity in inference form, Reshape to the same shape, Tanh, Sigmoid, Softplus.
    yield model("mlp_matmul", [
        helper.make_node("Flatten", ["input"], ["/Flatten_output_0"], name="/Flatten", axis=1),
        helper.make_node("MatMul", ["/Flatten_output_0", "onnx::MatMul_21"],
                         ["/l1/MatMul_output_0"], name="/l1/MatMul"),
        helper.make_node("Add", ["l1.bias", "/l1/MatMul_output_0"], ["/l1/Add_output_0"],
                         name="/l1/Add"),
        helper.make_node("LeakyRelu", ["/l1/Add_output_0"], ["/act1/LeakyRelu_output_0"],
                         name="/act1/LeakyRelu", alpha=0.2),
        helper.make_node("Dropout", ["/act1/LeakyRelu_output_0"], ["/drop/Dropout_output_0"],
                         name="/drop/Dropout"),
        helper.make_node("MatMul", ["/drop/Dropout_output_0", "onnx::MatMul_22"],
                         ["/l2/MatMul_output_0"], name="/l2/MatMul"),
        helper.make_node("Add", ["/l2/MatMul_output_0", "l2.bias"], ["/l2/Add_output_0"],
                         name="/l2/Add"),
        helper.make_node("Tanh", ["/l2/Add_output_0"], ["/act2/Tanh_output_0"], name="/act2/Tanh"),
        helper.make_node("Identity", ["/act2/Tanh_output_0"], ["/id/Identity_output_0"],
                         name="/id/Identity"),
        helper.make_node("Constant", [], ["/Constant_output_0"], name="/Constant",
                         value=numpy_helper.from_array(np.array([-1, 4], dtype=np.int64))),
        helper.make_node("Reshape", ["/id/Identity_output_0", "/Constant_output_0"],
                         ["/Reshape_output_0"], name="/Reshape"),
        helper.make_node("Sigmoid", ["/Reshape_output_0"], ["probabilities"], name="/Sigmoid"),
        helper.make_node("Softplus", ["/Reshape_output_0"], ["/Softplus_output_0"],
                         name="/Softplus"),
        helper.make_node("Softmax", ["/Softplus_output_0"], ["scores"], name="/Softmax", axis=-1),
    ], [weight("onnx::MatMul_21", 6, 5), weight("l1.bias", 5), weight("onnx::MatMul_22", 5, 4),
        weight("l2.bias", 4)], 6, [("probabilities", 4), ("scores", 4)])


def check(binary, name, m, directory, write):
    path = os.path.join(FIXTURES if write else directory, name + ".onnx")
    onnx.save(m, path)
    features = m.graph.input[0].type.tensor_type.shape.dim[1].dim_value
    x = rng.uniform(-1, 1, size=(3, features)).astype(np.float32)
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    expected = dict(zip(names, session.run(names, {"input": x})))
    program = os.path.join(directory, name + ".ffn")
    # Every parameter goes to the safetensors file beside the program, so that path is checked.
    subprocess.run([binary, "import", path, "-o", program, "--save-weights", "0"], check=True)
    values = ",".join(repr(float(v)) for v in x.flatten())
    run = subprocess.run([binary, "run", program, "--format", "json", "--set", "input_=" + values],
                         capture_output=True, text=True, check=True)
    # The program's outputs come in the model's order, named as the language allows ('output' is
    # a keyword, so it is 'output_').
    report = [np.array(o["value"]) for o in json.loads(run.stdout)["outputs"]]
    for (output, value), actual in zip(expected.items(), report, strict=True):
        scale = np.max(np.abs(value))
        error = np.max(np.abs(actual - value))
        assert error <= 1e-5 * scale, f"{name}: {output} differs by {error} (scale {scale})"
    if write:
        with open(os.path.join(FIXTURES, name + ".json"), "w") as f:
            json.dump({"input": x.tolist(), "outputs": {k: v.tolist() for k, v in expected.items()}},
                      f, indent=1)
            f.write("\n")
    print(f"ok   {name}: {', '.join(expected)} agree with ONNX Runtime")


def main():
    binary, write = sys.argv[1], "--write-fixtures" in sys.argv
    with tempfile.TemporaryDirectory() as directory:
        for name, m in models():
            check(binary, name, m, directory, write)


if __name__ == "__main__":
    main()
