#!/bin/sh
# Creates a virtual environment with the peers that samples/bench/run.sh compares ffc with
# (NumPy, JAX and PyTensor, the versions the anchors in ../shared/bench/anchors were measured
# with), so that anyone can reproduce the side-by-side figures:
#
#   samples/bench/peers-venv.sh            # creates .build/peers-venv (or $PEERS_VENV)
#   samples/bench/run.sh                   # then finds and uses it
#
# PyTensor's C backend links against a system BLAS (the wheels bring none; without one it runs
# slow non-BLAS code): on Debian or Ubuntu `apt-get install libopenblas-dev`, which this script
# runs when it is root and the library is missing, and otherwise asks for.
set -eu
cd "$(dirname "$0")/../.."
venv=${PEERS_VENV:-.build/peers-venv}
python=${PYTHON:-python3}

if ! ls /usr/lib/*/libopenblas.so /usr/lib/libopenblas.so >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update && apt-get install -y libopenblas-dev
  else
    echo "peers-venv.sh: PyTensor needs OpenBLAS: run 'sudo apt-get install libopenblas-dev'" \
      "(Debian, Ubuntu), then this script again" >&2
    exit 1
  fi
fi

"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet numpy==2.4.6 "jax[cpu]==0.10.2" jaxlib==0.10.2 pytensor==3.0.7
"$venv/bin/python" -c 'import numpy, jax, pytensor
print("peers ready:", "numpy", numpy.__version__, "jax", jax.__version__, "pytensor", pytensor.__version__)'
echo "run.sh uses $venv when it exists (PYTHON=... names another interpreter)"
