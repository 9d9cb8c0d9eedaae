# Sourced by the bench scripts from the repository's root: sets $ffc to the binary in $FFC (one
# already built; no build) or, without it, builds ffc in release and uses that.
if [ -n "${FFC:-}" ]; then
  ffc="$FFC"
else
  swift build -c release --product ffc >&2
  ffc="$(swift build -c release --show-bin-path)/ffc"
fi
