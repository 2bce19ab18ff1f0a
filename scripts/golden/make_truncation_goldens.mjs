#!/usr/bin/env node
// Sweeps truncation and padding settings through Hugging Face's Rust tokenizers (Node binding
// `tokenizers`, pinned in scripts/node/package.json) and writes what it returns as goldens:
//
//   node scripts/golden/make_truncation_goldens.mjs     (make_tokenizer_goldens.mjs runs it too)
//
// For a few tokenizers that add 0, 1 or 2 special tokens per sequence, every combination of
// max_length (including lengths at or below the number of special tokens), strategy, direction
// and stride is applied to single texts and pairs of very different lengths, with and without
// special tokens; then padding (fixed length, multiple-of, left/right, shorter than the input)
// alone and on top of truncation, for single encodes and encode_batch.
//
// Output: tests/golden/truncation/NAME.jsonl (JSON lines, compact)
//   {"kind":"header","tokenizer":NAME,"tokenizers_version":V,"inputs":{ID:[text, pair|null]},"cases":N}
//   {"kind":"encode","truncation":T|null,"padding":P|null,"input":ID,"add_special":B,"encoding":E}
//   {"kind":"batch","truncation":T|null,"padding":P|null,"inputs":[ID...],"encodings":[E...]|{"error":M}}
// T is {"max_length","strategy":"longest_first|only_first|only_second","direction":"left|right","stride"};
// P is {"length":N|null,"multiple_of":N|null,"direction","pad_id","pad_type_id","pad_token"}.
// E is as in the tokenizer goldens (ids, tokens, offsets in code points, type_ids, masks and, for
// pairs, sequence_ids) or {"error": message} when Hugging Face refuses. Some settings make the
// Node binding panic and abort the process (a stride too large for the room truncation leaves);
// each case therefore runs in a worker process, and a case whose worker died is recorded as
// {"error": "HF panics: ..."}: ragrt must refuse it with an error instead.
import { createRequire } from 'node:module';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '..', '..');
const require = createRequire(path.join(ROOT, 'scripts', 'node', 'package.json'));
const tk = require('tokenizers');
const TK_VERSION = require('tokenizers/package.json').version;
const SHARED = process.env.RAGRT_SHARED_DIR || path.join(ROOT, '..', 'shared');
const PYTHON = process.env.RAGRT_PYTHON3 || 'python3';
const OUT_DIR = path.join(ROOT, 'tests', 'golden', 'truncation');

// Texts of very different token counts, English and Chinese, so every strategy has to choose.
const TEXTS = {
  'en-long': 'Refunds are issued within 14 days after we receive the returned item, minus shipping.',
  'en-short': 'Where is my order?',
  'zh': '退货政策：收到商品后三十天内可以申请退款，运费由买家承担。',
  'mixed': 'Order #A-1029 发货了吗？',
  'empty': '',
};
const INPUTS = {
  'en-long': ['en-long', null],
  'zh': ['zh', null],
  'en-short': ['en-short', null],
  'empty': ['empty', null],
  'short+long': ['en-short', 'en-long'],
  'long+short': ['en-long', 'en-short'],
  'zh+en-long': ['zh', 'en-long'],
  'long+long': ['en-long', 'en-long'],
  'empty+short': ['empty', 'en-short'],
  'mixed+zh': ['mixed', 'zh'],
};
const SINGLES = Object.keys(INPUTS).filter((k) => INPUTS[k][1] === null);

const MAX_LENGTHS = [0, 1, 2, 3, 4, 5, 7, 10, 16, 64];
const STRATEGIES = ['longest_first', 'only_first', 'only_second'];
const DIRECTIONS = ['right', 'left'];
const STRIDES = [0, 2];
const STRIDE_MAX_LENGTHS = [2, 3, 4, 5, 7];
const NODE_STRATEGY = { longest_first: 'LongestFirst', only_first: 'OnlyFirst', only_second: 'OnlySecond' };

function paddings() {
  const p = (length, multipleOf, direction) => ({
    length, multiple_of: multipleOf, direction, pad_id: 1, pad_type_id: 2, pad_token: '<pad-x>',
  });
  return [p(16, null, 'right'), p(16, null, 'left'), p(5, null, 'right'), p(10, 8, 'right'),
    p(null, 8, 'right'), p(null, null, 'left'), p(null, 4, 'left')];
}
const PADDING_TRUNCATIONS = [null,
  { max_length: 10, strategy: 'longest_first', direction: 'right', stride: 0 },
  { max_length: 7, strategy: 'only_second', direction: 'left', stride: 0 }];

// Tokenizers adding 2/3 (BERT), 2/4 (RoBERTa), 1/2 (T5, Llama) and 0 (Qwen3) special tokens.
function sources(tmp) {
  const shared = path.join(SHARED, 'models', 'tokenizers');
  const testDir = path.join(ROOT, 'tests', 'data', 'tokenizers');
  const qwen = path.join(tmp, 'qwen3-bpe.json');
  execFileSync(PYTHON, [path.join(ROOT, 'scripts', 'make_tokenizer_json.py'), path.join(shared, 'qwen3-bpe'), qwen],
    { stdio: 'inherit' });
  return [
    ['minilm-wordpiece', path.join(shared, 'minilm-wordpiece', 'tokenizer.json')],
    ['t5-unigram', path.join(shared, 't5-unigram', 'tokenizer.json')],
    ['qwen3-bpe', qwen],
    ['roberta-bytelevel', path.join(testDir, 'roberta-bytelevel.json')],
    ['llama-bytefallback-bpe', path.join(testDir, 'llama-bytefallback-bpe.json')],
  ];
}

function cases() {
  const out = [];
  const truncations = [null];
  for (const max_length of MAX_LENGTHS) for (const strategy of STRATEGIES) for (const direction of DIRECTIONS) {
    for (const stride of STRIDES) {
      // A stride only changes the overflowing parts (not part of an Encoding here) and, near the
      // special-token count, whether the settings are accepted at all.
      if (stride === 0 || STRIDE_MAX_LENGTHS.includes(max_length)) truncations.push({ max_length, strategy, direction, stride });
    }
  }
  for (const truncation of truncations) {
    for (const input of Object.keys(INPUTS)) {
      for (const add_special of [true, false]) out.push({ kind: 'encode', truncation, padding: null, input, add_special });
    }
  }
  for (const padding of paddings()) for (const truncation of PADDING_TRUNCATIONS) {
    for (const input of Object.keys(INPUTS)) out.push({ kind: 'encode', truncation, padding, input, add_special: true });
    // The Node binding's encodeBatch takes no pairs; pairs are padded through single encodes.
    out.push({ kind: 'batch', truncation, padding, inputs: SINGLES });
  }
  return out;
}

// ---- worker: runs cases in order, one result line per case on stdout ----

function digits(values) {
  for (const v of values) if (!Number.isInteger(v) || v < 0 || v > 9) throw new Error(`not a digit: ${v}`);
  return values.join('');
}

// Tokens only where padding inserts the configured pad token; elsewhere the ids determine them.
function encodingJson(e, isPair, withTokens) {
  const out = { ids: e.getIds() };
  if (withTokens) out.tokens = e.getTokens();
  Object.assign(out, {
    offsets: e.getOffsets(), type_ids: digits(e.getTypeIds()),
    special_tokens_mask: digits(e.getSpecialTokensMask()), attention_mask: digits(e.getAttentionMask()),
  });
  if (isPair) out.sequence_ids = e.getSequenceIds().map((s) => (s === null || s === undefined ? -1 : s));
  return out;
}

function errorJson(err) {
  return { error: String(err && err.message ? err.message : err) };
}

function configure(tokenizer, c) {
  if (c.truncation) {
    const t = c.truncation;
    tokenizer.setTruncation(t.max_length, { strategy: NODE_STRATEGY[t.strategy], direction: t.direction, stride: t.stride });
  } else {
    tokenizer.disableTruncation();
  }
  if (c.padding) {
    const p = c.padding;
    const options = { direction: p.direction, padId: p.pad_id, padTypeId: p.pad_type_id, padToken: p.pad_token };
    if (p.length !== null) options.maxLength = p.length;
    if (p.multiple_of !== null) options.padToMultipleOf = p.multiple_of;
    tokenizer.setPadding(options);
  } else {
    tokenizer.disablePadding();
  }
}

function configKey(c) {
  return JSON.stringify([c.truncation, c.padding]);
}

function failed(c, error) {
  return c.kind === 'batch' ? { encodings: error } : { encoding: error };
}

async function runCase(tokenizer, c, i) {
  try {
    configure(tokenizer, c);
  } catch (err) {
    return failed(c, errorJson(err));
  }
  fs.writeSync(1, JSON.stringify({ configured: i }) + '\n');
  if (c.kind === 'encode') {
    const [a, b] = INPUTS[c.input];
    try {
      const e = await tokenizer.encode(TEXTS[a], b === null ? null : TEXTS[b], { addSpecialTokens: c.add_special });
      return { encoding: encodingJson(e, b !== null, c.padding !== null) };
    } catch (err) {
      return { encoding: errorJson(err) };
    }
  }
  const isPair = INPUTS[c.inputs[0]][1] !== null;
  const batch = c.inputs.map((id) => (isPair ? [TEXTS[INPUTS[id][0]], TEXTS[INPUTS[id][1]]] : TEXTS[INPUTS[id][0]]));
  try {
    const encodings = await tokenizer.encodeBatch(batch, { addSpecialTokens: true });
    return { encodings: encodings.map((e) => encodingJson(e, isPair, c.padding !== null)) };
  } catch (err) {
    return { encodings: errorJson(err) };
  }
}

// Settings the binding panics on while applying them: every case using them is skipped.
async function worker(file, first, badConfigs) {
  const tokenizer = tk.Tokenizer.fromFile(file);
  const all = cases();
  const bad = new Set(JSON.parse(badConfigs));
  for (let i = first; i < all.length; i++) {
    if (bad.has(configKey(all[i]))) {
      fs.writeSync(1, JSON.stringify({ i, skipped: true }) + '\n');
      continue;
    }
    const result = await runCase(tokenizer, all[i], i);
    fs.writeSync(1, JSON.stringify({ i, ...result }) + '\n');
  }
}

// ---- parent: restarts the worker after each panic ----

function panicMessage(stderr) {
  const lines = stderr.split('\n');
  const at = lines.findIndex((l) => l.includes('panicked at'));
  const message = at >= 0 ? lines.slice(at + 1).find((l) => l.trim().length > 0) : null;
  return `HF panics: ${(message || stderr.trim().split('\n')[0] || 'worker died').trim()}`;
}

function runAll(file) {
  const all = cases();
  const results = new Array(all.length);
  const badConfigs = new Set();
  let next = 0;
  let panics = 0;
  while (next < all.length) {
    const r = spawnSync(process.execPath, [SELF, '--worker', file, String(next), JSON.stringify([...badConfigs])],
      { encoding: 'utf8', maxBuffer: 1 << 30 });
    let configured = -1;
    for (const line of r.stdout.split('\n')) {
      if (!line) continue;
      const msg = JSON.parse(line);
      if ('configured' in msg) {
        configured = msg.configured;
        continue;
      }
      const { i, skipped, ...result } = msg;
      if (!skipped) results[i] = result;
      next = i + 1;
    }
    if (r.status === 0) break;
    if (next >= all.length) throw new Error(`worker failed after the last case: ${r.stderr}`);
    const error = { error: panicMessage(r.stderr) };
    panics++;
    if (configured === next) {  // died encoding: only this case
      results[next] = failed(all[next], error);
      next++;
      continue;
    }
    const key = configKey(all[next]);  // died applying the settings: every case using them
    badConfigs.add(key);
    all.forEach((c, i) => {
      if (configKey(c) === key) results[i] = failed(c, error);
    });
  }
  return { all, results, panics };
}

async function main() {
  const w = process.argv.indexOf('--worker');
  if (w >= 0) {
    await worker(process.argv[w + 1], Number(process.argv[w + 2]), process.argv[w + 3]);
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ragrt-truncation-goldens-'));
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const inputs = Object.fromEntries(Object.entries(INPUTS).map(([id, [a, b]]) => [id, [TEXTS[a], b === null ? null : TEXTS[b]]]));
  for (const [name, file] of sources(tmp)) {
    const { all, results, panics } = runAll(file);
    const lines = [{ kind: 'header', tokenizer: name, tokenizers_version: TK_VERSION, inputs, cases: all.length }];
    let refused = 0;
    all.forEach((c, i) => {
      const line = { ...c, ...results[i] };
      if ((line.encoding && line.encoding.error) || (line.encodings && line.encodings.error)) refused++;
      lines.push(line);
    });
    const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
    fs.writeFileSync(path.join(OUT_DIR, `${name}.jsonl`), text);
    console.error(`truncation/${name}.jsonl: ${all.length} cases, ${refused} refused (${panics} panics), ${Buffer.byteLength(text)} bytes`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}

await main();
