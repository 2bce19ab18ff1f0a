#!/usr/bin/env bash
# bench/run ocr: OCR speed and accuracy, ours (`ragrt ocr --json`) against @gutenye/ocr-node
# (bench/ocr_peer.mjs: the same PaddleOCR v4 models on onnxruntime-node), in one run, on the same
# 12 pages rendered from known text by bench/ocr_pages.mjs (A4 at 150 DPI; English, Chinese and
# mixed prose, order ids, prices and dates; 20-40 px; five of them made to look scanned).
# Both sides: CPU, their default thread settings, models loaded once and left out of the timing,
# the first page read once as a warm-up before the timed pages. Timed per page, decoding the file
# included on both sides: ours reports each page's seconds in its JSON, the peer script times each
# ocr.detect call.
#   pages_per_s = pages / sum of per-page seconds
#   cer = edit distance over code points / expected code points, whitespace removed from both, the
#         recognized text being the page's lines in output order (one scorer for both sides)
# Prints a per-page table and last:
#   RESULT ours_pages_per_s=… peer_pages_per_s=… ratio=… cer_ours=… cer_peer=…
# (ratio = ours/peer). RAGRT_OCR_MODELS overrides the model folder for both sides.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
WORK="$BUILD/bench_work/ocr"
export RAGRT_OCR_MODELS="${RAGRT_OCR_MODELS:-$ROOT/third_party/npm/ocr-models/assets}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"  # absolute: the result files name the pages, the scorer reopens them

[ -x "$BUILD/ragrt" ] || cmake --build "$BUILD" --target ragrt >/dev/null
if [ ! -d "$ROOT/scripts/node/node_modules/@gutenye/ocr-node" ]; then
  echo "ocr bench: @gutenye/ocr-node is not installed; run scripts/setup.sh" >&2
  exit 1
fi

# Pages: re-rendered only when the page script changed.
stamp="$(sha256sum "$ROOT/bench/ocr_pages.mjs" | awk '{print $1}')"
if [ ! -f "$WORK/pages/.stamp" ] || [ "$(cat "$WORK/pages/.stamp")" != "$stamp" ]; then
  rm -rf "$WORK/pages"
  node "$ROOT/bench/ocr_pages.mjs" render "$WORK/pages" "$RAGRT_OCR_MODELS/ppocr_keys_v1.txt"
  echo "$stamp" > "$WORK/pages/.stamp"
fi
mapfile -t PAGES < <(printf '%s\n' "$WORK"/pages/*.png "$WORK"/pages/*.jpg | sort)
echo "ocr bench: ${#PAGES[@]} pages, $(nproc) cores, models $RAGRT_OCR_MODELS"

# The first page goes first twice: the warm-up, which the scorer drops.
if ! "$BUILD/ragrt" ocr --json "${PAGES[0]}" "${PAGES[@]}" >"$WORK/ours.json" 2>"$WORK/ours.err"; then
  cat "$WORK/ours.err" >&2
  exit 1
fi
node "$ROOT/bench/ocr_peer.mjs" "$RAGRT_OCR_MODELS" "$WORK/peer.json" "${PAGES[0]}" "${PAGES[@]}"
node "$ROOT/bench/ocr_pages.mjs" score "$WORK/ours.json" "$WORK/peer.json"
