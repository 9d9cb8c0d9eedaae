"""Expected values of the differentiation transformations (stop_gradient, grad of any value, jvp,
jacobian, hessian), computed by JAX in float64 from a JAX transcription of each program.

    /path/to/venv/bin/python generate.py > cases.json

The tests read cases.json and never need JAX. Each case: an ffn program whose inputs and
parameters all have literal values, and for some of its outputs (by name) the values JAX computes.
"""

import json

import jax
import jax.numpy as jnp

jax.config.update("jax_enable_x64", True)
sg = jax.lax.stop_gradient

W23 = [[0.5, -1.0, 0.25], [1.5, 0.3, -0.7]]
X2 = [0.3, -0.8]
W32 = [[0.4, -0.2], [0.9, 0.1], [-0.5, 0.7]]
X3 = [0.6, -0.1, 0.8]


def lit(value):
    return json.dumps(value).replace(" ", "")


def arr(value):
    return jnp.array(value, dtype=jnp.float64)


CASES = []


def case(name, program, outputs):
    CASES.append(
        {
            "name": name,
            "program": program,
            "outputs": {
                key: {"shape": list(jnp.shape(v)), "values": [float(x) for x in jnp.ravel(v)]}
                for key, v in outputs.items()
            },
        }
    )


# --- stop_gradient -------------------------------------------------------------------------------

def sg_first():
    W, x = arr(W23), arr(X2)

    def loss(W):
        h = jnp.tanh(x @ W)
        return jnp.sum((h - sg(h) * 0.5) ** 2) + jnp.sum(sg(W) * W)

    return {"L": loss(W), "g": jax.grad(loss)(W)}


case(
    "stop_gradient, first order",
    f"""param W[2, 3] = {lit(W23)}
input x[2] = {lit(X2)}
h = tanh(x @ W)
t = stop_gradient(h)
loss L = sum((h - t * 0.5)^2) + sum(stop_gradient(W) * W)
output g = grad(L, W)
""",
    sg_first(),
)


def sg_second():
    w, v = arr([0.3, -0.6, 1.1]), arr([1.0, 2.0, -0.5])

    def loss(w):
        return jnp.sum(jnp.tanh(w) * sg(jnp.tanh(w)) ** 2 + sg(w) * w * w)

    g = jax.grad(loss)
    hv = jax.grad(lambda w: jnp.sum(g(w) * v))(w)
    return {"g": g(w), "hv": hv}


case(
    "stop_gradient, second order",
    """param w[3] = [0.3, -0.6, 1.1]
input v[3] = [1, 2, -0.5]
loss L = sum(tanh(w) * stop_gradient(tanh(w))^2 + stop_gradient(w) * w * w)
output g = grad(L, w)
output hv = grad(sum(g * v), w)
""",
    sg_second(),
)


def sg_straight_through():
    w, x = arr([0.7, -1.2, 0.4]), arr([1.0, 0.5, -2.0])

    def loss(w):
        q = w + sg(jnp.sign(w) - w)  # sign forward, identity backward
        return jnp.sum((q * x - 0.5) ** 2)

    return {"L": loss(w), "g": jax.grad(loss)(w)}


case(
    "stop_gradient, straight-through sign",
    """param w[3] = [0.7, -1.2, 0.4]
input x[3] = [1, 0.5, -2]
q = w + stop_gradient(sign(w) - w)
loss L = sum((q * x - 0.5)^2)
output g = grad(L, w)
""",
    sg_straight_through(),
)


# --- grad of any value ---------------------------------------------------------------------------

def intermediate():
    W, x = arr(W32), arr(X3)
    h = jnp.tanh(x @ W)
    u = h * h + jnp.sin(h)

    def from_h(h):
        u = h * h + jnp.sin(h)
        return jnp.sum(u) + jnp.sum(h)

    def from_u(u):
        return jnp.sum(u) + jnp.sum(h)

    def from_W(W):
        return from_h(jnp.tanh(x @ W))

    L = from_h(h)
    return {
        "gh": jax.grad(from_h)(h),
        "gu": jax.grad(from_u)(u),
        "gL": jax.grad(lambda L: L)(L),
        "gd": jnp.zeros(2),
        "gW": jax.grad(from_W)(W),
    }


case(
    "grad of intermediate values",
    f"""param W[3, 2] = {lit(W32)}
input x[3] = {lit(X3)}
h = tanh(x @ W)
u = h * h + sin(h)
dead = exp(h)
loss L = sum(u) + sum(h)
output gh = grad(L, h)
output gu = grad(L, u)
output gL = grad(L, L)
output gd = grad(L, dead)
output gW = grad(L, W)
""",
    intermediate(),
)


def intermediate_second():
    W, x = arr(W32), arr(X3)
    z = x @ W

    def from_z(z):
        h = jnp.tanh(z)
        return jnp.sum(h * h * z)

    return {"gz": jax.grad(from_z)(z), "hz": jax.hessian(from_z)(z)[0]}


case(
    "grad of an intermediate value, twice",
    f"""param W[3, 2] = {lit(W32)}
input x[3] = {lit(X3)}
z = x @ W
h = tanh(z)
loss L = sum(h * h * z)
output gz = grad(L, z)
g0 = gz[0]
output hz = grad(g0, z)
""",
    intermediate_second(),
)


# --- hessian over several values -----------------------------------------------------------------

def flat_hessian(f, *values):
    """The Hessian of f over the row-major concatenation of values, as [n, n]."""
    shapes = [jnp.shape(v) for v in values]
    sizes = [int(jnp.size(v)) for v in values]

    def unflatten(theta):
        parts, offset = [], 0
        for shape, size in zip(shapes, sizes):
            parts.append(jnp.reshape(theta[offset : offset + size], shape))
            offset += size
        return parts

    theta = jnp.concatenate([jnp.ravel(v) for v in values])
    return jax.hessian(lambda t: f(*unflatten(t)))(theta)


M22 = [[0.5, -0.3], [0.8, 0.1]]
B2 = [0.1, -0.2]
V2 = [0.7, -1.1]


def hessian_two():
    W1, b1, x, w2 = arr(M22), arr(B2), arr([1.0, -0.5]), arr(V2)

    def loss(W1, b1, w2):
        return jnp.sum(jnp.tanh(x @ W1 + b1) * w2) ** 2

    return {
        "H": flat_hessian(lambda W1, b1: loss(W1, b1, w2), W1, b1),
        "H3": flat_hessian(loss, W1, b1, w2),
        "Hb": flat_hessian(lambda b1: loss(W1, b1, w2), b1),
    }


case(
    "hessian over two and three parameters",
    f"""param W1[2, 2] = {lit(M22)}
param b1[2] = {lit(B2)}
param w2[2] = {lit(V2)}
input x[2] = [1, -0.5]
h = tanh(x @ W1 + b1)
loss L = sum(h * w2)^2
output H = hessian(L, W1, b1)
output H3 = hessian(L, W1, b1, w2)
output Hb = hessian(L, b1)
""",
    hessian_two(),
)


def hessian_scalar_and_intermediate():
    s, W = arr(0.7), arr(M22)
    x = arr([0.4, 1.3])

    def loss(s, W):
        z = x @ W
        return jnp.sum(jnp.sin(s * z)) + s**3

    z = x @ W

    def from_z(s, z):
        return jnp.sum(jnp.sin(s * z)) + s**3

    return {"Hs": flat_hessian(loss, s, W), "Hz": flat_hessian(from_z, s, z)}


case(
    "hessian over a scalar, a matrix and an intermediate value",
    f"""param s = 0.7
param W[2, 2] = {lit(M22)}
input x[2] = [0.4, 1.3]
z = x @ W
loss L = sum(sin(s * z)) + s^3
output Hs = hessian(L, s, W)
output Hz = hessian(L, s, z)
""",
    hessian_scalar_and_intermediate(),
)


# --- jvp -----------------------------------------------------------------------------------------

def jvp_mlp():
    W1, b1, W2 = arr(W23), arr([0.1, -0.2, 0.05]), arr(W32)
    X = arr([[0.3, -0.8], [1.0, 0.5]])
    V = arr([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0]])
    u = arr([0.2, -0.4])

    def net(W1):
        h = jnp.tanh(X @ W1 + b1)
        return jax.nn.softmax(h @ W2, axis=-1)

    def loss(W1):
        p = net(W1)
        return jnp.sum(p * jnp.log(p)) + jnp.max(X @ W1)

    _, tp = jax.jvp(net, (W1,), (V,))
    _, tL = jax.jvp(loss, (W1,), (V,))
    _, hv = jax.jvp(jax.grad(loss), (W1,), (V,))
    _, tz = jax.jvp(lambda b1: jnp.tanh(X @ W1 + b1) @ W2, (b1,), (arr([1.0, 2.0, 3.0]),))
    _, tu = jax.jvp(lambda u: jnp.sum(jnp.sin(u) ** 2), (u,), (arr([1.0, -1.0]),))
    return {"tp": tp, "tL": tL, "hv": hv, "tz": tz, "tu": tu}


case(
    "jvp of a network, of its loss and of its gradient",
    f"""param W1[2, 3] = {lit(W23)}
param b1[3] = [0.1, -0.2, 0.05]
param W2[3, 2] = {lit(W32)}
input X[N, 2] = [[0.3, -0.8], [1, 0.5]]
input V[2, 3] = [[1, 0, -1], [0.5, 2, 0]]
input d[3] = [1, 2, 3]
input u[2] = [0.2, -0.4]
input du[2] = [1, -1]
h = tanh(X @ W1 + b1)
z = h @ W2
p = softmax(z, axis=-1)
loss L = sum(p * log(p)) + max(X @ W1)
output tp = jvp(p, W1, V)
output tL = jvp(L, W1, V)
output hv = jvp(grad(L, W1), W1, V)
output tz = jvp(z, b1, d)
s = sum(sin(u)^2)
output tu = jvp(s, u, du)
""",
    jvp_mlp(),
)


def jvp_stop_gradient():
    w, v = arr([0.3, -0.6, 1.1]), arr([1.0, 2.0, -0.5])

    def f(w):
        return jnp.tanh(w) * sg(jnp.tanh(w)) ** 2 + sg(w) * w * w

    _, t = jax.jvp(f, (w,), (v,))
    _, t2 = jax.jvp(lambda w: jax.jvp(f, (w,), (v,))[1], (w,), (v,))
    return {"t": t, "t2": t2}


case(
    "jvp through stop_gradient, first and second order",
    """param w[3] = [0.3, -0.6, 1.1]
input v[3] = [1, 2, -0.5]
y = tanh(w) * stop_gradient(tanh(w))^2 + stop_gradient(w) * w * w
output t = jvp(y, w, v)
output t2 = jvp(t, w, v)
""",
    jvp_stop_gradient(),
)


# --- jacobian ------------------------------------------------------------------------------------

def jacobians():
    W, b, X = arr(W23), arr([0.1, -0.2, 0.05]), arr([[0.3, -0.8], [1.0, 0.5], [-0.2, 0.9]])
    s = arr(0.7)

    def Z(W):
        return jnp.tanh(X @ W + b)  # [3, 3] from [2, 3]: forward mode (6 < 9)

    def small(b):
        return jnp.sum(jnp.tanh(X @ W + b), axis=0)  # [3] from [3]: reverse mode

    def scalar_out(W):
        return jnp.sum(jnp.tanh(X @ W + b) ** 2)

    def scalar_in(s):
        return jnp.sin(s * (X @ W))

    return {
        "J4": jax.jacfwd(Z)(W),
        "Jb": jax.jacrev(small)(b),
        "Js": jax.jacrev(scalar_out)(W),
        "Jx": jax.jacfwd(scalar_in)(s),
        "Jd": jnp.zeros((3, 2, 3)),
    }


case(
    "jacobians: rank 4, square, scalar output, scalar input, independent",
    f"""param W[2, 3] = {lit(W23)}
param b[3] = [0.1, -0.2, 0.05]
param s = 0.7
input X[3, 2] = [[0.3, -0.8], [1, 0.5], [-0.2, 0.9]]
input u[3] = [1, 2, 3]
Z = tanh(X @ W + b)
output J4 = jacobian(Z, W)
z = sum(Z, axis=0)
output Jb = jacobian(z, b)
l = sum(Z^2)
output Js = jacobian(l, W)
q = sin(s * (X @ W))
output Jx = jacobian(q, s)
c = X * 2
output Jd = jacobian(c, u)
""",
    jacobians(),
)


if __name__ == "__main__":
    print(json.dumps({"generator": "generate.py", "cases": CASES}, indent=1))
