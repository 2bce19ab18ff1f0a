// @langchain/openai's ChatOpenAI and OpenAIEmbeddings against a running `ragrt serve`, unchanged,
// with the request fields LangChain sends by default. Usage: node langchain_check.mjs BASE_URL
// API_KEY. Exits 1 with a message on the first mismatch.
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';

const [baseURL, apiKey] = process.argv.slice(2);
function check(cond, what) {
  if (!cond) {
    console.error(`langchain check failed: ${what}`);
    process.exit(1);
  }
}
const configuration = { baseURL: `${baseURL}/v1` };
const chat = new ChatOpenAI({ model: 'default', apiKey, configuration, maxRetries: 0, temperature: 0 });
const answer = await chat.invoke('How long does standard delivery take?');
check(String(answer.content).includes('three to five'), `invoke: ${JSON.stringify(answer.content)}`);
check(answer.usage_metadata?.total_tokens > 0, `usage_metadata: ${JSON.stringify(answer.usage_metadata)}`);

let streamed = '';
for await (const chunk of await chat.stream('How long does standard delivery take?')) streamed += chunk.content;
check(streamed === answer.content, `stream: ${JSON.stringify(streamed)}`);

const embeddings = new OpenAIEmbeddings({ model: 'any', apiKey, configuration, maxRetries: 0 });
const vector = await embeddings.embedQuery('refunds');
check(vector.length > 0 && vector.every(Number.isFinite), 'embedQuery');
const vectors = await embeddings.embedDocuments(['refunds', 'delivery']);
check(vectors.length === 2, 'embedDocuments');
console.log('langchain ok: invoke, stream, embeddings');
