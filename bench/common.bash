# Sourced by every bench/NAME.sh (a .bash file, so bench/run does not offer it as a bench): where
# the repository, the build and ../shared are, and bench_binary NAME, which prints the path of
# bench/NAME after building it when it is missing (bench/run builds everything first; this covers
# running a script directly).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${RAGRT_BUILD_DIR:-$ROOT/build}"
SHARED="${RAGRT_SHARED_DIR:-$ROOT/../shared}"

bench_binary() {
  local bin="$BUILD/bench/$1"
  if [ ! -x "$bin" ]; then
    cmake --build "$BUILD" --target "$1" >/dev/null
  fi
  echo "$bin"
}
