#!/usr/bin/env node
// Regenerates the tokenizer parity ground truth with Hugging Face's Rust tokenizers (Node binding
// `tokenizers`, pinned in scripts/node/package.json):
//
//   node scripts/golden/make_tokenizer_goldens.mjs            # corpus + test tokenizers + goldens
//   node scripts/golden/make_tokenizer_goldens.mjs --goldens-only
//
// Steps (each output is committed):
//   1. python3 scripts/golden/make_tokenizer_corpus.py  -> tests/data/tokenizer_corpus.jsonl
//   2. node scripts/golden/make_test_tokenizers.mjs     -> tests/data/tokenizers/*.json
//   3. for every tokenizer, tests/golden/tokenizers/NAME.jsonl:
//        the four real tokenizers in ${RAGRT_SHARED_DIR:-../shared}/models/tokenizers (qwen3-bpe and
//        dialogpt-bpe through the tokenizer.json that scripts/make_tokenizer_json.py writes from
//        their vocab.json + merges.txt), and every tests/data/tokenizers/*.json.
//   4. node scripts/golden/make_truncation_goldens.mjs  -> tests/golden/truncation/*.jsonl
//
// Golden file format (JSON lines, compact):
//   {"kind":"header","tokenizer":NAME,"tokenizers_version":V,"source_fnv1a64":H|null,...counts}
//   {"kind":"single","name":N,"h":H,"with":E,"without":E,"decode_skip":S,"decode_keep":S}
//   {"kind":"pair","name":N,"h":H,"h_pair":H,"with":E,"without":E,"decode_skip":S,"decode_keep":S}
//   {"kind":"batch","name":B,"members":[N...],"encodings":[E...]}        (encode_batch, specials on)
// E is {"ids","tokens","offsets","type_ids","special_tokens_mask","attention_mask"} (pairs add
// "sequence_ids", null -> -1; type ids and the masks are strings of digits, one per token) or {"error": message} when Hugging Face refuses the input (e.g.
// truncation that cannot be satisfied). "with"/"without" are add_special_tokens true/false, both
// under the truncation and padding the tokenizer file configures. Offsets are in Unicode code
// points, as the Node binding reports them. decode_* decode the "with" ids, skipping special
// tokens or keeping them. H is the FNV-1a 64-bit hash (hex) of the UTF-8 text, so a test can tell
// a golden made from an older corpus; source_fnv1a64 hashes the committed test tokenizer file.
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { fnv1a64 } from './fnv1a64.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(ROOT, 'scripts', 'node', 'package.json'));
const tk = require('tokenizers');
const TK_VERSION = require('tokenizers/package.json').version;
const SHARED = process.env.RAGRT_SHARED_DIR || path.join(ROOT, '..', 'shared');
const PYTHON = process.env.RAGRT_PYTHON3 || 'python3';
const GOLDEN_DIR = path.join(ROOT, 'tests', 'golden', 'tokenizers');
const TEST_TOKENIZER_DIR = path.join(ROOT, 'tests', 'data', 'tokenizers');

// Encodings checked with encode_batch, so batch padding (longest / multiple-of) is covered.
const BATCHES = {
  'batch-mixed': ['en-hello', 'zh-sentence', 'empty', 'en-rag', 'emoji-zwj-family', 'special-cls-sep'],
  'batch-long': ['long-paragraph', 'en-fox', 'long-mixed-paragraph'],
  'batch-one': ['en-question'],
  'batch-whitespace': ['ws-space', 'ws-newlines', 'acc-combining', 'special-mask-spaced'],
};

function readCorpus() {
  const file = path.join(ROOT, 'tests', 'data', 'tokenizer_corpus.jsonl');
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
}

// Type ids and masks are single digits; a string of them keeps the goldens a third smaller.
function digits(values) {
  for (const v of values) if (!Number.isInteger(v) || v < 0 || v > 9) throw new Error(`not a digit: ${v}`);
  return values.join('');
}

function encodingJson(e, withSequenceIds) {
  const out = {
    ids: e.getIds(),
    tokens: e.getTokens(),
    offsets: e.getOffsets(),
    type_ids: digits(e.getTypeIds()),
    special_tokens_mask: digits(e.getSpecialTokensMask()),
    attention_mask: digits(e.getAttentionMask()),
  };
  if (withSequenceIds) out.sequence_ids = e.getSequenceIds().map((s) => (s === null || s === undefined ? -1 : s));
  return out;
}

async function tryEncode(fn, withSequenceIds) {
  try {
    return encodingJson(await fn(), withSequenceIds);
  } catch (err) {
    return { error: String(err && err.message ? err.message : err) };
  }
}

async function goldenLines(name, tokenizer, corpus, sourceHash) {
  const lines = [];
  const byName = new Map(corpus.map((e) => [e.name, e]));
  let singles = 0;
  let pairs = 0;
  for (const e of corpus) {
    if (typeof e.text !== 'string') continue;  // invalid UTF-8: checked by the C++ test alone
    const isPair = typeof e.pair === 'string';
    const pair = isPair ? e.pair : null;
    const withSpecial = await tryEncode(() => tokenizer.encode(e.text, pair, { addSpecialTokens: true }), isPair);
    const withoutSpecial = await tryEncode(() => tokenizer.encode(e.text, pair, { addSpecialTokens: false }), isPair);
    const line = { kind: isPair ? 'pair' : 'single', name: e.name, h: fnv1a64(e.text) };
    if (isPair) line.h_pair = fnv1a64(e.pair);
    line.with = withSpecial;
    line.without = withoutSpecial;
    if (!withSpecial.error) {
      line.decode_skip = await tokenizer.decode(withSpecial.ids, true);
      line.decode_keep = await tokenizer.decode(withSpecial.ids, false);
    }
    lines.push(line);
    if (isPair) pairs++; else singles++;
  }
  for (const [batchName, members] of Object.entries(BATCHES)) {
    const texts = members.map((m) => {
      const e = byName.get(m);
      if (!e || typeof e.text !== 'string' || typeof e.pair === 'string') throw new Error(`${batchName}: ${m} is not a single text in the corpus`);
      return e.text;
    });
    let encodings;
    try {
      encodings = (await tokenizer.encodeBatch(texts, { addSpecialTokens: true })).map((x) => encodingJson(x, false));
    } catch (err) {
      encodings = { error: String(err && err.message ? err.message : err) };
    }
    lines.push({ kind: 'batch', name: batchName, members, encodings });
  }
  const header = {
    kind: 'header', tokenizer: name, tokenizers_version: TK_VERSION, source_fnv1a64: sourceHash,
    singles, pairs, batches: Object.keys(BATCHES).length,
  };
  return [header, ...lines];
}

function run(cmd, args) {
  execFileSync(cmd, args, { stdio: 'inherit', cwd: ROOT });
}

async function main() {
  const goldensOnly = process.argv.includes('--goldens-only');
  if (!goldensOnly) {
    run(PYTHON, [path.join(ROOT, 'scripts', 'golden', 'make_tokenizer_corpus.py')]);
    run(process.execPath, [path.join(ROOT, 'scripts', 'golden', 'make_test_tokenizers.mjs')]);
  }
  const corpus = readCorpus();

  const sharedDir = path.join(SHARED, 'models', 'tokenizers');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ragrt-tokenizer-goldens-'));
  const sources = [];  // [name, tokenizer.json path, hash of a committed source or null]
  for (const name of ['minilm-wordpiece', 't5-unigram']) {
    sources.push([name, path.join(sharedDir, name, 'tokenizer.json'), null]);
  }
  for (const name of ['qwen3-bpe', 'dialogpt-bpe']) {
    const out = path.join(tmp, `${name}.json`);
    run(PYTHON, [path.join(ROOT, 'scripts', 'make_tokenizer_json.py'), path.join(sharedDir, name), out]);
    sources.push([name, out, null]);
  }
  for (const f of fs.readdirSync(TEST_TOKENIZER_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const file = path.join(TEST_TOKENIZER_DIR, f);
    sources.push([f.slice(0, -'.json'.length), file, fnv1a64(fs.readFileSync(file, 'utf8'))]);
  }

  fs.mkdirSync(GOLDEN_DIR, { recursive: true });
  const wanted = new Set(sources.map(([n]) => `${n}.jsonl`));
  for (const f of fs.readdirSync(GOLDEN_DIR)) {
    if (f.endsWith('.jsonl') && !wanted.has(f)) fs.rmSync(path.join(GOLDEN_DIR, f));
  }
  let total = 0;
  for (const [name, file, hash] of sources) {
    const tokenizer = tk.Tokenizer.fromFile(file);
    const lines = await goldenLines(name, tokenizer, corpus, hash);
    const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
    fs.writeFileSync(path.join(GOLDEN_DIR, `${name}.jsonl`), text);
    const errors = lines.filter((l) => (l.with && l.with.error) || (l.encodings && l.encodings.error)).length;
    total += Buffer.byteLength(text);
    console.error(`${name}.jsonl: ${lines[0].singles} texts, ${lines[0].pairs} pairs, ${lines[0].batches} batches, ` +
      `${errors} refused, ${Buffer.byteLength(text)} bytes`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  console.error(`total ${total} bytes in ${GOLDEN_DIR}`);
  run(process.execPath, [path.join(ROOT, 'scripts', 'golden', 'make_truncation_goldens.mjs')]);
}

await main();
