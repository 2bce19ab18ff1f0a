// Reference embeddings and cross-encoder logits from transformers.js (onnxruntime-node, fp32) for
// ragrt's parity tests (tests/models/parity_test.cpp).
//
//   node embed_reference.mjs MODELS_DIR OUT.json
//
// MODELS_DIR holds the folders scripts/make_test_models.py writes (bert-mean, bert-cls,
// cross-encoder). For every text / pair two references are written:
//   embeddings / logits: the text tokenized by Hugging Face's Rust tokenizer (the `tokenizers`
//     package, truncation to the model's limit as Python transformers / sentence-transformers
//     apply it), then run alone (no padding) through transformers.js' model, pooled with
//     transformers.js' mean_pooling / first token and normalized with Tensor.normalize.
//   pipeline_embeddings / pipeline_logits: transformers.js end to end (its own tokenizer, one padded
//     batch through the feature-extraction pipeline or the sequence-classification model). Only for
//     inputs that need no truncation and that transformers.js tokenizes exactly as Hugging Face does:
//     it truncates by cutting the token list (dropping the final [SEP]) and ignores tokenizer.json's
//     limit, and it drops an empty text_pair, so it does not match Python there. Inputs left out are
//     null, and listed in pipeline_skipped with the reason.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

import {
  pipeline,
  AutoModel,
  AutoModelForSequenceClassification,
  AutoTokenizer,
  Tensor,
  mean_pooling,
} from '@huggingface/transformers';

import { useLocalModels } from './local_models.mjs';

const require = createRequire(import.meta.url);
const { Tokenizer: HfTokenizer } = require('tokenizers');

const [modelsDir, outPath] = process.argv.slice(2);
if (!modelsDir || !outPath) {
  console.error('usage: node embed_reference.mjs MODELS_DIR OUT.json   (MODELS_DIR: bert-mean, bert-cls, cross-encoder and any real-* model folders)');
  process.exit(2);
}

useLocalModels(modelsDir);

const LONG_EN =
  'Retrieval-augmented generation combines a search step with a language model. ' +
  'The retriever finds passages that are relevant to the question, and the generator reads them ' +
  'before it writes an answer, which keeps the answer grounded in documents that can be cited. ' +
  'Embedding models map every passage to a vector; similar meanings land close together, so a ' +
  'nearest-neighbour search over the vectors finds candidates quickly. A cross-encoder then reads ' +
  'the question and each candidate together and scores how well they match, which is slower but ' +
  'more precise, so it only reranks the short list. All of this runs on ONNX Runtime here, on CPU ' +
  'or GPU, with the same tokenization as the Python libraries the models were trained with.';
const LONG_ZH =
  '检索增强生成把搜索和语言模型结合在一起。检索器先找到和问题相关的段落，生成器读完这些段落之后再写答案，' +
  '这样答案就有文档可以引用。嵌入模型把每个段落变成一个向量，意思相近的段落在向量空间里也靠得很近，' +
  '所以在向量上做最近邻搜索就能很快找到候选。交叉编码器再把问题和每个候选放在一起读，给出匹配的分数，' +
  '这一步更慢但更准确，所以只用来给很短的候选列表重新排序。';

export const TEXTS = [
  'Hello world!',
  'The quick brown fox jumps over the lazy dog.',
  '',
  '机器学习是人工智能的一个分支。',
  'Ünïcödé àccents: naïve café, déjà vu, Straße',
  'RAG: retrieval-augmented generation, with ONNX Runtime 1.29 (C++20).',
  '   leading and trailing spaces   ',
  'emoji 🚀🔥 and symbols ∑∫√ ≠ ≤',
  'A medium-length paragraph that runs to roughly ninety word pieces, so that it fits in one ' +
    'model and is cut in another: embeddings, rerankers, tokenizers, vector indexes, hybrid search, ' +
    'chunking strategies, query rewriting, caching, batching and evaluation datasets all matter for ' +
    'retrieval quality, and each of them has knobs that interact with the others in ways that are ' +
    'hard to predict without measuring.',
  LONG_EN,
  LONG_ZH,
  LONG_EN + ' ' + LONG_ZH,
];

export const PAIRS = [
  ['what is machine learning?', 'Machine learning is a field of study in artificial intelligence.'],
  ['what is machine learning?', 'The Eiffel Tower is in Paris.'],
  ['机器学习是什么？', '机器学习是人工智能的一个分支。'],
  ['a query with an empty passage', ''],
  ['', 'a passage with an empty query'],
  ['how does retrieval-augmented generation work?', LONG_EN],
  [LONG_ZH, LONG_EN],
];

function readJson(file) {
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null;
}

// Same rule as ragrt::ModelFolder::max_sequence_length (see include/ragrt/model_folder.h).
function maxLength(folder) {
  const candidates = [];
  const tj = readJson(path.join(folder, 'tokenizer.json'));
  if (tj?.truncation?.max_length) candidates.push(tj.truncation.max_length);
  const tc = readJson(path.join(folder, 'tokenizer_config.json'));
  if (tc?.model_max_length && tc.model_max_length <= 1e9) candidates.push(tc.model_max_length);
  const sb = readJson(path.join(folder, 'sentence_bert_config.json'));
  if (sb?.max_seq_length) candidates.push(sb.max_seq_length);
  const cfg = readJson(path.join(folder, 'config.json'));
  if (cfg?.max_position_embeddings) candidates.push(cfg.max_position_embeddings);
  return Math.min(...candidates);
}

function poolingOf(folder) {
  const modules = readJson(path.join(folder, 'modules.json')) ?? [];
  const normalize = modules.some((m) => m.type.endsWith('Normalize'));
  const pool = readJson(path.join(folder, '1_Pooling', 'config.json')) ?? {};
  const pooling = pool.pooling_mode_cls_token ? 'cls' : 'mean';
  return { pooling, normalize };
}

async function hfEncode(folder, maxLen, a, b = null) {
  const tok = HfTokenizer.fromFile(path.join(folder, 'tokenizer.json'));
  tok.setTruncation(maxLen);
  tok.disablePadding();
  const enc = await tok.encode(a, b);
  return { ids: enc.getIds(), types: enc.getTypeIds() };
}

function int64(values) {
  return new Tensor('int64', BigInt64Array.from(values.map((v) => BigInt(v))), [1, values.length]);
}

function rows(tensor) {
  return tensor.tolist().map((r) => r.map(Number));
}

async function embedderReference(name) {
  const folder = path.resolve(modelsDir, name);
  const maxLen = maxLength(folder);
  const { pooling, normalize } = poolingOf(folder);
  const model = await AutoModel.from_pretrained(name, { dtype: 'fp32', local_files_only: true });
  const embeddings = [];
  const tokenCounts = [];
  const tokenIds = [];
  for (const text of TEXTS) {
    const { ids, types } = await hfEncode(folder, maxLen, text);
    tokenCounts.push(ids.length);
    tokenIds.push(ids);
    const mask = ids.map(() => 1);
    const out = await model({ input_ids: int64(ids), attention_mask: int64(mask), token_type_ids: int64(types) });
    let v = pooling === 'mean' ? mean_pooling(out.last_hidden_state, int64(mask)) : out.last_hidden_state.slice(null, 0);
    if (normalize) v = v.normalize(2, -1);
    embeddings.push(rows(v)[0]);
  }
  // transformers.js end to end, for the inputs it tokenizes as Hugging Face does.
  const extractor = await pipeline('feature-extraction', name, { dtype: 'fp32', local_files_only: true });
  const skipped = {};
  const fits = await Promise.all(
    TEXTS.map(async (t, i) => {
      if (tokenCounts[i] >= maxLen) return !(skipped[i] = 'truncated');
      const own = extractor.tokenizer(t).input_ids.tolist()[0].map(Number);
      const { ids } = await hfEncode(folder, maxLen, t);
      return JSON.stringify(own) === JSON.stringify(ids) || !(skipped[i] = 'transformers.js tokenizes differently');
    }),
  );
  const fitting = TEXTS.filter((_, i) => fits[i]);
  const piped = rows(await extractor(fitting, { pooling, normalize }));
  let k = 0;
  const pipelineEmbeddings = TEXTS.map((_, i) => (fits[i] ? piped[k++] : null));
  return {
    dir: folder,
    pooling,
    normalize,
    max_length: maxLen,
    token_counts: tokenCounts,
    token_ids: tokenIds,
    embeddings,
    pipeline_embeddings: pipelineEmbeddings,
    pipeline_skipped: skipped,
  };
}

async function rerankerReference(name) {
  const folder = path.resolve(modelsDir, name);
  const maxLen = maxLength(folder);
  const model = await AutoModelForSequenceClassification.from_pretrained(name, { dtype: 'fp32', local_files_only: true });
  const logits = [];
  const tokenCounts = [];
  const tokenIds = [];
  const typeIds = [];
  for (const [q, p] of PAIRS) {
    const { ids, types } = await hfEncode(folder, maxLen, q, p);
    tokenCounts.push(ids.length);
    tokenIds.push(ids);
    typeIds.push(types);
    const out = await model({ input_ids: int64(ids), attention_mask: int64(ids.map(() => 1)), token_type_ids: int64(types) });
    logits.push(rows(out.logits)[0][0]);
  }
  const tokenizer = await AutoTokenizer.from_pretrained(name, { local_files_only: true });
  const skipped = {};
  const fits = await Promise.all(
    PAIRS.map(async ([q, p], i) => {
      if (tokenCounts[i] >= maxLen) return !(skipped[i] = 'truncated');
      const own = tokenizer(q, { text_pair: p }).input_ids.tolist()[0].map(Number);
      const { ids } = await hfEncode(folder, maxLen, q, p);
      return JSON.stringify(own) === JSON.stringify(ids) || !(skipped[i] = 'transformers.js tokenizes differently');
    }),
  );
  const fitting = PAIRS.filter((_, i) => fits[i]);
  const inputs = tokenizer(fitting.map((x) => x[0]), { text_pair: fitting.map((x) => x[1]), padding: true, truncation: true });
  const batched = rows((await model(inputs)).logits).map((r) => r[0]);
  let k = 0;
  const pipelineLogits = PAIRS.map((_, i) => (fits[i] ? batched[k++] : null));
  return {
    dir: folder,
    max_length: maxLen,
    token_counts: tokenCounts,
    token_ids: tokenIds,
    type_ids: typeIds,
    logits,
    pipeline_logits: pipelineLogits,
    pipeline_skipped: skipped,
  };
}

const here = path.dirname(new URL(import.meta.url).pathname);
const pkg = (name) => JSON.parse(fs.readFileSync(path.join(here, 'node_modules', name, 'package.json'), 'utf8')).version;
const result = {
  generator: `@huggingface/transformers ${pkg('@huggingface/transformers')}, onnxruntime-node ${pkg('onnxruntime-node')}, tokenizers ${pkg('tokenizers')}`,
  texts: TEXTS,
  pairs: PAIRS,
  embedders: {},
  rerankers: {},
};
// The synthetic models by name, then every real model folder the fixture linked in as real-*:
// a config.json naming a *ForSequenceClassification architecture makes a cross-encoder, anything
// else with an encoder graph an embedder (decoder-only folders are left to their own tests).
for (const name of ['bert-mean', 'bert-cls']) result.embedders[name] = await embedderReference(name);
result.rerankers['cross-encoder'] = await rerankerReference('cross-encoder');
for (const name of fs.readdirSync(modelsDir).filter((n) => n.startsWith('real-')).sort()) {
  const archs = readJson(path.join(modelsDir, name, 'config.json'))?.architectures ?? [];
  if (archs.some((a) => /ForCausalLM|ForConditionalGeneration/.test(a))) continue;
  if (archs.some((a) => a.endsWith('ForSequenceClassification'))) result.rerankers[name] = await rerankerReference(name);
  else result.embedders[name] = await embedderReference(name);
}
fs.mkdirSync(path.dirname(path.resolve(outPath)), { recursive: true });
fs.writeFileSync(outPath, JSON.stringify(result, null, 1) + '\n');
console.log(`embed_reference: wrote ${outPath} (${result.generator})`);
