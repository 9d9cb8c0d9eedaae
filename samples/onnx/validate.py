#!/usr/bin/env python3
"""Cross-checks `ffc export` against ONNX Runtime (an independent validator; CI runs it from
.ci/run, `swift test` never needs Python).

For every program given: export it with --train-step, check the model with
onnx.checker.check_model (full check, with shape inference), run it in ONNX Runtime on random
inputs, and compare the outputs, the loss and every gradient with `ffc run --grads --format json`
on the same inputs, and the updated parameters with `<param> - lr * <ffc's gradient>` (the
parameters' starting values are ffc's, read from the model's initializers), each to 1e-5 of the
largest magnitude of the value compared, in f32. The plain forward export is checked and run
too.

usage: validate.py <ffc binary> <file.ffn>...
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime
from onnx import numpy_helper

BATCH = 5
LEARNING_RATE = 0.125
TOLERANCE = 1e-5


def ffc(binary, *arguments):
    result = subprocess.run([binary, *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"ffc {' '.join(arguments)} failed:\n{result.stderr}")
    return result.stdout


def labels_of(program):
    with open(program) as f:
        return {m.group(1) for m in re.finditer(r"^\s*label\s+([A-Za-z_][\w.]*)", f.read(), re.M)}


def feeds_for(model, program, rng):
    """Random values for the inputs, targets and labels (not the parameters or lr)."""
    updated = {o.name[: -len(".next")] for o in model.graph.output if o.name.endswith(".next")}
    labels = labels_of(program)
    feeds = {}
    for value in model.graph.input:
        if value.name in updated or value.name == "lr":
            continue
        dims = [d.dim_value if d.HasField("dim_value") else BATCH
                for d in value.type.tensor_type.shape.dim]
        if value.name in labels:
            feeds[value.name] = rng.integers(0, 2, size=dims).astype(np.float32)
        else:
            feeds[value.name] = rng.uniform(0.1, 1.0, size=dims).astype(np.float32)
    return feeds


def close(name, actual, expected, program):
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape:
        raise AssertionError(f"{program}: {name} has shape {actual.shape}, ffc {expected.shape}")
    scale = max(np.max(np.abs(expected), initial=0.0), 1e-30)
    error = np.max(np.abs(actual - expected), initial=0.0)
    if not error <= TOLERANCE * scale:
        raise AssertionError(
            f"{program}: {name} differs by {error:.3g} (scale {scale:.3g}):\n"
            f"onnx {actual}\nffc  {expected}")


def check(binary, program, directory, rng):
    base = os.path.join(directory, os.path.basename(program))
    ffc(binary, "export", program, "-o", base + ".forward.onnx")
    onnx.checker.check_model(onnx.load(base + ".forward.onnx"), full_check=True)
    ffc(binary, "export", program, "-o", base + ".onnx", "--train-step", "--lr", str(LEARNING_RATE))
    model = onnx.load(base + ".onnx")
    onnx.checker.check_model(model, full_check=True)
    feeds = feeds_for(model, program, rng)
    session = onnxruntime.InferenceSession(base + ".onnx", providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    results = dict(zip(names, session.run(names, feeds)))
    sets = []
    for name, value in feeds.items():
        sets += ["--set", f"{name}=" + ",".join(repr(float(x)) for x in value.flatten())]
    report = json.loads(ffc(binary, "run", program, "--grads", "--format", "json", *sets))
    forward = onnxruntime.InferenceSession(base + ".forward.onnx",
                                           providers=["CPUExecutionProvider"])
    # Every graph input, those with a default (an initializer of the same name) too.
    wanted = {i.name for i in onnx.load(base + ".forward.onnx").graph.input}
    forward_names = [o.name for o in forward.get_outputs()]
    forward_values = forward.run(forward_names, {k: v for k, v in feeds.items() if k in wanted})
    ffc_values = {o["name"]: o["value"] for o in report["outputs"]}
    ffc_values[report["loss"]["name"]] = report["loss"]["value"]
    for name, value in zip(forward_names, forward_values):
        close("forward " + name, value, ffc_values[name], program)
    for output in report["outputs"]:
        close(output["name"], results[output["name"]], output["value"], program)
    loss = report["loss"]
    close(loss["name"], results[loss["name"]], loss["value"], program)
    initial = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    for gradient in report["gradients"]:
        parameter = gradient["name"].split("/d", 1)[1]
        close("grad." + parameter, results["grad." + parameter], gradient["value"], program)
        expected = initial[parameter] - np.float32(LEARNING_RATE) * np.float32(gradient["value"])
        close(parameter + ".next", results[parameter + ".next"], expected, program)
    return len(report["gradients"])


def main():
    onnxruntime.set_default_logger_severity(3)  # not the note on initializers that are inputs
    binary, programs = sys.argv[1], sys.argv[2:]
    rng = np.random.default_rng(0)
    failures = 0
    with tempfile.TemporaryDirectory() as directory:
        for program in programs:
            try:
                count = check(binary, program, directory, rng)
                print(f"ok   {program} (outputs, loss, {count} gradients and updates)")
            except Exception as error:  # every program is checked; the failures are listed
                failures += 1
                print(f"FAIL {program}: {error}")
    print(f"{len(programs) - failures} of {len(programs)} programs agree with ONNX Runtime")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
