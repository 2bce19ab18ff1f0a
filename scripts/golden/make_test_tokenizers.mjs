#!/usr/bin/env node
// Writes the small test tokenizers tests/data/tokenizers/NAME.json. Each one wires together
// pipeline components (normalizers, pre-tokenizers, models, post-processors, decoders, added-token
// flags, truncation and padding settings) that the four real tokenizers under
// ../shared/models/tokenizers do not use, so the parity test holds our tokenizer to Hugging Face
// on all of them.
//
//   node scripts/golden/make_test_tokenizers.mjs     (then: node scripts/golden/make_tokenizer_goldens.mjs)
//
// Vocabularies are learned from tests/data/tokenizer_corpus.jsonl by the small deterministic
// trainers below (BPE merges by pair frequency, Unigram pieces scored by substring frequency,
// WordPiece/WordLevel by word frequency); the output depends only on the corpus and this file.
// Every written file is loaded back with Hugging Face tokenizers (scripts/node) to prove it is valid.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(ROOT, 'scripts', 'node', 'package.json'));
const tk = require('tokenizers');
const OUT_DIR = path.join(ROOT, 'tests', 'data', 'tokenizers');
const MAX_FILE_BYTES = 200 * 1024;

// ---------------------------------------------------------------------------------------------
// Corpus
function readCorpusTexts() {
  const lines = fs.readFileSync(path.join(ROOT, 'tests', 'data', 'tokenizer_corpus.jsonl'), 'utf8')
    .split('\n').filter((l) => l.length > 0);
  const texts = [];
  for (const line of lines) {
    const e = JSON.parse(line);
    if (typeof e.text === 'string') texts.push(e.text);
    if (typeof e.pair === 'string') texts.push(e.pair);
  }
  return texts;
}
const TEXTS = readCorpusTexts();

// Deterministic orderings: by count descending, then by code-unit order of the key.
const byCountThenKey = ([ka, ca], [kb, cb]) => (cb - ca) || (ka < kb ? -1 : ka > kb ? 1 : 0);

function countWords(splitter) {
  const counts = new Map();
  for (const text of TEXTS) {
    for (const w of splitter(text)) {
      if (w.length > 0) counts.set(w, (counts.get(w) || 0) + 1);
    }
  }
  return counts;
}

function countChars(words) {
  const counts = new Map();
  for (const [w, c] of words) for (const ch of w) counts.set(ch, (counts.get(ch) || 0) + c);
  return counts;
}

// Characters kept in a character-level alphabet: frequent ones, and no emoji or astral-plane
// characters, so those go through byte fallback / unknown-token handling in the tests.
function alphabetOf(words, minCount) {
  return [...countChars(words)].filter(([ch, c]) => c >= minCount && ch.codePointAt(0) < 0x2000 ||
    (c >= minCount + 2 && ch.codePointAt(0) >= 0x3000 && ch.codePointAt(0) < 0xa000))
    .sort(byCountThenKey).map(([ch]) => ch);
}

// ---------------------------------------------------------------------------------------------
// Trainers
//
// BPE: `words` maps a word to its count; `symbolsOf(word)` gives its initial symbols (null for a
// symbol outside the alphabet, which blocks merges across it). Repeatedly merges the most frequent
// adjacent pair (ties: smallest "a b"); `join(a, b)` forms the merged token.
function trainBpe(words, symbolsOf, numMerges, join = (a, b) => a + b) {
  const seqs = [...words].map(([w, c]) => [symbolsOf(w), c]);
  const merges = [];
  const tokens = [];
  const seen = new Set();
  for (let m = 0; m < numMerges; m++) {
    const pairs = new Map();
    for (const [s, c] of seqs) {
      for (let i = 0; i + 1 < s.length; i++) {
        if (s[i] === null || s[i + 1] === null) continue;
        const key = s[i] + '\u0000' + s[i + 1];
        pairs.set(key, (pairs.get(key) || 0) + c);
      }
    }
    let best = null;
    let bestCount = 1;  // a pair must occur at least twice
    for (const [key, c] of pairs) {
      if (c > bestCount || (c === bestCount && best !== null && key < best)) {
        best = key;
        bestCount = c;
      }
    }
    if (best === null) break;
    const [a, b] = best.split('\u0000');
    const merged = join(a, b);
    merges.push([a, b]);
    if (!seen.has(merged)) {
      seen.add(merged);
      tokens.push(merged);
    }
    for (const entry of seqs) {
      const s = entry[0];
      const out = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) {
          out.push(merged);
          i++;
        } else {
          out.push(s[i]);
        }
      }
      entry[0] = out;
    }
  }
  return { merges, tokens };
}

// Unigram: pieces are the alphabet plus frequent substrings (2..maxLen characters); the score of a
// piece is the log of its relative frequency.
function trainUnigram(words, alphabet, numPieces, maxLen) {
  const alpha = new Set(alphabet);
  const counts = new Map();
  for (const [w, c] of words) {
    const chars = [...w];
    for (let i = 0; i < chars.length; i++) {
      let piece = '';
      for (let j = i; j < Math.min(chars.length, i + maxLen); j++) {
        if (!alpha.has(chars[j])) break;
        piece += chars[j];
        if (j > i) counts.set(piece, (counts.get(piece) || 0) + c);
      }
    }
  }
  const multi = [...counts].filter(([, c]) => c >= 3)
    .map(([p, c]) => [p, c * [...p].length]).sort(byCountThenKey).slice(0, numPieces).map(([p]) => p);
  const chars = countChars(words);
  const pieces = [...alphabet, ...multi];
  const freq = pieces.map((p) => (p.length === 1 || [...p].length === 1 ? chars.get(p) : counts.get(p)));
  const total = freq.reduce((a, b) => a + b, 0);
  // Rounded so the file stays stable and short; distinct enough to order pieces.
  return pieces.map((p, i) => [p, Math.round(Math.log(freq[i] / total) * 1e4) / 1e4]);
}

// ---------------------------------------------------------------------------------------------
// Shared vocabularies
const BYTE_TOKENS = Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);

// Byte-level BPE (GPT-2 style), learned on GPT-2 pre-tokenized words.
const byteLevelSplit = tk.byteLevelPreTokenizer(true, true);
const byteLevelWords = countWords((t) => byteLevelSplit.preTokenizeString(t.normalize('NFC')).map(([w]) => w));
const BYTE_ALPHABET = tk.byteLevelAlphabet().sort();
const byteLevelBpe = trainBpe(byteLevelWords, (w) => [...w], 700);

// SentencePiece-style BPE with byte fallback (Llama / Mistral): words start at each U+2581.
const spWords = countWords((t) => ('\u2581' + t.replaceAll(' ', '\u2581')).match(/\u2581*[^\u2581]+|\u2581+/gu) || []);
const SP_ALPHABET = ['\u2581', ...alphabetOf(spWords, 3).filter((ch) => ch !== '\u2581')];
const spAlpha = new Set(SP_ALPHABET);
const spBpe = trainBpe(spWords, (w) => [...w].map((ch) => (spAlpha.has(ch) ? ch : null)), 600);

// Unigram on Metaspace words of NFKC text.
const metaspaceSplit = tk.metaspacePreTokenizer('\u2581', 'always', true);
const unigramWords = countWords((t) => metaspaceSplit.preTokenizeString(t.normalize('NFKC').replace(/ {2,}/g, ' ')).map(([w]) => w));
const UNIGRAM_ALPHABET = ['\u2581', ...alphabetOf(unigramWords, 2).filter((ch) => ch !== '\u2581')];
const unigramPieces = trainUnigram(unigramWords, UNIGRAM_ALPHABET, 900, 8);

// Words as the Whitespace pre-tokenizer splits lowercased, accent-stripped text.
const stripAccents = (t) => t.normalize('NFD').replace(/\p{Mn}/gu, '');
const wordSplit = (t) => t.match(/\w+|[^\w\s]+/gu) || [];
const lowerWords = countWords((t) => wordSplit(stripAccents(t).toLowerCase()));

// ---------------------------------------------------------------------------------------------
// JSON building blocks (the serialized forms of Hugging Face tokenizers)
const special = (id, content, extra = {}) => ({
  id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true, ...extra,
});
const added = (id, content, extra = {}) => ({
  id, content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: false, ...extra,
});
const byteLevel = (addPrefixSpace, trimOffsets, useRegex) => ({
  type: 'ByteLevel', add_prefix_space: addPrefixSpace, trim_offsets: trimOffsets, use_regex: useRegex,
});
const split = (pattern, behavior, invert = false) => ({ type: 'Split', pattern, behavior, invert });
const regex = (r) => ({ Regex: r });
const str = (s) => ({ String: s });
const metaspace = (prependScheme, splitWords) => ({
  type: 'Metaspace', replacement: '\u2581', prepend_scheme: prependScheme, split: splitWords,
});
const tSpecial = (id, typeId = 0) => ({ SpecialToken: { id, type_id: typeId } });
const tSeq = (id, typeId = 0) => ({ Sequence: { id, type_id: typeId } });
const template = (single, pair, specials) => ({
  type: 'TemplateProcessing', single, pair,
  special_tokens: Object.fromEntries(specials.map(([t, id]) => [t, { id: t, ids: [id], tokens: [t] }])),
});
const truncation = (maxLength, strategy, direction, stride = 0) => ({
  direction, max_length: maxLength, strategy, stride,
});
const padding = (strategy, direction, padId, padToken, padToMultipleOf = null, padTypeId = 0) => ({
  strategy, direction, pad_to_multiple_of: padToMultipleOf, pad_id: padId, pad_type_id: padTypeId, pad_token: padToken,
});

// Assigns ids in order: `specials` first, then the model's tokens (first occurrence wins).
function vocabFrom(...groups) {
  const vocab = {};
  let next = 0;
  for (const group of groups) {
    for (const t of group) {
      if (!Object.prototype.hasOwnProperty.call(vocab, t)) vocab[t] = next++;
    }
  }
  return vocab;
}

function bpeModel(vocab, merges, options) {
  return {
    type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
    fuse_unk: false, byte_fallback: false, ignore_merges: false, ...options, vocab, merges,
  };
}

function tokenizerJson({ truncation: trunc = null, padding: pad = null, added_tokens: addedTokens = [],
  normalizer = null, pre_tokenizer: pre = null, post_processor: post = null, decoder = null, model }) {
  return {
    version: '1.0', truncation: trunc, padding: pad, added_tokens: addedTokens, normalizer,
    pre_tokenizer: pre, post_processor: post, decoder, model,
  };
}

const QWEN2_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const BYTE_LEVEL_BPE_VOCAB = [...BYTE_ALPHABET, ...byteLevelBpe.tokens];

// ---------------------------------------------------------------------------------------------
// The test tokenizers
const tokenizers = {};

// Llama-2 style: Prepend + Replace normalizer, no pre-tokenizer, BPE with byte fallback and fused
// unknowns, merges written as "a b" strings, decoders Replace/ByteFallback/Fuse/Strip,
// truncation longest-first from the right.
{
  const vocab = vocabFrom(['<unk>', '<s>', '</s>'], BYTE_TOKENS, SP_ALPHABET, spBpe.tokens);
  tokenizers['llama-bytefallback-bpe'] = tokenizerJson({
    truncation: truncation(48, 'LongestFirst', 'Right'),
    added_tokens: [special(0, '<unk>'), special(1, '<s>'), special(2, '</s>')],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '\u2581' }, { type: 'Replace', pattern: str(' '), content: '\u2581' }] },
    post_processor: template([tSpecial('<s>'), tSeq('A')], [tSpecial('<s>'), tSeq('A'), tSpecial('<s>', 1), tSeq('B', 1)], [['<s>', 1]]),
    decoder: { type: 'Sequence', decoders: [
      { type: 'Replace', pattern: str('\u2581'), content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' },
      { type: 'Strip', content: ' ', start: 1, stop: 0 }] },
    model: bpeModel(vocab, spBpe.merges.map(([a, b]) => `${a} ${b}`), { unk_token: '<unk>', fuse_unk: true, byte_fallback: true }),
  });
}

// Mistral style: Metaspace pre-tokenizer (prepend "first", no split), BPE with byte fallback and
// merges as arrays, decoder ByteFallback + Metaspace, added special tokens outside the vocab,
// truncation only-first from the left, batch-longest left padding to a multiple of 8.
{
  const vocab = vocabFrom(['<unk>', '<s>', '</s>'], BYTE_TOKENS, SP_ALPHABET, spBpe.tokens);
  const n = Object.keys(vocab).length;
  tokenizers['mistral-metaspace-bpe'] = tokenizerJson({
    truncation: truncation(40, 'OnlyFirst', 'Left'),
    padding: padding('BatchLongest', 'Left', n + 2, '<pad>', 8),
    added_tokens: [special(0, '<unk>'), special(1, '<s>'), special(2, '</s>'), special(n, '[INST]'),
      special(n + 1, '[/INST]'), special(n + 2, '<pad>')],
    pre_tokenizer: metaspace('first', false),
    post_processor: template([tSpecial('<s>'), tSeq('A'), tSpecial('</s>')],
      [tSpecial('<s>'), tSeq('A'), tSpecial('</s>'), tSeq('B', 1), tSpecial('</s>', 1)], [['<s>', 1], ['</s>', 2]]),
    decoder: { type: 'Sequence', decoders: [{ type: 'ByteFallback' }, metaspace('first', false)] },
    model: bpeModel(vocab, spBpe.merges, { unk_token: '<unk>', fuse_unk: true, byte_fallback: true }),
  });
}

// Unigram with byte fallback: NFKC + regex Replace normalizer, Metaspace (always, split),
// template with type ids on the pair, truncation only-second (singles over the limit are errors).
{
  const vocab = [['<unk>', 0], ['<s>', 0], ['</s>', 0], ...BYTE_TOKENS.map((t) => [t, 0]), ...unigramPieces];
  tokenizers['unigram-bytefallback'] = tokenizerJson({
    truncation: truncation(128, 'OnlySecond', 'Right'),
    added_tokens: [special(0, '<unk>'), special(1, '<s>'), special(2, '</s>')],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Replace', pattern: regex(' {2,}'), content: ' ' }] },
    pre_tokenizer: metaspace('always', true),
    post_processor: template([tSeq('A'), tSpecial('</s>')], [tSeq('A'), tSpecial('</s>'), tSeq('B', 1), tSpecial('</s>', 1)], [['</s>', 2]]),
    decoder: { type: 'Sequence', decoders: [{ type: 'ByteFallback' }, { type: 'Fuse' }, metaspace('always', true)] },
    model: { type: 'Unigram', unk_id: 0, vocab, byte_fallback: true },
  });
}

// Unigram without byte fallback: NFKD, WhitespaceSplit + Metaspace (never, no split), no
// post-processor, non-special added tokens: multi-word normalized, single_word.
{
  const vocab = [['<unk>', 0], ...unigramPieces.map(([p, s]) => [p.normalize('NFKD'), s])]
    .filter(([p], i, all) => all.findIndex(([q]) => q === p) === i);
  const n = vocab.length;
  tokenizers['unigram-metaspace-never'] = tokenizerJson({
    added_tokens: [special(0, '<unk>'), added(n, 'hello world'), added(n + 1, 'token', { single_word: true }),
      added(n + 2, '<think>', { normalized: false }), special(n + 3, '</think>', { normalized: true })],
    normalizer: { type: 'NFKD' },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, metaspace('never', false)] },
    decoder: metaspace('never', false),
    model: { type: 'Unigram', unk_id: 0, vocab, byte_fallback: false },
  });
}

// WordPiece with an "@@" prefix and a short max word: NFD + StripAccents + Lowercase, Whitespace +
// Punctuation (isolated) + individual Digits, BertProcessing, fixed left padding rounded up to a
// multiple, truncation with a stride.
{
  const chars = [...countChars(lowerWords)].filter(([, c]) => c >= 2).sort(byCountThenKey).map(([ch]) => ch);
  const words = [...lowerWords].filter(([w, c]) => c >= 2 && [...w].length > 1).sort(byCountThenKey).slice(0, 700).map(([w]) => w);
  const tails = new Map();
  for (const [w, c] of lowerWords) {
    const cs = [...w];
    for (let i = 1; i < cs.length; i++) {
      for (let j = i + 2; j <= Math.min(cs.length, i + 5); j++) {
        const p = '@@' + cs.slice(i, j).join('');
        tails.set(p, (tails.get(p) || 0) + c);
      }
    }
  }
  const tailPieces = [...tails].filter(([, c]) => c >= 4).sort(byCountThenKey).slice(0, 500).map(([p]) => p);
  const vocab = vocabFrom(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'], chars, chars.map((c) => '@@' + c), words, tailPieces);
  tokenizers['wordpiece-at-prefix'] = tokenizerJson({
    truncation: truncation(24, 'LongestFirst', 'Right', 4),
    padding: padding({ Fixed: 24 }, 'Left', 0, '[PAD]', 16),
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map((t, i) => special(i, t)),
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFD' }, { type: 'StripAccents' }, { type: 'Lowercase' }] },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Whitespace' }, { type: 'Punctuation', behavior: 'Isolated' },
      { type: 'Digits', individual_digits: true }] },
    post_processor: { type: 'BertProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2] },
    decoder: { type: 'WordPiece', prefix: '@@', cleanup: false },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '@@', max_input_chars_per_word: 20, vocab },
  });
}

// WordLevel: NFKC, Lowercase, Strip, string and regex Replace; WhitespaceSplit + contiguous
// Punctuation + grouped Digits; no decoder; batch-longest padding; truncation from the left.
{
  const norm = (t) => t.normalize('NFKC').toLowerCase().trim().replaceAll("''", '"').replace(/\d/gu, '0');
  const words = countWords((t) => norm(t).split(/\s+/u).flatMap((w) => w.match(/\p{P}+|\d+|[^\p{P}\d]+/gu) || []));
  const vocab = vocabFrom(['[PAD]', '[UNK]', '[CLS]', '[SEP]'],
    [...words].filter(([, c]) => c >= 2).sort(byCountThenKey).slice(0, 1500).map(([w]) => w));
  tokenizers['wordlevel-normalizers'] = tokenizerJson({
    truncation: truncation(20, 'LongestFirst', 'Left'),
    padding: padding('BatchLongest', 'Right', 0, '[PAD]'),
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'].map((t, i) => special(i, t)),
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Lowercase' },
      { type: 'Strip', strip_left: true, strip_right: true }, { type: 'Replace', pattern: str("''"), content: '"' },
      { type: 'Replace', pattern: regex('\\d'), content: '0' }] },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Punctuation', behavior: 'Contiguous' },
      { type: 'Digits', individual_digits: false }] },
    post_processor: template([tSpecial('[CLS]'), tSeq('A'), tSpecial('[SEP]')],
      [tSpecial('[CLS]'), tSeq('A'), tSpecial('[SEP]'), tSeq('B', 1), tSpecial('[SEP]', 1)], [['[CLS]', 2], ['[SEP]', 3]]),
    model: { type: 'WordLevel', vocab, unk_token: '[UNK]' },
  });
}

// Split pre-tokenizers over byte-level BPE. Each uses the same byte-level vocabulary.
function byteLevelTokenizer(name, { normalizer = null, pre, post, addedTokens = [], extra = {} }) {
  const vocab = vocabFrom(BYTE_LEVEL_BPE_VOCAB);
  tokenizers[name] = tokenizerJson({
    normalizer, pre_tokenizer: pre, post_processor: post, decoder: byteLevel(true, true, true),
    added_tokens: addedTokens, model: bpeModel(vocab, byteLevelBpe.merges, {}), ...extra,
  });
}

// Split: removed (string pattern) and merged-with-previous; ByteLevel adds a prefix space to every
// piece; post-processor ByteLevel trims offsets.
byteLevelTokenizer('split-removed-previous', {
  normalizer: { type: 'NFC' },
  pre: { type: 'Sequence', pretokenizers: [split(str(' '), 'Removed'), split(regex('[,.;:!?]'), 'MergedWithPrevious'),
    byteLevel(true, true, false)] },
  post: byteLevel(true, true, false),
});

// Split: merged-with-next, isolated and contiguous.
byteLevelTokenizer('split-next-isolated-contiguous', {
  pre: { type: 'Sequence', pretokenizers: [split(regex('\\p{Lu}'), 'MergedWithNext'), split(regex('\\d+'), 'Isolated'),
    split(str('-'), 'Contiguous'), byteLevel(false, true, false)] },
  post: byteLevel(false, false, false),
});

// Split with invert: keep words/punctuation runs (delimiters removed), then vowels split off inverted.
byteLevelTokenizer('split-invert', {
  pre: { type: 'Sequence', pretokenizers: [split(regex('\\w+|[^\\w\\s]+'), 'Removed', true),
    split(regex('[aeiou]'), 'MergedWithPrevious', true), byteLevel(false, true, false)] },
  post: byteLevel(false, true, false),
});

// CharDelimiterSplit, grouped Digits, Punctuation merged with the next piece, then GPT-2's
// ByteLevel with its regex and a prefix space; NFKD + StripAccents normalizer.
byteLevelTokenizer('chardelim-digits-punct', {
  normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKD' }, { type: 'StripAccents' }] },
  pre: { type: 'Sequence', pretokenizers: [{ type: 'CharDelimiterSplit', delimiter: '/' },
    { type: 'Digits', individual_digits: false }, { type: 'Punctuation', behavior: 'MergedWithNext' }, byteLevel(true, true, true)] },
  post: byteLevel(true, false, true),
});

// RoBERTa: ByteLevel with prefix space, RobertaProcessing trimming offsets, <mask> with lstrip,
// truncation from the left, batch-longest padding to a multiple of 4.
{
  const specials = ['<s>', '<pad>', '</s>', '<unk>'];
  const vocab = vocabFrom(specials, BYTE_LEVEL_BPE_VOCAB);
  const n = Object.keys(vocab).length;
  tokenizers['roberta-bytelevel'] = tokenizerJson({
    truncation: truncation(20, 'LongestFirst', 'Left'),
    padding: padding('BatchLongest', 'Right', 1, '<pad>', 4),
    added_tokens: [...specials.map((t, i) => special(i, t)), special(n, '<mask>', { lstrip: true })],
    pre_tokenizer: byteLevel(true, true, true),
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: true, add_prefix_space: true },
    decoder: byteLevel(true, true, true),
    model: bpeModel(vocab, byteLevelBpe.merges, {}),
  });
}

// RoBERTa without offset trimming; NFD; added tokens with rstrip, single_word, normalized
// true/false, special and not.
{
  const specials = ['<s>', '<pad>', '</s>', '<unk>'];
  const vocab = vocabFrom(specials, BYTE_LEVEL_BPE_VOCAB);
  const n = Object.keys(vocab).length;
  tokenizers['roberta-notrim-added'] = tokenizerJson({
    added_tokens: [...specials.map((t, i) => special(i, t)), special(n, '<mask>', { rstrip: true }),
      added(n + 1, 'token', { single_word: true }), added(n + 2, '\u00fc'), added(n + 3, '\u00f1', { normalized: false }),
      added(n + 4, '[INST]', { normalized: false }), special(n + 5, 'Hello World', { normalized: true }),
      added(n + 6, '<think>', { lstrip: true, rstrip: true })],
    normalizer: { type: 'NFD' },
    pre_tokenizer: byteLevel(false, false, true),
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: false, add_prefix_space: false },
    decoder: byteLevel(true, true, true),
    model: bpeModel(vocab, byteLevelBpe.merges, {}),
  });
}

// Llama-3 style post-processing: Sequence[ByteLevel(trim_offsets), TemplateProcessing]; Qwen2's
// Split regex + ByteLevel without regex; NFKC; fixed right padding.
{
  const vocab = vocabFrom(BYTE_LEVEL_BPE_VOCAB);
  const n = Object.keys(vocab).length;
  tokenizers['bytelevel-sequence-post'] = tokenizerJson({
    padding: padding({ Fixed: 12 }, 'Right', n + 1, '<|eot|>', null, 1),
    added_tokens: [special(n, '<|bos|>'), special(n + 1, '<|eot|>')],
    normalizer: { type: 'NFKC' },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [split(regex(QWEN2_PATTERN), 'Isolated'), byteLevel(false, false, false)] },
    post_processor: { type: 'Sequence', processors: [byteLevel(false, true, false),
      template([tSpecial('<|bos|>'), tSeq('A')], [tSpecial('<|bos|>'), tSeq('A'), tSpecial('<|bos|>', 1), tSeq('B', 1)], [['<|bos|>', n]])] },
    decoder: byteLevel(true, true, true),
    model: bpeModel(vocab, byteLevelBpe.merges, {}),
  });
}

// CLIP-like character BPE with an end-of-word suffix and BPEDecoder; NFC + whitespace Replace +
// Lowercase; Whitespace pre-tokenizer; unknown characters become <|unk|> (not fused).
{
  const words = countWords((t) => wordSplit(t.normalize('NFC').replace(/\s+/gu, ' ').toLowerCase()));
  const alphabet = alphabetOf(words, 2);
  const alpha = new Set(alphabet);
  const bpe = trainBpe(words, (w) => {
    const cs = [...w];
    return cs.map((ch, i) => (alpha.has(ch) ? (i === cs.length - 1 ? ch + '</w>' : ch) : null));
  }, 700);
  const vocab = vocabFrom(['<|unk|>', '<|startoftext|>', '<|endoftext|>'], alphabet, alphabet.map((c) => c + '</w>'), bpe.tokens);
  tokenizers['bpe-end-of-word-suffix'] = tokenizerJson({
    added_tokens: [special(0, '<|unk|>'), special(1, '<|startoftext|>'), special(2, '<|endoftext|>')],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: regex('\\s+'), content: ' ' }, { type: 'Lowercase' }] },
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: template([tSpecial('<|startoftext|>'), tSeq('A'), tSpecial('<|endoftext|>')],
      [tSpecial('<|startoftext|>'), tSeq('A'), tSpecial('<|endoftext|>'), tSeq('B', 1), tSpecial('<|endoftext|>', 1)],
      [['<|startoftext|>', 1], ['<|endoftext|>', 2]]),
    decoder: { type: 'BPEDecoder', suffix: '</w>' },
    model: bpeModel(vocab, bpe.merges, { unk_token: '<|unk|>', end_of_word_suffix: '</w>' }),
  });
}

// Character BPE with a "##" continuing-subword prefix and ignore_merges (whole words found in the
// vocab skip merging; some are only reachable that way); Lowercase; WhitespaceSplit + removed
// Punctuation; fused unknowns; WordPiece decoder with cleanup; no post-processor.
{
  const words = countWords((t) => t.toLowerCase().split(/\s+/u).flatMap((w) => w.split(/\p{P}+/u)));
  const alphabet = alphabetOf(words, 2);
  const alpha = new Set(alphabet);
  const bpe = trainBpe(words, (w) => [...w].map((ch, i) => (alpha.has(ch) ? (i === 0 ? ch : '##' + ch) : null)), 500,
    (a, b) => a + b.slice(2));
  const wholeWords = [...words].filter(([w, c]) => c >= 3 && [...w].length >= 4).sort(byCountThenKey).slice(0, 150).map(([w]) => w);
  const vocab = vocabFrom(['[UNK]'], alphabet, alphabet.map((c) => '##' + c), bpe.tokens, wholeWords);
  tokenizers['bpe-subword-prefix-ignore-merges'] = tokenizerJson({
    added_tokens: [special(0, '[UNK]')],
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Punctuation', behavior: 'Removed' }] },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: bpeModel(vocab, bpe.merges, { unk_token: '[UNK]', continuing_subword_prefix: '##', fuse_unk: true, ignore_merges: true }),
  });
}

// ---------------------------------------------------------------------------------------------
// Output: pretty JSON with arrays of scalars (merges, Unigram pieces, templates' ids) on one line.
function serialize(value, indent = '') {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => v === null || typeof v !== 'object')) return JSON.stringify(value);
    return '[\n' + value.map((v) => inner + serialize(v, inner)).join(',\n') + '\n' + indent + ']';
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return '{}';
  return '{\n' + keys.map((k) => inner + JSON.stringify(k) + ': ' + serialize(value[k], inner)).join(',\n') + '\n' + indent + '}';
}

fs.mkdirSync(OUT_DIR, { recursive: true });
const wanted = new Set(Object.keys(tokenizers).map((n) => n + '.json'));
for (const f of fs.readdirSync(OUT_DIR)) {
  if (f.endsWith('.json') && !wanted.has(f)) fs.rmSync(path.join(OUT_DIR, f));
}
for (const [name, json] of Object.entries(tokenizers)) {
  const text = serialize(json) + '\n';
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_FILE_BYTES) throw new Error(`${name}: ${bytes} bytes, over the ${MAX_FILE_BYTES} limit`);
  // Hugging Face must accept it as written.
  const t = tk.Tokenizer.fromString(text);
  const probe = await t.encode('Hello world, 123 中文 😀');
  fs.writeFileSync(path.join(OUT_DIR, name + '.json'), text);
  console.error(`${name}.json: ${bytes} bytes, vocab ${t.getVocabSize(true)}, probe ${JSON.stringify(probe.getTokens())}`);
}
