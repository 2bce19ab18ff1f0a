// The official `openai` npm client against a running `ragrt serve`, unchanged: chat, streaming
// chat and embeddings. Usage: node openai_client_check.mjs BASE_URL API_KEY. Exits 1 with a
// message on the first mismatch.
import OpenAI from 'openai';

const [baseURL, apiKey] = process.argv.slice(2);
if (!baseURL || !apiKey) {
  console.error('usage: node openai_client_check.mjs BASE_URL API_KEY');
  process.exit(2);
}
const client = new OpenAI({ baseURL: `${baseURL}/v1`, apiKey, maxRetries: 0 });
function check(cond, what) {
  if (!cond) {
    console.error(`openai client check failed: ${what}`);
    process.exit(1);
  }
}
const messages = [{ role: 'user', content: 'How long does standard delivery take?' }];

const models = await client.models.list();
const ids = [];
for await (const m of models) ids.push(m.id);
check(ids.includes('default'), `models.list has default: ${JSON.stringify(ids)}`);

const answer = await client.chat.completions.create({ model: 'default', messages, temperature: 0, max_tokens: 64 });
const text = answer.choices[0].message.content;
check(text.includes('three to five'), `chat answer: ${text}`);
check(answer.usage.total_tokens === answer.usage.prompt_tokens + answer.usage.completion_tokens, 'usage adds up');
check(Array.isArray(answer.citations) && answer.citations.length > 0, 'citations in the answer');

const stream = await client.chat.completions.create({ model: 'default', messages, stream: true });
let streamed = '';
let finish = null;
let traceId = null;
for await (const chunk of stream) {
  if (chunk.choices.length > 0) {
    streamed += chunk.choices[0].delta?.content ?? '';
    finish = chunk.choices[0].finish_reason ?? finish;
  }
  if (chunk.trace_id) traceId = chunk.trace_id;
}
check(streamed === text, `streamed text equals the answer: ${JSON.stringify(streamed)}`);
check(finish === 'stop', `finish_reason: ${finish}`);
check(typeof traceId === 'string' && traceId.length === 32, `trace_id in the stream: ${traceId}`);

const emb = await client.embeddings.create({ model: 'any', input: ['refunds', 'delivery'] });
check(emb.data.length === 2, 'two embeddings');
check(emb.data[0].embedding.length > 0 && emb.data[0].embedding.every(Number.isFinite), 'embedding values decode');
const floats = await client.embeddings.create({ model: 'any', input: 'refunds', encoding_format: 'float' });
const same = floats.data[0].embedding.every((v, i) => Math.abs(v - emb.data[0].embedding[i]) < 1e-6);
check(same, 'base64 and float encodings agree');

try {
  await client.chat.completions.create({ model: 'no-such-pipeline', messages });
  check(false, 'an unknown model is an error');
} catch (e) {
  check(e.status === 404, `unknown model status ${e.status}`);
  check(String(e.message).includes('no-such-pipeline'), `error message: ${e.message}`);
}
console.log(`openai client ok: ${ids.length} models, ${streamed.length} characters streamed, ${emb.data[0].embedding.length}-dim embeddings`);
