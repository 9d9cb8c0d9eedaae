"""Writes the expected values of the .ffn cases in this directory, computed by JAX in float64.

Run from the repository root: /path/to/python Tests/Fixtures/jax/generate.py
(`--check` compares instead of writing; .ci/run does that in a pinned venv.)
Each case is a program (its inputs given as literals, so it runs as it is) and a JAX function of
its parameters returning the loss and the outputs; the script writes NAME.ffn and NAME.json
({"L": [...], "o": [...], "dL/dW": [...]}: flat row-major values, as `ffc run --format json`
names them). The tests compare ffc's f64 run with these numbers; they never run Python.
"""
import functools
import json
import os

import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", True)
HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(14)


def literal(a):
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 0:
        return repr(float(a))
    return "[" + ", ".join(literal(x) for x in a) + "]"


def rand(*shape, low=-2.0, high=2.0):
    # Rounded to 4 decimals so the literal in the program is exactly the value JAX uses.
    return np.round(rng.uniform(low, high, size=shape), 4)


def prelu(x, a):
    return jnp.where(x > 0, x, a * x)


def maxout(z, k):
    return jnp.max(z.reshape(z.shape[:-1] + (z.shape[-1] // k, k)), axis=-1)


CASES = []


def case(name, text, inputs, params, f, outputs=()):
    """text uses {X} for each input and parameter literal; f(params, inputs) -> (loss, outputs)."""
    CASES.append((name, text, inputs, params, f, outputs))


X = rand(2, 12)
case(
    "reshape_batch",
    """# reshape of a batch into rank 3, reductions and softmax over its axes
input X[N, 12] = {X}
param w[3] = {w}
h = reshape(X, [N, 4, 3])
s = sum(h * tanh(w), axis=-1)        # [N, 4]
p = softmax(s, axis=1)
m = max(h * w, axis=1)               # [N, 3]
output p, m
loss L = mean(sum(p * s, axis=1)) + mean(m) + sum(mean(h * w, axis=0) ** 2)
""",
    {"X": X},
    {"w": rand(3)},
    lambda P, I: (
        lambda h: (
            lambda s, m: (
                jnp.mean(jnp.sum(jax.nn.softmax(s, axis=1) * s, axis=1))
                + jnp.mean(m)
                + jnp.sum(jnp.mean(h * P["w"], axis=0) ** 2),
                {"p": jax.nn.softmax(s, axis=1), "m": m},
            )
        )(jnp.sum(h * jnp.tanh(P["w"]), axis=-1), jnp.max(h * P["w"], axis=1))
    )(I["X"].reshape(-1, 4, 3)),
)

X3 = rand(2, 2, 3)
case(
    "rank3_axes",
    """# a batch of rank 3: broadcasting, log_softmax and max over inner axes, reshape with -1
input X[N, 2, 3] = {X}
param B[2, 3] = {B}
param c[2, 1] = {c}
param s = {s}
h = tanh(X * B + c + s)
ls = log_softmax(h, axis=0)
k = max(h, axis=-2, keepdims=1)
r = reshape(h, [N, -1])
q = reshape(c, [1, 2])
output r, k
loss L = sum(ls * h) + sum(k ** 2) + mean(r * [1, 2, 3, 4, 5, 6]) + sum(q * q)
""",
    {"X": X3},
    {"B": rand(2, 3), "c": rand(2, 1), "s": np.round(0.3, 4)},
    lambda P, I: (
        lambda h: (
            jnp.sum(jax.nn.log_softmax(h, axis=0) * h)
            + jnp.sum(jnp.max(h, axis=-2, keepdims=True) ** 2)
            + jnp.mean(h.reshape(h.shape[0], -1) * jnp.arange(1.0, 7.0))
            + jnp.sum(P["c"].reshape(1, 2) ** 2),
            {"r": h.reshape(h.shape[0], -1), "k": jnp.max(h, axis=-2, keepdims=True)},
        )
    )(jnp.tanh(I["X"] * P["B"] + P["c"] + P["s"])),
)

case(
    "rank4_param",
    """# a parameter of rank 4: softmax over axis 1, mean over axis 2, broadcasting [3] and [2, 1, 3]
param T[2, 2, 2, 3] = {T}
param v[3] = {v}
param u[2, 1, 3] = {u}
a = softmax(T * v, axis=1)
b = mean(T + u, axis=2)                 # [2, 2, 3]
c = reshape(T, [4, 6])
output b
loss L = sum(a * T) + sum(b ** 2) + sum(max(c, axis=0)) + sum(log_softmax(T, axis=-4) * u)
""",
    {},
    {"T": rand(2, 2, 2, 3), "v": rand(3), "u": rand(2, 1, 3)},
    lambda P, I: (
        jnp.sum(jax.nn.softmax(P["T"] * P["v"], axis=1) * P["T"])
        + jnp.sum(jnp.mean(P["T"] + P["u"], axis=2) ** 2)
        + jnp.sum(jnp.max(P["T"].reshape(4, 6), axis=0))
        + jnp.sum(jax.nn.log_softmax(P["T"], axis=0) * P["u"]),
        {"b": jnp.mean(P["T"] + P["u"], axis=2)},
    ),
)

Xc = rand(2, 2, 3)
yc = np.array([[0, 2], [1, 1]], dtype=np.float64)
case(
    "cross_entropy_rank3",
    """# cross_entropy over logits [N, T, K] with labels [N, T]: averaged over N·T rows
input X[N, 2, 3] = {X}
label y[N, 2] = {y}
param A[2, 3] = {A}
param b[3] = {b}
z = X * A + b
loss L = cross_entropy(z, y)
""",
    {"X": Xc, "y": yc},
    {"A": rand(2, 3), "b": rand(3)},
    lambda P, I: (
        lambda z: (
            -jnp.mean(
                jnp.take_along_axis(
                    jax.nn.log_softmax(z, axis=-1), I["y"].astype(int)[..., None], axis=-1
                )
            ),
            {},
        )
    )(I["X"] * P["A"] + P["b"]),
)

Xk = rand(4, 3)
Yk = np.eye(3)[[0, 2, 1]].T  # one-hot columns: class k of example n at [k, n]
case(
    "column_softmax",
    """# the column convention: examples as columns, softmax over axis 0
input X[4, N] = {X}
target Y[3, N] = {Y}
param W[3, 4] = {W}
param c[3, 1] = {c}
Z = W @ X + c
P = softmax(Z, axis=0)
output P
loss L = -mean(sum(log_softmax(Z, axis=0) * Y, axis=0))
""",
    {"X": Xk, "Y": Yk},
    {"W": rand(3, 4), "c": rand(3, 1)},
    lambda P, I: (
        lambda Z: (
            -jnp.mean(jnp.sum(jax.nn.log_softmax(Z, axis=0) * I["Y"], axis=0)),
            {"P": jax.nn.softmax(Z, axis=0)},
        )
    )(P["W"] @ I["X"] + P["c"]),
)

Xp = rand(3, 3)
case(
    "prelu_shapes",
    """# prelu with a slope per unit [3] and with a scalar slope, on a batch
input X[N, 3] = {X}
param W[3, 3] = {W}
param a[3] = {a}
param s = {s}
h = prelu(X @ W, a)
k = prelu(X - 0.5, s)
output h
loss L = sum(h * h) + mean(k * [1, 2, 3])
""",
    {"X": Xp},
    {"W": rand(3, 3), "a": rand(3, low=0, high=0.5), "s": np.round(0.2, 4)},
    lambda P, I: (
        jnp.sum(prelu(I["X"] @ P["W"], P["a"]) ** 2)
        + jnp.mean(prelu(I["X"] - 0.5, P["s"]) * jnp.array([1.0, 2.0, 3.0])),
        {"h": prelu(I["X"] @ P["W"], P["a"])},
    ),
)

Xd = rand(3, 2)
Yd = rand(3, 2)
case(
    "prelu_dense",
    """# dense(..., prelu) learns one slope per unit, h.a
input X[N, 2] = {X}
target Y[N, 2] = {Y}
h = dense(X, 3, prelu, W={h_W}, b={h_b}, a={h_a})
o = dense(h, 2, W={o_W}, b={o_b})
output h
loss L = mse(o, Y)
""",
    {"X": Xd, "Y": Yd},
    {
        "h.W": rand(2, 3),
        "h.b": rand(3, low=-0.5, high=0.5),
        "h.a": rand(3, low=0, high=0.5),
        "o.W": rand(3, 2),
        "o.b": rand(2),
    },
    lambda P, I: (
        lambda h: (
            jnp.mean((h @ P["o.W"] + P["o.b"] - I["Y"]) ** 2),
            {"h": h},
        )
    )(prelu(I["X"] @ P["h.W"] + P["h.b"], P["h.a"])),
)


def prelu_penalised(P, I):
    def inner(a):
        return jnp.sum(jnp.tanh(prelu(I["x"] * P["w"], a)) ** 2)

    return inner(P["a"]) + 0.1 * jnp.sum(jax.grad(inner)(P["a"]) ** 2), {}


case(
    "prelu_second_order",
    """# a gradient penalty on prelu's slope: training differentiates through grad(L, a)
input x[4] = {x}
param w[4] = {w}
param a[4] = {a}
L0 = sum(tanh(prelu(x * w, a)) ** 2)
loss L = L0 + 0.1 * sum(grad(L0, a) ** 2)
""",
    {"x": rand(4)},
    {"w": rand(4), "a": rand(4, low=0, high=0.5)},
    prelu_penalised,
)

Xm = rand(2, 3)
case(
    "maxout_equals_reshape_max",
    """# maxout(z, k) is max(reshape(z, [..., units, k]), axis=-1)
input X[N, 3] = {X}
param W[3, 6] = {W}
param c[2] = {c}
z = X @ W
m1 = maxout(z, 3)
m2 = max(reshape(z, [N, 2, 3]), axis=-1)
output m1, m2
loss L = sum(m1 * c) + sum(m2 * m2)
""",
    {"X": Xm},
    {"W": rand(3, 6), "c": rand(2)},
    lambda P, I: (
        lambda m: (jnp.sum(m * P["c"]) + jnp.sum(m * m), {"m1": m, "m2": m})
    )(maxout(I["X"] @ P["W"], 3)),
)

case(
    "maxout_dense",
    """# dense(..., maxout, k=2): 2 pieces per unit, h.W [3, 4], h.b [4]; maxout over a rank-3 value
input X[N, 3] = {X}
target y[N] = {y}
param T[2, 2, 4] = {T}
h = dense(X, 2, maxout, k=2, W={h_W}, b={h_b})
o = dense(h, 1, W={o_W}, bias=0)
output h
loss L = mse(reshape(o, [N]), y) + sum(maxout(T, k=4) ** 2)
""",
    {"X": rand(4, 3), "y": rand(4)},
    {"h.W": rand(3, 4), "h.b": rand(4), "o.W": rand(2, 1), "T": rand(2, 2, 4)},
    lambda P, I: (
        lambda h: (
            jnp.mean(((h @ P["o.W"]).reshape(-1) - I["y"]) ** 2)
            + jnp.sum(maxout(P["T"], 4) ** 2),
            {"h": h},
        )
    )(maxout(I["X"] @ P["h.W"] + P["h.b"], 2)),
)



# Functions that state their derivative (`derivative(g) = ...`) against jax.custom_vjp.
@jax.custom_vjp
def ste(z):
    return jnp.sign(z)


ste.defvjp(lambda z: (jnp.sign(z), None), lambda _, g: (g,))

Xs = rand(3, 3)
case(
    "custom_straight_through",
    """# the straight-through estimator: sign forward, the identity backward
def ste(z) {{
  return sign(z)
  derivative(g) = g
}}
input X[N, 3] = {X}
target y[N] = {y}
param W[3, 4] = {W}
param w[4] = {w}
h = ste(X @ W)
o = tanh(h @ w)
output h, o
loss L = mean((o - y) ** 2)
""",
    {"X": Xs, "y": rand(3, low=-1, high=1)},
    {"W": rand(3, 4), "w": rand(4)},
    lambda P, I: (
        lambda h: (
            jnp.mean((jnp.tanh(h @ P["w"]) - I["y"]) ** 2),
            {"h": h, "o": jnp.tanh(h @ P["w"])},
        )
    )(ste(I["X"] @ P["W"])),
)


@functools.partial(jax.custom_vjp, nondiff_argnums=(1,))
def clip_grad(x, c):
    return x


clip_grad.defvjp(lambda x, c: (x, None), lambda c, _, g: (jnp.clip(g, -c, c),))

case(
    "custom_gradient_clipping",
    """# the identity forward, the incoming gradient clipped to [-c, c] backward
def clip_grad(v, c) {{
  return v
  derivative(g) = c * hard_tanh(g / c), 0
}}
input X[N, 3] = {X}
param W[3, 4] = {W}
param w[4] = {w}
h = clip_grad(tanh(X @ W), 0.3)
output h
loss L = sum((h @ w) ** 2)
""",
    {"X": rand(3, 3)},
    {"W": rand(3, 4), "w": rand(4)},
    lambda P, I: (
        lambda h: (jnp.sum((h @ P["w"]) ** 2), {"h": h})
    )(clip_grad(jnp.tanh(I["X"] @ P["W"]), 0.3)),
)


@jax.custom_vjp
def scaled(v, s):
    return jnp.tanh(v * s)


def scaled_fwd(v, s):
    t = jnp.tanh(v * s)
    return t, (v, s, t)


def scaled_bwd(res, g):
    v, s, t = res
    return 2 * g * s * (1 - t * t), jnp.sum(g * v)


scaled.defvjp(scaled_fwd, scaled_bwd)

case(
    "custom_two_arguments",
    """# one gradient per parameter, in order, reading a value of the body (t): twice the true
# derivative for v, the true one for s
def scaled(v, s) {{
  t = tanh(v * s)
  return t
  derivative(g) = 2 * g * s * (1 - t * t), sum(g * v)
}}
input X[N, 3] = {X}
param W[3, 2] = {W}
param s = {s}
h = scaled(X @ W, s)
output h
loss L = sum(h ** 2) + s * s
""",
    {"X": rand(2, 3)},
    {"W": rand(3, 2), "s": np.round(0.7, 4)},
    lambda P, I: (
        lambda h: (jnp.sum(h**2) + P["s"] * P["s"], {"h": h})
    )(scaled(I["X"] @ P["W"], P["s"])),
)


@jax.custom_vjp
def wavy(x):
    return jnp.sin(x)


wavy.defvjp(lambda x: (jnp.sin(x), (x, jnp.sin(x))), lambda r, g: (g * (r[0] * r[0] + r[1]),))


def wavy_penalised(P, I):
    def inner(w):
        return jnp.sum(wavy(I["x"] * w))

    return inner(P["w"]) + 0.1 * jnp.sum(jax.grad(inner)(P["w"]) ** 2), {}


case(
    "custom_second_order",
    """# a stated derivative reading the argument and the result, differentiated again: the
# result y is differentiated through the forward expression, as JAX does a residual
def wavy(x) {{
  return sin(x)
  derivative(g, y) = g * (x * x + y)
}}
input x[4] = {x}
param w[4] = {w}
L0 = sum(wavy(x * w))
loss L = L0 + 0.1 * sum(grad(L0, w) ** 2)
""",
    {"x": rand(4)},
    {"w": rand(4)},
    wavy_penalised,
)

def expected_values(text, inputs, params, f):
    """The program's text and the values JAX computes for it."""
    values = {k: v for k, v in list(inputs.items()) + list(params.items())}
    program = text.format(**{k.replace(".", "_"): literal(v) for k, v in values.items()})
    I = {k: jnp.asarray(v) for k, v in inputs.items()}
    P = {k: jnp.asarray(v) for k, v in params.items()}
    loss, outputs = f(P, I)
    grads = jax.grad(lambda p: f(p, I)[0])(P)
    expected = {"L": np.ravel(loss).tolist()}
    for k, v in outputs.items():
        expected[k] = np.ravel(v).tolist()
    for k, v in grads.items():
        expected["dL/d" + k] = np.ravel(v).tolist()
    return program, expected


def write(name, program, expected):
    with open(os.path.join(HERE, name + ".ffn"), "w") as out:
        out.write(program)
    with open(os.path.join(HERE, name + ".json"), "w") as out:
        json.dump(expected, out, indent=1, sort_keys=True)
        out.write("\n")


def check(name, program, expected):
    """Whether the committed files are what this script makes (numbers within 1e-12)."""
    with open(os.path.join(HERE, name + ".ffn")) as f:
        same = f.read() == program
    with open(os.path.join(HERE, name + ".json")) as f:
        committed = json.load(f)
    same = same and committed.keys() == expected.keys()
    for key in expected:
        a, b = np.array(committed.get(key, [])), np.array(expected[key])
        same = same and a.shape == b.shape and np.allclose(a, b, rtol=1e-12, atol=1e-12)
    return same


if __name__ == "__main__":
    import sys

    checking = sys.argv[1:] == ["--check"]
    stale = []
    for name, text, inputs, params, f, _ in CASES:
        program, expected = expected_values(text, inputs, params, f)
        if checking:
            if not check(name, program, expected):
                stale.append(name)
        else:
            write(name, program, expected)
            print("wrote", name)
    if stale:
        sys.exit("stale fixtures (rerun generate.py): " + ", ".join(stale))
    if checking:
        print("jax fixtures: %d cases agree" % len(CASES))
