# Sourced by the bench scripts from the repository's root: sets $ffc to the binary in $FFC (one
# already built; no build) or, without it, builds ffc in release and uses that; $ffc_bench to
# ffc-bench beside it (built too when ffc is), or to nothing when there is none.
if [ -n "${FFC:-}" ]; then
  ffc="$FFC"
  ffc_bench="${FFC_BENCH:-$(dirname "$FFC")/ffc-bench}"
else
  swift build -c release --product ffc >&2
  swift build -c release --product ffc-bench >&2
  ffc="$(swift build -c release --show-bin-path)/ffc"
  ffc_bench="$(swift build -c release --show-bin-path)/ffc-bench"
fi
[ -x "$ffc_bench" ] || ffc_bench=""
