#!/usr/bin/env node
// The Hugging Face side of bench/run tokenize: Rust `tokenizers` through its Node binding.
//
//   TOKENIZERS_PARALLELISM=false RAYON_NUM_THREADS=1 \
//     node bench/tokenize_peer.mjs TEXTS.jsonl NAME=tokenizer.json [...] [--min-seconds S]
//
// Single-threaded: each pass is one encodeBatch call over all texts (add_special_tokens=true) with
// Rust-side parallelism off (TOKENIZERS_PARALLELISM=false, RAYON_NUM_THREADS=1), so the Rust
// encoder runs the texts one after another on one thread and the per-call Node/N-API overhead is
// paid once per pass rather than once per text. One warm-up pass, then whole passes until at
// least S seconds (default 2). Prints, like tokenize_bench:
//   peer NAME texts=N passes=P seconds=T texts_per_s=R cpu_texts_per_s=C tokens_per_pass=K
// (C over the process's CPU time, all threads: the encoding runs on a libuv worker thread).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(ROOT, 'scripts', 'node', 'package.json'));

if (process.env.TOKENIZERS_PARALLELISM !== 'false' || process.env.RAYON_NUM_THREADS !== '1') {
  console.error('tokenize_peer.mjs: set TOKENIZERS_PARALLELISM=false and RAYON_NUM_THREADS=1 (single-threaded comparison)');
  process.exit(2);
}
const { Tokenizer } = require('tokenizers');

const args = process.argv.slice(2);
if (args.length < 2) {
  console.error('usage: tokenize_peer.mjs TEXTS.jsonl NAME=tokenizer.json [...] [--min-seconds S]');
  process.exit(2);
}
const texts = fs.readFileSync(args[0], 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
let minSeconds = 2;
const tokenizers = [];
for (let i = 1; i < args.length; i++) {
  if (args[i] === '--min-seconds') {
    minSeconds = Number(args[++i]);
    continue;
  }
  const eq = args[i].indexOf('=');
  if (eq < 0) throw new Error(`expected NAME=PATH, got ${args[i]}`);
  tokenizers.push([args[i].slice(0, eq), args[i].slice(eq + 1)]);
}

// Counting tokens means one N-API call per encoding, so only the warm-up pass counts them.
async function encodeAll(tok, countTokens) {
  const encodings = await tok.encodeBatch(texts, { addSpecialTokens: true });
  if (encodings.length !== texts.length) throw new Error(`encodeBatch returned ${encodings.length} encodings`);
  let tokens = 0;
  if (countTokens) for (const e of encodings) tokens += e.getLength();
  return tokens;
}

for (const [name, file] of tokenizers) {
  const tok = Tokenizer.fromFile(file);
  const tokens = await encodeAll(tok, true);  // warm-up
  let passes = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  let seconds = 0;
  do {
    await encodeAll(tok, false);
    passes++;
    seconds = Number(process.hrtime.bigint() - start) / 1e9;
  } while (seconds < minSeconds);
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const done = texts.length * passes;
  console.log(`peer ${name} texts=${texts.length} passes=${passes} seconds=${seconds.toFixed(3)} ` +
    `texts_per_s=${(done / seconds).toFixed(1)} cpu_texts_per_s=${(done / cpuSeconds).toFixed(1)} tokens_per_pass=${tokens}`);
}
