#!/usr/bin/env bash
# Renders the golden report cases, shows how they differ from tests/unit/golden/, and, once you have read
# the diff, replaces the goldens with them.
#   tools/approve-golden.sh            build, render, show the diff, ask before copying
#   tools/approve-golden.sh --yes      same, copy without asking (after you read the diff in an earlier run)
# The build folder is build/native (override with BUILD_DIR). Nothing is copied when there is no difference.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${BUILD_DIR:-build/native}"
golden="tests/unit/golden"

cmake --build "$build" -j2 --target unit_tests >/dev/null
actual="$(mktemp -d)"
trap 'rm -rf "$actual"' EXIT
# The golden test fails while goldens differ; its output is what we want.
VRAM_GOLDEN_ACTUAL_DIR="$actual" "$build/unit_tests" "[golden]" >/dev/null 2>&1 || true

if [ -z "$(ls -A "$actual")" ]; then
  echo "no golden output was rendered (did the [golden] test run?)" >&2
  exit 1
fi
if diff -ru "$golden" "$actual" --exclude='*.sh' > "$actual.diff" 2>&1; then
  echo "goldens are up to date"
  rm -f "$actual.diff"
  exit 0
fi
cat "$actual.diff"
rm -f "$actual.diff"
if [ "${1:-}" != "--yes" ]; then
  read -r -p "Replace the goldens in $golden with these outputs? [y/N] " answer
  [ "$answer" = "y" ] || { echo "goldens unchanged"; exit 1; }
fi
cp "$actual"/* "$golden"/
echo "goldens updated in $golden; re-run ctest"
