// transformers.js peer for bench/embed.sh: the same model folder and texts, fp32 on
// onnxruntime-node (CPU), the way transformers.js users embed a corpus: batches in input order,
// each padded to its longest text, mean pooling + L2 normalization (what the feature-extraction
// pipeline does), truncated to the same token limit as ragrt.
//   node embed_peer.mjs MODELS_DIR MODEL_NAME TEXTS_FILE MAX_LENGTH [BATCH_SIZE] [DUMP_FIRST DUMP_FILE]
// Prints one line: peer_texts_per_s=... texts=... seconds=...
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(ROOT, 'scripts', 'node', 'node_modules', '@huggingface', 'transformers', 'dist', 'transformers.node.mjs');
const { env, AutoTokenizer, AutoModel, mean_pooling } = await import(pathToFileURL(entry).href);

const [modelsDir, name, textsFile, maxLenArg, batchArg = '32', dumpFirst = '0', dumpFile = ''] = process.argv.slice(2);
if (!modelsDir || !name || !textsFile || !maxLenArg) {
  console.error('usage: node bench/embed_peer.mjs MODELS_DIR MODEL_NAME TEXTS_FILE MAX_LENGTH [BATCH_SIZE] [DUMP_FIRST DUMP_FILE]');
  process.exit(2);
}
env.allowRemoteModels = false;
env.localModelPath = path.resolve(modelsDir) + '/';
env.useFSCache = false;

const texts = fs.readFileSync(textsFile, 'utf8').split('\n');
if (texts.at(-1) === '') texts.pop();
const maxLength = Number(maxLenArg);
const batchSize = Number(batchArg);

const tokenizer = await AutoTokenizer.from_pretrained(name, { local_files_only: true });
const model = await AutoModel.from_pretrained(name, { dtype: 'fp32', device: 'cpu', local_files_only: true });

async function embed(batch) {
  const inputs = tokenizer(batch, { padding: true, truncation: true, max_length: maxLength });
  const out = await model(inputs);
  return mean_pooling(out.last_hidden_state, inputs.attention_mask).normalize(2, -1);
}

await embed(texts.slice(0, 64));  // warm-up, as for ours
const start = process.hrtime.bigint();
const vectors = [];
for (let i = 0; i < texts.length; i += batchSize) {
  const e = await embed(texts.slice(i, i + batchSize));
  if (vectors.length < Number(dumpFirst)) vectors.push(...e.tolist());
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
if (Number(dumpFirst) > 0 && dumpFile) {
  fs.writeFileSync(dumpFile, JSON.stringify(vectors.slice(0, Number(dumpFirst))) + '\n');
}
console.log(`peer_texts_per_s=${(texts.length / seconds).toFixed(1)} texts=${texts.length} seconds=${seconds.toFixed(3)} batch_size=${batchSize}`);
