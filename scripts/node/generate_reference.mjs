// Reference greedy generations from transformers.js (onnxruntime-node, fp32) for ragrt's
// generation parity test (tests/generate/generation_parity_test.cpp).
//
//   node generate_reference.mjs MODELS_DIR OUT.json [--bench MODEL PROMPT_TOKENS NEW_TOKENS]
//
// MODELS_DIR holds decoder folders (llama-tiny, llama-tiny-merged, real-* links). For each model
// and each prompt (token ids, so the comparison is about decoding, not tokenization) it records
// the ids transformers.js generates greedily. With --bench it instead times one generation of
// MODEL (time to first token, decode tokens/s) and prints one JSON line, for bench/run generate.
import fs from 'node:fs';
import path from 'node:path';

import { AutoModelForCausalLM, Tensor, BaseStreamer } from '@huggingface/transformers';

import { useLocalModels } from './local_models.mjs';

const args = process.argv.slice(2);
const [modelsDir, outPath] = args;
if (!modelsDir) {
  console.error('usage: node generate_reference.mjs MODELS_DIR OUT.json | MODELS_DIR --bench MODEL PROMPT_TOKENS NEW_TOKENS');
  process.exit(2);
}
useLocalModels(modelsDir);

function idsTensor(ids) {
  return new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
}

async function load(name) {
  return AutoModelForCausalLM.from_pretrained(name, { dtype: 'fp32', device: 'cpu' });
}

// Records when each token arrives (transformers.js calls put() once for the prompt, then per token).
class TimingStreamer extends BaseStreamer {
  constructor() { super(); this.times = []; this.first = true; }
  put() { if (this.first) { this.first = false; return; } this.times.push(performance.now()); }
  end() {}
}

if (args[1] === '--bench') {
  const [, , name, promptTokens, newTokens] = args;
  const model = await load(name);
  const prompt = Array.from({ length: Number(promptTokens) }, (_, i) => (i * 7919 + 13) % 150000);
  // Warm-up: the first run pays for session initialization and allocations.
  await model.generate({ inputs: idsTensor(prompt.slice(0, 8)), max_new_tokens: 4, do_sample: false });
  const streamer = new TimingStreamer();
  const start = performance.now();
  const out = await model.generate({
    inputs: idsTensor(prompt), max_new_tokens: Number(newTokens), min_new_tokens: Number(newTokens),
    do_sample: false, streamer,
  });
  const end = performance.now();
  const generated = out.dims[1] - prompt.length;
  const ttft = streamer.times[0] - start;
  const decodeS = (end - streamer.times[0]) / 1000;
  console.log(JSON.stringify({
    peer: 'transformers.js', model: name, prompt_tokens: prompt.length, generated,
    ttft_ms: ttft, decode_tok_per_s: (generated - 1) / decodeS,
  }));
  process.exit(0);
}

const PROMPTS = [
  [9707, 11, 1879, 0],                                     // "Hello, world!"
  [151644, 872, 198, 3838, 374, 279, 470, 4842, 30, 151645, 198, 151644, 77091, 198],  // chat-shaped
  [100165, 104305, 101909, 11319],                         // Chinese
  [42],                                                    // one token
  Array.from({ length: 40 }, (_, i) => (i * 7919 + 13) % 150000),  // a longer prompt
];
const NEW_TOKENS = 24;

const models = fs.readdirSync(modelsDir).filter((d) => fs.existsSync(path.join(modelsDir, d, 'onnx', 'model.onnx'))).sort();
const version = JSON.parse(fs.readFileSync(new URL('./node_modules/@huggingface/transformers/package.json', import.meta.url))).version;
const result = { transformers_js: version, models: {} };
for (const name of models) {
  const model = await load(name);
  const cases = [];
  for (const prompt of PROMPTS) {
    // min_new_tokens keeps EOS out, so every case compares NEW_TOKENS steps.
    const out = await model.generate({
      inputs: idsTensor(prompt), max_new_tokens: NEW_TOKENS, min_new_tokens: NEW_TOKENS, do_sample: false,
    });
    const ids = Array.from(out.data, Number).slice(prompt.length);
    cases.push({ prompt, generated: ids });
  }
  result.models[name] = cases;
  await model.dispose();
}
fs.writeFileSync(outPath, JSON.stringify(result, null, 1) + '\n');
console.error(`generate_reference: wrote ${outPath} (${models.join(', ')})`);
