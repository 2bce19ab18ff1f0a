#!/usr/bin/env node
// Renders chat templates with @huggingface/jinja (pinned in scripts/node/package.json), exactly as
// transformers.js's tokenizer.apply_chat_template(messages, {tokenize: false, ...}) does, and
// writes what it returns as goldens for ragrt::ChatTemplate:
//
//   node scripts/golden/make_chat_template_goldens.mjs
//
// Templates: Qwen3's, read from ${RAGRT_SHARED_DIR:-../shared}/models/tokenizers/qwen3-bpe/
// tokenizer_config.json (with that file's special tokens), and every tests/data/chat_templates/
// NAME.jinja (with the special tokens of the model it reproduces, listed below).
//
// Output: tests/golden/chat_templates/NAME.jsonl (JSON lines, compact)
//   {"kind":"header","template":NAME,"jinja_version":V,"source":S,"source_fnv1a64":H,"special_tokens":{...},"cases":N}
//   {"kind":"case","name":C,"messages":[...],"tools":[...]|null,"add_generation_prompt":B,"extra":{...},"expected":TEXT}
//   {"kind":"case",...,"error":MESSAGE}          when rendering throws (raise_exception, a type error, ...)
// S is "shared:<path under RAGRT_SHARED_DIR>" or the repository path of the .jinja file; H is the
// FNV-1a 64-bit hash (hex) of the template text, so a test can tell a stale golden. `extra` holds
// the additional template variables (apply_chat_template's extra options); its key "strftime_now"
// instead fixes the clock strftime_now() reads (a local time "YYYY-MM-DDTHH:MM:SS"), as
// ragrt::ChatTemplate::render does. A case that sets no clock gets DEFAULT_CLOCK written into its
// `extra`, so that templates printing today's date (Llama 3.2) render the same golden every day.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { fnv1a64 } from './fnv1a64.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(ROOT, 'scripts', 'node', 'package.json'));
const JINJA_DIR = path.dirname(path.dirname(require.resolve('@huggingface/jinja')));  // .../dist/index.cjs
const { Template } = await import(pathToFileURL(path.join(JINJA_DIR, 'dist', 'index.js')).href);
const JINJA_VERSION = JSON.parse(fs.readFileSync(path.join(JINJA_DIR, 'package.json'), 'utf8')).version;
const SHARED = process.env.RAGRT_SHARED_DIR || path.join(ROOT, '..', 'shared');
const DATA_DIR = path.join(ROOT, 'tests', 'data', 'chat_templates');
const OUT_DIR = path.join(ROOT, 'tests', 'golden', 'chat_templates');

// transformers.js: SPECIAL_TOKEN_ATTRIBUTES and getTokenFromConfig (AddedToken objects give their content).
const SPECIAL_TOKEN_ATTRIBUTES = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'];
function specialTokensOf(config) {
  const out = {};
  for (const key of SPECIAL_TOKEN_ATTRIBUTES) {
    const item = config[key];
    const value = item && typeof item === 'object' ? item.content : item;
    if (value) out[key] = value;
  }
  return out;
}

const LLAMA3_TOKENS = { bos_token: '<|begin_of_text|>', eos_token: '<|eot_id|>' };
function fileTemplate(name, specialTokens, groups) {
  const file = path.join(DATA_DIR, `${name}.jinja`);
  return { name, source: path.relative(ROOT, file), text: fs.readFileSync(file, 'utf8'), specialTokens, groups };
}
function qwen3Template() {
  const rel = path.join('models', 'tokenizers', 'qwen3-bpe', 'tokenizer_config.json');
  const config = JSON.parse(fs.readFileSync(path.join(SHARED, rel), 'utf8'));
  return { name: 'qwen3', source: `shared:${rel}`, text: config.chat_template, specialTokens: specialTokensOf(config),
    groups: ['basic', 'tools', 'qwen3'] };
}

// ---- conversations ----
const SYSTEM = { role: 'system', content: 'You are a helpful customer-service assistant for ACME.' };
const u = (content) => ({ role: 'user', content });
const a = (content) => ({ role: 'assistant', content });
const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather in a city (查询天气).',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string', description: 'City name, e.g. "Paris" or 北京' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer', minimum: 1, maximum: 7, default: 1 },
        ratio: { type: 'number', default: 0.5 },
      },
      required: ['city'],
    },
  },
};
const ORDER_TOOL = {
  type: 'function',
  function: {
    name: 'lookup_order',
    description: 'Find an order by id.\nReturns status and items.',
    parameters: {
      type: 'object',
      properties: { order_id: { type: 'string', pattern: '^A-\\d+$' }, include_items: { type: 'boolean' } },
      required: ['order_id'],
    },
    return: { type: 'object' },
  },
};
const TOOLS = [WEATHER_TOOL, ORDER_TOOL];
const call = (id, name, args) => ({ id, type: 'function', function: { name, arguments: args } });
const TOOL_ROUND = (args) => [
  u('What is the weather in Paris today?'),
  { role: 'assistant', content: '', tool_calls: [call('call12345', 'get_weather', args)] },
  { role: 'tool', tool_call_id: 'call12345', name: 'get_weather', content: '{"temperature": 21.5, "condition": "sunny"}' },
];
const UNICODE = [u('你好，世界！请问退货政策是什么？🚀'), a('您好 😀 我们支持三十天内退货。Ça va? Привет!'), u('谢谢 👍🏽')];
const ESCAPES = [u('He said "hi"\n\tthen left. Path: C:\\temp\\new\\ and {{ not_a_tag }} {% raw %} </s> \u0001 end')];

const CASES = {
  basic: [
    { name: 'single-user', messages: [u('Hello!')], add_generation_prompt: true },
    { name: 'single-user-no-generation-prompt', messages: [u('Hello!')], add_generation_prompt: false },
    { name: 'system-multi-turn', messages: [SYSTEM, u('Where is my order?'), a('Could you give me the order number?'), u('It is A-1029.')], add_generation_prompt: true },
    { name: 'multi-turn-no-generation-prompt', messages: [u('Hi'), a('Hello! How can I help?'), u('Refund policy?'), a('Refunds take 14 days.')], add_generation_prompt: false },
    { name: 'unicode', messages: UNICODE, add_generation_prompt: true },
    { name: 'json-escaping', messages: ESCAPES, add_generation_prompt: true },
    { name: 'whitespace-content', messages: [SYSTEM, u('  \n  padded question  \n\n'), a('\n answer with spaces \t')], add_generation_prompt: true },
    { name: 'empty-content', messages: [u(''), a(''), u('x')], add_generation_prompt: true },
    { name: 'extra-variables', messages: [u('Hi')], add_generation_prompt: true, extra: { enable_thinking: false, custom_flag: [1, 2.5, 'three'] } },
    { name: 'error-null-content', messages: [u(null)], add_generation_prompt: true },
    { name: 'error-missing-content', messages: [{ role: 'user' }], add_generation_prompt: false },
  ],
  tools: [
    { name: 'tools-defined', messages: [SYSTEM, u('Weather in 北京 please.')], tools: TOOLS, add_generation_prompt: true },
    { name: 'tools-no-system', messages: [u('Where is order A-7?')], tools: TOOLS, add_generation_prompt: true },
    { name: 'tool-call-object-arguments', messages: TOOL_ROUND({ city: 'Paris', unit: 'celsius', days: 1 }), tools: TOOLS, add_generation_prompt: true },
    { name: 'tool-call-string-arguments', messages: TOOL_ROUND('{"city": "Paris", "unit": "celsius"}'), tools: TOOLS, add_generation_prompt: true },
    { name: 'tool-call-unicode-arguments', messages: [u('查一下'), { role: 'assistant', content: null, tool_calls: [call('abcdefghi', 'get_weather', { city: '北京 "quoted"\n' })] }, { role: 'tool', tool_call_id: 'abcdefghi', content: '晴天 ☀️' }], tools: TOOLS, add_generation_prompt: true },
    { name: 'tool-call-without-tools', messages: TOOL_ROUND({ city: 'Paris' }), add_generation_prompt: false },
    { name: 'parallel-tool-calls', messages: [u('Weather in Paris and Rome?'), { role: 'assistant', content: '', tool_calls: [call('call00001', 'get_weather', { city: 'Paris' }), call('call00002', 'get_weather', { city: 'Rome' })] }, { role: 'tool', tool_call_id: 'call00001', content: 'sunny' }, { role: 'tool', tool_call_id: 'call00002', content: 'rainy' }], tools: TOOLS, add_generation_prompt: true },
  ],
  qwen3: [
    { name: 'reasoning-content', messages: [u('What is 2+2?'), { role: 'assistant', content: 'It is 4.', reasoning_content: '\nSimple arithmetic.\n' }], add_generation_prompt: false },
    { name: 'reasoning-history', messages: [u('First?'), { role: 'assistant', content: 'One.', reasoning_content: 'old thought' }, u('Second?'), { role: 'assistant', content: 'Two.', reasoning_content: 'new thought' }], add_generation_prompt: false },
    { name: 'inline-think', messages: [u('Hi'), a('<think>\nthinking here\n</think>\n\nHello there!')], add_generation_prompt: false },
    { name: 'enable-thinking-false', messages: [u('Hi')], add_generation_prompt: true, extra: { enable_thinking: false } },
    { name: 'enable-thinking-true', messages: [u('Hi')], add_generation_prompt: true, extra: { enable_thinking: true } },
    { name: 'tool-response-as-user', messages: [u('<tool_response>\nx\n</tool_response>'), a('ok')], add_generation_prompt: true },
    { name: 'multi-step-tools', messages: [...TOOL_ROUND({ city: 'Paris' }), { role: 'assistant', content: '<think>\ndone\n</think>\n\nIt is sunny.' }], tools: TOOLS, add_generation_prompt: true },
  ],
  llama31: [
    { name: 'date-string', messages: [u('What day is it?')], add_generation_prompt: true, extra: { date_string: '01 Jan 2025' } },
    { name: 'tools-in-system-message', messages: [SYSTEM, u('Weather?')], tools: [WEATHER_TOOL], add_generation_prompt: true, extra: { tools_in_user_message: false } },
    { name: 'tool-message-dict-content', messages: [u('Weather?'), { role: 'assistant', tool_calls: [call('c1', 'get_weather', { city: 'Paris' })] }, { role: 'tool', content: { temperature: 21, unit: 'C' } }], tools: [WEATHER_TOOL], add_generation_prompt: true },
    { name: 'ipython-role', messages: [u('Run it'), { role: 'ipython', content: 'result: 42' }], add_generation_prompt: true },
    { name: 'error-tools-without-user-message', messages: [SYSTEM], tools: [WEATHER_TOOL], add_generation_prompt: true },
    { name: 'error-builtin-tools-reject', messages: [u('Search')], add_generation_prompt: true, extra: { builtin_tools: ['brave_search', 'code_interpreter'] } },
  ],
  llama32: [
    { name: 'strftime-now', messages: [u('What day is it?')], add_generation_prompt: true, extra: { strftime_now: '2024-09-03T08:30:00' } },
    { name: 'strftime-now-december', messages: [SYSTEM, u('Date?')], tools: [WEATHER_TOOL], add_generation_prompt: true, extra: { strftime_now: '2025-12-31T23:59:59' } },
    { name: 'date-string-overrides-clock', messages: [u('Date?')], add_generation_prompt: true, extra: { date_string: '26 Jul 2024', strftime_now: '2024-01-15T12:00:00' } },
    { name: 'tools-in-system-message', messages: [u('Weather?')], tools: [WEATHER_TOOL], add_generation_prompt: true, extra: { tools_in_user_message: false, strftime_now: '2024-02-29T00:00:00' } },
  ],
  mistral: [
    { name: 'error-roles-not-alternating', messages: [u('one'), u('two')], add_generation_prompt: true },
    { name: 'error-assistant-first', messages: [a('hi'), u('hello')], add_generation_prompt: true },
    { name: 'error-bad-tool-call-id', messages: TOOL_ROUND({ city: 'Paris' }).map((m) => (m.tool_calls ? { ...m, tool_calls: [call('short', 'get_weather', { city: 'Paris' })] } : m)), tools: TOOLS, add_generation_prompt: true },
    { name: 'error-unknown-role', messages: [u('hi'), { role: 'critic', content: 'meh' }], add_generation_prompt: true },
    { name: 'system-last-user-with-tools', messages: [SYSTEM, u('first'), a('reply'), u('second')], tools: [ORDER_TOOL], add_generation_prompt: true },
  ],
  phi3: [
    { name: 'system-only', messages: [SYSTEM], add_generation_prompt: false },
    { name: 'unknown-role-skipped', messages: [u('hi'), { role: 'tool', content: 'ignored' }, a('ok')], add_generation_prompt: false },
  ],
  smollm2: [
    { name: 'own-system-message', messages: [SYSTEM, u('hi')], add_generation_prompt: true },
    { name: 'tool-role-passthrough', messages: [u('hi'), { role: 'tool', content: 'raw tool text' }], add_generation_prompt: false },
  ],
};

const TEMPLATES = [
  qwen3Template(),
  fileTemplate('llama-3', LLAMA3_TOKENS, ['basic']),
  fileTemplate('llama-3.1', LLAMA3_TOKENS, ['basic', 'tools', 'llama31']),
  fileTemplate('llama-3.2', LLAMA3_TOKENS, ['basic', 'tools', 'llama32']),
  fileTemplate('mistral-v0.3', { bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>' }, ['basic', 'tools', 'mistral']),
  fileTemplate('phi-3', { bos_token: '<s>', eos_token: '<|endoftext|>', unk_token: '<unk>', pad_token: '<|endoftext|>' }, ['basic', 'phi3']),
  fileTemplate('smollm2', { bos_token: '<|im_start|>', eos_token: '<|im_end|>', unk_token: '<|endoftext|>', pad_token: '<|im_end|>' }, ['basic', 'smollm2']),
];

const DEFAULT_CLOCK = '2026-11-25T12:00:00';

// Runs fn with `new Date()` returning the given local time (what strftime_now reads).
function withClock(localTime, fn) {
  if (localTime === undefined) return fn();
  const RealDate = globalThis.Date;
  const fixed = new RealDate(localTime).getTime();
  globalThis.Date = class extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(fixed);
      else super(...args);
    }
    static now() {
      return fixed;
    }
  };
  try {
    return fn();
  } finally {
    globalThis.Date = RealDate;
  }
}

// tokenizer.apply_chat_template(messages, {tools, add_generation_prompt, tokenize: false, ...extra})
function applyChatTemplate(template, specialTokens, c) {
  const { strftime_now: clock, ...kwargs } = c.extra ?? {};
  return withClock(clock, () =>
    template.render({
      messages: c.messages,
      add_generation_prompt: c.add_generation_prompt,
      tools: c.tools ?? null,
      documents: null,
      ...specialTokens,
      ...kwargs,
    }),
  );
}

fs.mkdirSync(OUT_DIR, { recursive: true });
for (const t of TEMPLATES) {
  const template = new Template(t.text);
  const cases = t.groups.flatMap((g) => CASES[g]);
  const lines = [];
  for (const c of cases) {
    const extra = { strftime_now: DEFAULT_CLOCK, ...(c.extra ?? {}) };
    const line = { kind: 'case', name: c.name, messages: c.messages, tools: c.tools ?? null,
      add_generation_prompt: c.add_generation_prompt, extra };
    try {
      line.expected = applyChatTemplate(template, t.specialTokens, { ...c, extra });
    } catch (e) {
      line.error = e.message;
    }
    lines.push(JSON.stringify(line));
  }
  const header = { kind: 'header', template: t.name, jinja_version: JINJA_VERSION, source: t.source,
    source_fnv1a64: fnv1a64(t.text), special_tokens: t.specialTokens, cases: cases.length };
  fs.writeFileSync(path.join(OUT_DIR, `${t.name}.jsonl`), [JSON.stringify(header), ...lines].join('\n') + '\n');
  const errors = lines.filter((l) => JSON.parse(l).error !== undefined).length;
  console.log(`${t.name}: ${cases.length} cases (${errors} errors)`);
}
