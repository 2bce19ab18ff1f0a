// The peer of bench/ocr.sh: @gutenye/ocr-node (PaddleOCR v4 on onnxruntime-node, CPU, its default
// session options), pointed at the same model files as ours, used the way its README shows:
// Ocr.create once, then ocr.detect(path) per image.
//
//   node bench/ocr_peer.mjs MODEL_DIR OUT.json IMAGE...
//
// Each detect call is timed (file decoding included, as in ours; model loading excluded). The first
// image is the warm-up: pass it twice to have it scored (bench/ocr_pages.mjs score drops the first
// file). OUT.json has the shape of `ragrt ocr --json`, text being the lines joined by "\n" in the
// order detect returns them (it groups boxes into rows and sorts rows top to bottom itself).
// Prints one line: peer pages=N seconds=T pages_per_s=R (the warm-up left out).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(ROOT, 'scripts', 'node', 'node_modules', '@gutenye', 'ocr-node', 'build', 'index.js');
const { default: Ocr } = await import(pathToFileURL(entry).href);

const [modelDir, outFile, ...images] = process.argv.slice(2);
if (!modelDir || !outFile || images.length < 2) {
  console.error('usage: node bench/ocr_peer.mjs MODEL_DIR OUT.json WARMUP_IMAGE IMAGE...');
  process.exit(2);
}
const ocr = await Ocr.create({
  models: {
    detectionPath: path.join(modelDir, 'ch_PP-OCRv4_det_infer.onnx'),
    recognitionPath: path.join(modelDir, 'ch_PP-OCRv4_rec_infer.onnx'),
    dictionaryPath: path.join(modelDir, 'ppocr_keys_v1.txt'),
  },
});

const files = [];
for (const file of images) {
  const start = process.hrtime.bigint();
  const lines = await ocr.detect(file);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  files.push({
    file,
    pages: [{
      page: 1, seconds, text: lines.map((l) => l.text).join('\n'),
      lines: lines.map((l) => ({ text: l.text, confidence: l.mean, box: l.box })),
    }],
  });
}
fs.writeFileSync(outFile, JSON.stringify({ files }) + '\n');
const timed = files.slice(1).reduce((s, f) => s + f.pages[0].seconds, 0);
console.log(`peer pages=${files.length - 1} seconds=${timed.toFixed(3)} pages_per_s=${((files.length - 1) / timed).toFixed(2)}`);
