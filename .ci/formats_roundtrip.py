"""Cross-validation of ffc's file formats against the Python packages (run by .ci/run in a venv
with pinned numpy and safetensors; `swift test` needs no Python, its fixtures are committed):
  1. .npy/.npz written by numpy (f32, f64, int64, big-endian, Fortran order) feed `ffc run`,
     whose outputs equal numpy's forward pass;
  2. a safetensors file written by the safetensors package gives parameters through load(...);
  3. the safetensors file `ffc train --save` writes is read by the safetensors package, and its
     values run the saved program to ffc's own outputs.
Usage: python .ci/formats_roundtrip.py <path to ffc>"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from safetensors.numpy import load_file, save_file

ffc = os.path.abspath(sys.argv[1])
work = tempfile.mkdtemp(prefix="ffc-formats-")
rng = np.random.default_rng(7)


def run(*args):
    result = subprocess.run([ffc, *args], capture_output=True, text=True, cwd=work)
    if result.returncode != 0:
        sys.exit(f"ffc {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def outputs(*args):
    report = json.loads(run("run", *args, "--format", "json", "--precision", "f64"))
    return {o["name"]: np.array(o["value"], dtype=np.float64) for o in report["outputs"]}


def write(name, text):
    with open(os.path.join(work, name), "w") as f:
        f.write(text)


def close(a, b, what):
    if a.shape != b.shape or not np.allclose(a, b, rtol=1e-12, atol=1e-12):
        sys.exit(f"{what}: ffc gave {a}, numpy {b}")


# 1. NumPy data, every layout numpy writes.
X = rng.normal(size=(5, 4))
W = rng.normal(size=(4, 3))
write("affine.ffn", f"input X[N, 4]\nparam W[4, 3] = {W.tolist()}\noutput o = X @ W\n")
expected = X @ W
for name, array in [
    ("f64.npy", X),
    ("f32.npy", X.astype(np.float32)),
    ("big.npy", X.astype(">f8")),
    ("fortran.npy", np.asfortranarray(X)),
]:
    np.save(os.path.join(work, name), array)
    close(outputs("affine.ffn", "--data", f"X={name}")["o"], array.astype(np.float64) @ W, name)
ints = rng.integers(-5, 5, size=(5, 4))
np.save(os.path.join(work, "ints.npy"), ints)
close(outputs("affine.ffn", "--data", "X=ints.npy")["o"], ints @ W, "int64")
np.savez(os.path.join(work, "d.npz"), X=X)
close(outputs("affine.ffn", "--data", "d.npz")["o"], expected, "npz")

# 2. Parameters from a safetensors file written by the Python package, by tensor name.
fc1_w = rng.normal(size=(4, 3))
fc1_b = rng.normal(size=(3,))
save_file({"fc1.weight": fc1_w, "fc1.bias": fc1_b.astype(np.float32)}, os.path.join(work, "py.safetensors"))
write(
    "loaded.ffn",
    'input X[N, 4]\nparam W[4, 3] = load("py.safetensors", "fc1.weight")\n'
    'param b[3] = load("py.safetensors", "fc1.bias")\noutput o = X @ W + b\n',
)
close(
    outputs("loaded.ffn", "--data", "X=f64.npy")["o"],
    X @ fc1_w + fc1_b.astype(np.float32).astype(np.float64),
    "safetensors from Python",
)

# 3. ffc's safetensors read by the Python package.
y = rng.normal(size=(5,))
np.savez(os.path.join(work, "train.npz"), X=X, y=y)
write(
    "net.ffn",
    "input X[N, 4]\ntarget y[N]\nh = dense(X, 8, tanh)\nparam v[8] = glorot\n"
    "output f = h @ v\nloss L = mse(f, y)\n",
)
run("train", "net.ffn", "--data", "train.npz", "--epochs", "3", "--precision", "f64",
    "--save", "saved.ffn", "--save-weights", "0")
tensors = load_file(os.path.join(work, "saved.safetensors"))
assert sorted(tensors) == ["h.W", "h.b", "v"], sorted(tensors)
assert all(t.dtype == np.float64 for t in tensors.values())
assert tensors["h.W"].shape == (4, 8) and tensors["v"].shape == (8,)
forward = np.tanh(X @ tensors["h.W"] + tensors["h.b"]) @ tensors["v"]
close(outputs("saved.ffn", "--data", "train.npz")["f"], forward, "saved safetensors")
print("formats round trip: numpy and safetensors agree with ffc")
