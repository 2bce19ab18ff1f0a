// The official `openai` npm client using ragrt as a model server with its own tools: a pipeline
// of type llm in front of a model, the client's function definitions in, tool_calls out, the
// client's tool results back in, streamed and not. The model is a stub OpenAI-compatible server
// started here (no model that calls tools reliably runs on this machine); everything between the
// client and it is the real `ragrt serve`.
// Usage: node openai_client_tools_check.mjs RAGRT_BINARY WORK_DIR. Exits 1 on the first mismatch.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { ToolMessage } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import OpenAI from 'openai';

const [ragrt, dir] = process.argv.slice(2);
function check(cond, what) {
  if (!cond) {
    console.error(`openai client tools check failed: ${what}`);
    process.exit(1);
  }
}

// The stub model: a tool call when the last message is the user's, an answer after a tool result.
const seen = [];
const model = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const sent = JSON.parse(body);
    seen.push(sent);
    const last = sent.messages[sent.messages.length - 1];
    const message = last.role === 'tool'
      ? { role: 'assistant', content: `The weather: ${last.content}` }
      : { role: 'assistant', content: null,
          tool_calls: [{ id: `call_${seen.length}`, type: 'function',
                         function: { name: sent.tools[0].function.name, arguments: '{"city": "Paris"}' } }] };
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ id: 'x', object: 'chat.completion', model: 'stub',
      choices: [{ index: 0, message, finish_reason: message.tool_calls ? 'tool_calls' : 'stop' }],
      usage: { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 } }));
  });
});
await new Promise((r) => model.listen(0, '127.0.0.1', r));

writeFileSync(`${dir}/llm.yaml`, `collection: llm-index
retrievers: {bm25: {type: bm25}}
generator: {type: openai, base_url: "http://127.0.0.1:${model.address().port}/v1", api_key_env: "", stream: false}
pipelines: {chat: {type: llm}}
`);
const serve = spawn(ragrt, ['serve', '--config', `${dir}/llm.yaml`, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  let out = '';
  serve.stdout.on('data', (d) => {
    out += d;
    const m = out.match(/listening on (http:\/\/\S+)/);
    if (m) resolve(m[1]);
  });
  serve.on('exit', (code) => reject(new Error(`ragrt serve exited with ${code}`)));
});

try {
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'none', maxRetries: 0 });
  const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather of a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
  const messages = [{ role: 'user', content: 'What is the weather in Paris?' }];
  const first = await client.chat.completions.create({ model: 'chat', messages, tools });
  const choice = first.choices[0];
  check(choice.finish_reason === 'tool_calls', `finish_reason: ${choice.finish_reason}`);
  const call = choice.message.tool_calls?.[0];
  check(call?.function.name === 'get_weather', `tool call: ${JSON.stringify(choice.message)}`);
  check(JSON.parse(call.function.arguments).city === 'Paris', `arguments: ${call.function.arguments}`);
  check(seen[0].tools[0].function.name === 'get_weather', 'the model was shown the client tool');

  messages.push(choice.message, { role: 'tool', tool_call_id: call.id, content: '{"sky": "sunny"}' });
  const second = await client.chat.completions.create({ model: 'chat', messages, tools });
  check(second.choices[0].message.content === 'The weather: {"sky": "sunny"}', `answer: ${second.choices[0].message.content}`);
  check(second.usage.prompt_tokens === 20, `usage: ${JSON.stringify(second.usage)}`);

  // Streamed, as the SDK assembles tool calls from deltas.
  const stream = await client.chat.completions.create({ model: 'chat', messages: messages.slice(0, 1), tools, stream: true });
  let name = '', args = '', finish = null;
  for await (const chunk of stream) {
    const c = chunk.choices[0];
    if (!c) continue;
    for (const t of c.delta?.tool_calls ?? []) {
      name += t.function?.name ?? '';
      args += t.function?.arguments ?? '';
    }
    finish = c.finish_reason ?? finish;
  }
  check(name === 'get_weather' && JSON.parse(args).city === 'Paris', `streamed call: ${name} ${args}`);
  check(finish === 'tool_calls', `streamed finish_reason: ${finish}`);
  console.log('openai client: client tools round trip (plain and streamed) through an llm pipeline ok');

  // LangChain's bind_tools, as agent frameworks use a model server.
  const lc = new ChatOpenAI({ model: 'chat', apiKey: 'none', configuration: { baseURL: `${url}/v1` }, maxRetries: 0 })
    .bindTools(tools);
  const asked = await lc.invoke('What is the weather in Paris?');
  check(asked.tool_calls?.[0]?.name === 'get_weather' && asked.tool_calls[0].args.city === 'Paris',
        `langchain tool_calls: ${JSON.stringify(asked.tool_calls)}`);
  const told = await lc.invoke(['What is the weather in Paris?', asked,
                                new ToolMessage({ tool_call_id: asked.tool_calls[0].id, content: '{"sky": "sunny"}' })]);
  check(told.content === 'The weather: {"sky": "sunny"}', `langchain answer: ${JSON.stringify(told.content)}`);
  console.log('langchain: bind_tools round trip through an llm pipeline ok');
} finally {
  serve.kill('SIGTERM');
  model.close();
}
