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
sg = jax.lax.stop_gradient
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

# --- issue 14's breadth: Jacobians of rank 3 and 4, stop_gradient in second order, gradients of
# intermediate values, a Hessian over three parameters, column-convention softmax, weight tying,
# a shared residual block, a 40-layer net by repeat ---------------------------------------------


def jacobians(P, I):
    X, W, v = I["X"], P["W"], P["v"]
    Y = lambda W: jnp.tanh(X @ W)  # [2, 2]
    T = lambda v: jnp.tanh(X.reshape(2, 3, 1) * v)  # [2, 3, 4]
    J4r = jax.jacrev(Y)(W)  # [2, 2, 3, 2]
    J4f = jax.jacfwd(T)(v)  # [2, 3, 4, 4]
    J3f = jax.jacfwd(lambda v: jnp.sum(T(v), axis=2))(v)  # [2, 3, 4]
    J3r = jax.jacrev(lambda W: jnp.sum(Y(W), axis=1) ** 2)(W)  # [2, 3, 2]
    loss = jnp.sum(J4r**2) + jnp.sum(J3f * J3f) + jnp.sum(jnp.sin(J4f)) + jnp.sum(J3r)
    return loss, {"J4r": J4r, "J4f": J4f, "J3f": J3f, "J3r": J3r}


case(
    "jacobian_ranks",
    """# Jacobians of rank 3 and 4 results, by reverse and by forward mode, and a loss through them
input X[2, 3] = {X}
param W[3, 2] = {W}
param v[4] = {v}
Y = tanh(X @ W)                          # [2, 2]
T = tanh(reshape(X, [2, 3, 1]) * v)      # [2, 3, 4]
J4r = jacobian(Y, W)                     # [2, 2, 3, 2]: 4 outputs, reverse mode
J4f = jacobian(T, v)                     # [2, 3, 4, 4]: 4 directions, forward mode
J3f = jacobian(sum(T, axis=2), v)        # [2, 3, 4]
J3r = jacobian(sum(Y, axis=1) ** 2, W)   # [2, 3, 2]
output J4r, J4f, J3f, J3r
loss L = sum(J4r ** 2) + sum(J3f * J3f) + sum(sin(J4f)) + sum(J3r)
""",
    {"X": rand(2, 3, low=-1, high=1)},
    {"W": rand(3, 2, low=-1, high=1), "v": rand(4, low=-1, high=1)},
    jacobians,
)


def hessian_stopped(P, I):
    x = I["x"]

    def L0(w):
        h = jnp.tanh(w * x)
        return jnp.sum(h * sg(h) + w * w * sg(w)) + jnp.sum(sg(h) ** 2 * w)

    g = jax.grad(L0)(P["w"])
    return L0(P["w"]) + 0.5 * jnp.sum(g * sg(g)), {"H": jax.hessian(L0)(P["w"])}


case(
    "hessian_stop_gradient",
    """# stop_gradient in second order: the Hessian, and a loss with a gradient in it, see only the
# paths that are not stopped
input x[3] = {x}
param w[3] = {w}
h = tanh(w * x)
L0 = sum(h * stop_gradient(h) + w * w * stop_gradient(w)) + sum(stop_gradient(h) ** 2 * w)
H = hessian(L0, w)
g = grad(L0, w)
output H
loss L = L0 + 0.5 * sum(g * stop_gradient(g))
""",
    {"x": rand(3)},
    {"w": rand(3, low=-1, high=1)},
    hessian_stopped,
)


def intermediate(P, I):
    x, W = I["x"], P["W"]
    h = jnp.tanh(W @ x)
    rest = lambda h: jnp.sum((h * h + jnp.sin(h)) * x)
    return rest(h), {"gh": jax.grad(rest)(h), "gd": jnp.zeros(3), "gl": jnp.float64(1.0)}


case(
    "intermediate_gradients",
    """# gradients of intermediate values: h used three times, d that the loss does not use, and
# the loss with respect to itself (1)
input x[3] = {x}
param W[3, 3] = {W}
h = tanh(W @ x)
u = h * h + sin(h)
d = exp(h)
loss L = sum(u * x)
gh = grad(L, h)
gd = grad(L, d)
gl = grad(L, L)
output gh, gd, gl
""",
    {"x": rand(3)},
    {"W": rand(3, 3, low=-1, high=1)},
    intermediate,
)


def three_parameters(P, I):
    x = I["x"]

    def loss(W, b, s):
        h = jnp.tanh(W @ x + b) * s
        return jnp.sum(h * h * h) + s * jnp.sum(b * b)

    def flat(theta):
        return loss(theta[:6].reshape(2, 3), theta[6:8], theta[8])

    theta = jnp.concatenate([P["W"].ravel(), P["b"], jnp.reshape(P["s"], (1,))])
    return loss(P["W"], P["b"], P["s"]), {"H": jax.hessian(flat)(theta)}


case(
    "hessian_three_parameters",
    """# one Hessian over three parameters, theta = (W row-major, b, s): [9, 9]
input x[3] = {x}
param W[2, 3] = {W}
param b[2] = {b}
param s = {s}
h = tanh(W @ x + b) * s
loss L = sum(h * h * h) + s * sum(b * b)
output H = hessian(L, W, b, s)
""",
    {"x": rand(3)},
    {"W": rand(2, 3, low=-1, high=1), "b": rand(2, low=-1, high=1), "s": rand(low=0.5, high=1.5)},
    three_parameters,
)


def column_mlp(P, I):
    H = jnp.tanh(P["W1"] @ I["X"] + P["b1"])
    Z = P["W2"] @ H
    Pr = jax.nn.softmax(Z, axis=0)
    m = jnp.max(H, axis=0)
    loss = -jnp.mean(jnp.sum(I["Y"] * jnp.log(Pr), axis=0)) + 0.1 * jnp.mean(m)
    return loss, {"P": Pr, "m": m, "S": jax.nn.softmax(H, axis=0)}


case(
    "column_softmax_mlp",
    """# the column convention, two layers: examples as columns, softmax and max over axis 0
input X[3, N] = {X}
target Y[2, N] = {Y}
param W1[4, 3] = {W1}
param b1[4, 1] = {b1}
param W2[2, 4] = {W2}
H = tanh(W1 @ X + b1)
Z = W2 @ H
P = softmax(Z, axis=0)
m = max(H, axis=0)
S = softmax(H, axis=0)
output P, m, S
loss L = -mean(sum(Y * log(P), axis=0)) + 0.1 * mean(m)
""",
    {"X": rand(3, 4), "Y": np.array([[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0]])},
    {"W1": rand(4, 3, low=-1, high=1), "b1": rand(4, 1, low=-1, high=1), "W2": rand(2, 4)},
    column_mlp,
)


def tied(P, I):
    X, W = I["X"], P["W"]
    h = jnp.tanh(X @ W + P["b"])
    r = h @ W.T + P["c"]
    g = jnp.tanh(h @ W.T @ W)
    return jnp.mean((r - X) ** 2) + 0.1 * jnp.sum(g**2), {"r": r}


case(
    "weight_tying",
    """# weight tying: one matrix encodes, decodes transposed (a tied autoencoder) and is used again
input X[N, 4] = {X}
param W[4, 2] = {W}
param b[2] = {b}
param c[4] = {c}
h = tanh(X @ W + b)
r = h @ W.T + c
g = tanh(h @ W.T @ W)
output r
loss L = mean((r - X) ** 2) + 0.1 * sum(g ** 2)
""",
    {"X": rand(3, 4, low=-1, high=1)},
    {"W": rand(4, 2, low=-1, high=1), "b": rand(2, low=-1, high=1), "c": rand(4, low=-1, high=1)},
    tied,
)


def residual_blocks(P, I):
    def block(v, M, c):
        return v + jnp.tanh(v @ M + c)

    b1 = block(I["x"], P["W"], P["b1.c"])
    b2 = block(b1, P["W"], P["b2.c"])
    b3 = block(b2, P["W"].T, P["b3.c"])
    return jnp.mean((b3 - I["y"]) ** 2), {"b3": b3}


case(
    "shared_residual_block",
    """# a residual block function called three times: its weight passed in and shared (the third
# call gets it transposed), its bias made per call and given by override lines
input x[N, 3] = {x}
target y[N, 3] = {y}
param W[3, 3] = {W}
def block(v, M) {{
  param c[3] = 0
  r = tanh(v @ M + c)
  return v + r
}}
b1 = block(x, W)
b2 = block(b1, W)
b3 = block(b2, W.T)
output b3
loss L = mse(b3, y)
param b1.c[3] = {b1_c}
param b2.c[3] = {b2_c}
param b3.c[3] = {b3_c}
""",
    {"x": rand(2, 3, low=-1, high=1), "y": rand(2, 3, low=-1, high=1)},
    {
        "W": rand(3, 3, low=-1, high=1),
        "b1.c": rand(3, low=-0.5, high=0.5),
        "b2.c": rand(3, low=-0.5, high=0.5),
        "b3.c": rand(3, low=-0.5, high=0.5),
    },
    residual_blocks,
)


def deep(P, I):
    h = I["X"]
    for i in range(1, 41):
        h = h + 0.1 * jnp.tanh(h @ P["h.%d.z.W" % i] + P["h.%d.z.b" % i])
    return jnp.mean((h - I["Y"]) ** 2), {"h": h}


case(
    "deep40_repeat",
    """# a 40-layer residual net by repeat; each call's layer gets its values from override lines
input X[N, 4] = {X}
target Y[N, 4] = {Y}
def layer(v, units) {{
  z = dense(v, units, tanh)
  return v + 0.1 * z
}}
h = repeat(40, layer, X, 4)
output h
loss L = mse(h, Y)
"""
    + "".join(
        "param h.%d.z.W[4, 4] = {h_%d_z_W}\nparam h.%d.z.b[4] = {h_%d_z_b}\n" % (i, i, i, i)
        for i in range(1, 41)
    ),
    {"X": rand(3, 4, low=-1, high=1), "Y": rand(3, 4, low=-1, high=1)},
    {
        k: v
        for i in range(1, 41)
        for k, v in (
            ("h.%d.z.W" % i, rand(4, 4, low=-0.8, high=0.8)),
            ("h.%d.z.b" % i, rand(4, low=-0.2, high=0.2)),
        )
    },
    deep,
)


def mixed_hessian(P, I):
    x = I["x"]

    def L0(h, W):
        return jnp.sum(h * h * h) + jnp.sum(W * W * sg(W))

    def flat(theta):
        return L0(theta[:2], theta[2:].reshape(2, 3))

    h = jnp.tanh(P["W"] @ x)
    theta = jnp.concatenate([h, P["W"].ravel()])
    loss = L0(h, P["W"])
    return loss, {"H": jax.hessian(flat)(theta), "g": 2 * loss}


case(
    "hessian_value_and_its_parameter",
    """# a Hessian over a computed value and the parameter it is computed from: each is an
# independent input (h held fixed for W), so the matrix is symmetric; grad of a square by its base
input x[3] = {x}
param W[2, 3] = {W}
h = tanh(W @ x)
L0 = sum(h * h * h) + sum(W * W * stop_gradient(W))
H = hessian(L0, h, W)
g = grad(L0 * L0, L0)
output H, g
loss L = L0
""",
    {"x": rand(3)},
    {"W": rand(2, 3, low=-1, high=1)},
    mixed_hessian,
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
