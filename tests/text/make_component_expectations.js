// Writes tests/text/component_expectations.json: small hand-made cases for every tokenizer
// component, with the answers of Hugging Face tokenizers itself (the Node binding of the Rust
// crate) as the expected values. tokenizer_components_test.cpp replays them against ours.
//   node tests/text/make_component_expectations.js [path/to/node_modules/tokenizers]
const path = require('path');
const fs = require('fs');
const T = require(process.argv[2] || path.join(__dirname, '../../scripts/node/node_modules/tokenizers'));

const base = (over) => Object.assign({
  version: '1.0', truncation: null, padding: null, added_tokens: [], normalizer: null,
  pre_tokenizer: null, post_processor: null, decoder: null,
  model: {type: 'WordLevel', vocab: {'[UNK]': 0}, unk_token: '[UNK]'},
}, over);

const wordpiece = {
  type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 12,
  vocab: {'[UNK]': 0, '[CLS]': 1, '[SEP]': 2, '[PAD]': 3, 'hello': 4, 'world': 5, '##s': 6, ',': 7, '!': 8,
    'a': 9, '##b': 10, '<s>': 11, '</s>': 12, 'token': 13, 'un': 14, '##aff': 15, '##able': 16, 'Ġhello': 17,
    'Ġworld': 18, 'é': 19, '##é': 20, '[MASK]': 21},
};

const texts = [
  'Héllo  Wörld\t!',
  '  ÀÉÎ ñ ﬁ ① Ｆｕｌｌ  ',
  'e\u0301 a\u0328\u0301 \u1100\u1161\u11a8 한 ḉ',
  'İSTANBUL ΣΑΣ ǅ',
  'a\u0007b\u00adc\r\nd\u200be\ufeff',
  '日本語テキスト 中文 한국어',
  '👍🏽 👨\u200d👩\u200d👧 ½ ²',
  "don't stop... 3.14, $5 -- x_y",
  '\u3000ideo\u00a0nbsp\u2028line',
  '',
];

const cases = [];
const normalizers = [
  {type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true},
  {type: 'BertNormalizer', clean_text: true, handle_chinese_chars: false, strip_accents: false, lowercase: true},
  {type: 'BertNormalizer', clean_text: false, handle_chinese_chars: true, strip_accents: true, lowercase: false},
  {type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: false},
  {type: 'NFC'}, {type: 'NFD'}, {type: 'NFKC'}, {type: 'NFKD'}, {type: 'Lowercase'}, {type: 'StripAccents'},
  {type: 'Sequence', normalizers: [{type: 'NFD'}, {type: 'StripAccents'}, {type: 'Lowercase'}]},
  {type: 'Strip', strip_left: true, strip_right: true}, {type: 'Strip', strip_left: false, strip_right: true},
  {type: 'Replace', pattern: {String: ' '}, content: '▁'},
  {type: 'Replace', pattern: {String: 'll'}, content: ''},
  {type: 'Replace', pattern: {Regex: '\\s+'}, content: ' '},
  {type: 'Replace', pattern: {Regex: '[aeiouà-ÿ]'}, content: '<v>'},
  {type: 'Prepend', prepend: '▁'}, {type: 'Nmt'}, {type: 'ByteLevel'},
  {type: 'Sequence', normalizers: [{type: 'Prepend', prepend: '▁'}, {type: 'Replace', pattern: {String: ' '}, content: '▁'}]},
];
for (const n of normalizers) {
  const tok = T.Tokenizer.fromString(JSON.stringify(base({normalizer: n, pre_tokenizer: {type: 'WhitespaceSplit'}})));
  for (const t of texts) {
    cases.push({kind: 'normalizer', component: n, input: t, expected: tok.getNormalizer().normalizeString(t)});
  }
}

const preTokenizers = [
  {type: 'BertPreTokenizer'}, {type: 'Whitespace'}, {type: 'WhitespaceSplit'},
  {type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true},
  {type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true},
  {type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false},
  {type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true},
  {type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: true},
  {type: 'Metaspace', replacement: '▁', prepend_scheme: 'never', split: true},
  {type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: false},
  {type: 'Metaspace', replacement: '_', add_prefix_space: false, prepend_scheme: 'never'},
  {type: 'Metaspace', replacement: '▁', str_rep: '▁', add_prefix_space: true},
  {type: 'Split', pattern: {String: ' '}, behavior: 'Removed', invert: false},
  {type: 'Split', pattern: {String: 'l'}, behavior: 'Isolated', invert: false},
  {type: 'Split', pattern: {Regex: '\\s+'}, behavior: 'MergedWithPrevious', invert: false},
  {type: 'Split', pattern: {Regex: '\\s+'}, behavior: 'MergedWithNext', invert: false},
  {type: 'Split', pattern: {Regex: '\\p{L}+'}, behavior: 'Contiguous', invert: false},
  {type: 'Split', pattern: {Regex: '\\w+|[^\\w\\s]+'}, behavior: 'Removed', invert: true},
  {type: 'Split', pattern: {Regex: "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"}, behavior: 'Isolated', invert: false},
  {type: 'Split', pattern: {Regex: 'x*'}, behavior: 'Isolated', invert: false},
  {type: 'Punctuation', behavior: 'Isolated'}, {type: 'Punctuation', behavior: 'Removed'},
  {type: 'Punctuation', behavior: 'MergedWithNext'}, {type: 'Punctuation', behavior: 'Contiguous'},
  {type: 'Digits', individual_digits: true}, {type: 'Digits', individual_digits: false},
  {type: 'CharDelimiterSplit', delimiter: 'l'},
  {type: 'Sequence', pretokenizers: [{type: 'WhitespaceSplit'}, {type: 'Digits', individual_digits: true}, {type: 'Punctuation', behavior: 'Isolated'}]},
];
for (const p of preTokenizers) {
  const tok = T.Tokenizer.fromString(JSON.stringify(base({pre_tokenizer: p})));
  for (const t of texts) {
    const pieces = tok.getPreTokenizer().preTokenizeString(t);
    cases.push({kind: 'pre_tokenizer', component: p, input: t, expected: pieces});
  }
}

const decoderCases = [
  [{type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true}, [['ĠHello', 'Ġw', 'Ã¶', 'rld'], ['ðŁ', 'ĳ', 'į'], ['ðŁ', 'ĳ'], ['<s>', 'Ġa b', 'Ġ']]],
  [{type: 'WordPiece', prefix: '##', cleanup: true}, [['hello', '##s', ',', 'world', '!', 'do', "n't", 'i', "'m", 'a', '.'], ['##a', 'b'], []]],
  [{type: 'WordPiece', prefix: '@@', cleanup: false}, [['hel', '@@lo', 'wor', '@@@@ld', ',', '.']]],
  [{type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true}, [['▁Hello', '▁wor', 'ld▁', '▁'], ['a▁b▁c', '▁d']]],
  [{type: 'Metaspace', replacement: '▁', prepend_scheme: 'never', split: true}, [['▁Hello', '▁world']]],
  [{type: 'BPEDecoder', suffix: '</w>'}, [['hel', 'lo</w>', 'wor', 'ld</w>'], ['a</w>b</w>']]],
  [{type: 'ByteFallback'}, [['<0x61>', '<0xC3>', '<0xA9>', 'x', '<0xE2>', '<0x82>', 'y', '<0xff>', '<0x4>', '<0xZZ>']]],
  [{type: 'Fuse'}, [['a', 'b', ' c']]],
  [{type: 'Strip', content: ' ', start: 1, stop: 2}, [['  a  ', ' bb', 'c   ', '    x']]],
  [{type: 'Replace', pattern: {String: '▁'}, content: ' '}, [['▁a▁', 'b']]],
  [{type: 'Replace', pattern: {Regex: '[ab]+'}, content: '-'}, [['xaabx', 'b']]],
  [{type: 'CTC', pad_token: '<pad>', word_delimiter_token: '|', cleanup: true}, [['<pad>', 'h', 'h', 'e', '<pad>', 'l', 'l', '<pad>', 'l', 'o', '|', 'w', 'o', '|', '|', 'x', ' .']]],
  [{type: 'Sequence', decoders: [{type: 'Replace', pattern: {String: '▁'}, content: ' '}, {type: 'ByteFallback'}, {type: 'Fuse'}, {type: 'Strip', content: ' ', start: 1, stop: 0}]}, [['▁Hello', '<0x21>', '▁', '<0xE4>', '<0xBD>', '<0xA0>']]],
];
for (const [d, lists] of decoderCases) {
  const tok = T.Tokenizer.fromString(JSON.stringify(base({decoder: d})));
  for (const tokens of lists) cases.push({kind: 'decoder', component: d, input: tokens, expected: tok.getDecoder().decode(tokens)});
}

// Whole-pipeline cases: added tokens, models, post-processors, truncation and padding.
const added = [
  {id: 100, content: '[MASK]', single_word: false, lstrip: true, rstrip: false, normalized: false, special: true},
  {id: 101, content: '<think>', single_word: false, lstrip: true, rstrip: true, normalized: true, special: false},
  {id: 102, content: 'tok', single_word: true, lstrip: false, rstrip: false, normalized: true, special: false},
  {id: 103, content: 'HELLO', single_word: false, lstrip: false, rstrip: false, normalized: true, special: false},
  {id: 104, content: '[CLS]', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true},
  {id: 105, content: '[SEP]', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true},
  {id: 106, content: 'world', single_word: false, lstrip: false, rstrip: false, normalized: false, special: false},
  {id: 107, content: 'Ǆ', single_word: false, lstrip: false, rstrip: false, normalized: true, special: false},
];
const bertTemplate = {type: 'TemplateProcessing',
  single: [{SpecialToken: {id: '[CLS]', type_id: 0}}, {Sequence: {id: 'A', type_id: 0}}, {SpecialToken: {id: '[SEP]', type_id: 0}}],
  pair: [{SpecialToken: {id: '[CLS]', type_id: 0}}, {Sequence: {id: 'A', type_id: 0}}, {SpecialToken: {id: '[SEP]', type_id: 0}},
    {Sequence: {id: 'B', type_id: 1}}, {SpecialToken: {id: '[SEP]', type_id: 1}}],
  special_tokens: {'[CLS]': {id: '[CLS]', ids: [1], tokens: ['[CLS]']}, '[SEP]': {id: '[SEP]', ids: [2], tokens: ['[SEP]']}}};
const bl = {type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true};
const pipelines = [
  ['wordpiece-bert', base({model: wordpiece, normalizer: {type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true}, pre_tokenizer: {type: 'BertPreTokenizer'}, post_processor: bertTemplate, decoder: {type: 'WordPiece', prefix: '##', cleanup: true}})],
  ['added-tokens', base({model: wordpiece, added_tokens: added, normalizer: {type: 'Sequence', normalizers: [{type: 'NFKD'}, {type: 'Lowercase'}]}, pre_tokenizer: {type: 'WhitespaceSplit'}, post_processor: {type: 'BertProcessing', sep: ['[SEP]', 2], cls: ['[CLS]', 1]}, decoder: {type: 'WordPiece', prefix: '##', cleanup: true}})],
  ['roberta-trim', base({model: wordpiece, pre_tokenizer: bl, post_processor: {type: 'RobertaProcessing', sep: ['</s>', 12], cls: ['<s>', 11], trim_offsets: true, add_prefix_space: true}, decoder: bl})],
  ['roberta-notrim', base({model: wordpiece, pre_tokenizer: Object.assign({}, bl, {add_prefix_space: false}), post_processor: {type: 'RobertaProcessing', sep: ['</s>', 12], cls: ['<s>', 11], trim_offsets: false, add_prefix_space: false}, decoder: bl})],
  ['bytelevel-post', base({model: wordpiece, pre_tokenizer: bl, post_processor: {type: 'Sequence', processors: [bl, bertTemplate]}, decoder: bl})],
  ['wordlevel-metaspace', base({model: {type: 'WordLevel', vocab: {'[UNK]': 0, '▁hello': 1, '▁world': 2, '▁a': 3, '[CLS]': 4, '[SEP]': 5}, unk_token: '[UNK]'}, pre_tokenizer: {type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: true}, post_processor: {type: 'TemplateProcessing', single: bertTemplate.single, pair: bertTemplate.pair, special_tokens: {'[CLS]': {id: '[CLS]', ids: [4], tokens: ['[CLS]']}, '[SEP]': {id: '[SEP]', ids: [5], tokens: ['[SEP]']}}}, decoder: {type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: true}})],
  ['truncate-longest-right', base({model: wordpiece, pre_tokenizer: {type: 'Whitespace'}, post_processor: bertTemplate, truncation: {direction: 'Right', max_length: 7, strategy: 'LongestFirst', stride: 0}})],
  ['truncate-longest-left', base({model: wordpiece, pre_tokenizer: {type: 'Whitespace'}, post_processor: bertTemplate, truncation: {direction: 'Left', max_length: 6, strategy: 'LongestFirst', stride: 0}})],
  ['truncate-only-second', base({model: wordpiece, pre_tokenizer: {type: 'Whitespace'}, post_processor: bertTemplate, truncation: {direction: 'Right', max_length: 7, strategy: 'OnlySecond', stride: 0}})],
  ['pad-fixed-left', base({model: wordpiece, pre_tokenizer: {type: 'Whitespace'}, post_processor: bertTemplate, padding: {strategy: {Fixed: 9}, direction: 'Left', pad_to_multiple_of: null, pad_id: 3, pad_type_id: 1, pad_token: '[PAD]'}})],
  ['pad-batch-multiple', base({model: wordpiece, pre_tokenizer: {type: 'Whitespace'}, padding: {strategy: 'BatchLongest', direction: 'Right', pad_to_multiple_of: 4, pad_id: 3, pad_type_id: 0, pad_token: '[PAD]'}})],
  ['no-post-processor-pair', base({model: wordpiece, pre_tokenizer: {type: 'BertPreTokenizer'}})],
];
const pipelineTexts = [
  'hello world', 'hellos, world!', 'unaffable worlds', 'Hello [MASK] world', 'a <think>   hello', 'tok tokens atok',
  'HELLO hello', 'ab abb abbbbbbbbbbbbbbbbb', 'é éé', 'Ǆ x', ' hello  world ', 'worldworld', '',
];
const pairs = [['hello world', 'a b hello'], ['hello', 'world world world world world'], ['hellos hellos hellos', 'a']];
(async () => {
  for (const [name, json] of pipelines) {
    const tok = T.Tokenizer.fromString(JSON.stringify(json));
    const view = (e) => ({ids: e.getIds(), tokens: e.getTokens(), offsets: e.getOffsets(), type_ids: e.getTypeIds(),
      special_tokens_mask: e.getSpecialTokensMask(), attention_mask: e.getAttentionMask(),
      sequence_ids: e.getSequenceIds().map((x) => (x === null || x === undefined ? -1 : x))});
    for (const text of pipelineTexts) {
      for (const special of [true, false]) {
        let expected;
        try { expected = view(await tok.encode(text, undefined, {addSpecialTokens: special})); } catch (e) { expected = {error: String(e)}; }
        cases.push({kind: 'encode', name, input: text, add_special_tokens: special, expected});
      }
    }
    for (const [a, b] of pairs) {
      let expected;
      try { expected = view(await tok.encode(a, b, {addSpecialTokens: true})); } catch (e) { expected = {error: String(e)}; }
      cases.push({kind: 'encode', name, input: a, pair: b, add_special_tokens: true, expected});
    }
    const batch = (await tok.encodeBatch(pipelineTexts.slice(0, 6), {addSpecialTokens: true})).map(view);
    cases.push({kind: 'batch', name, input: pipelineTexts.slice(0, 6), expected: batch});
    const vocabSize = tok.getVocabSize(true);
    const ids = [...Array(vocabSize + 2).keys()];
    for (const skip of [true, false]) {
      cases.push({kind: 'decode', name, input: ids, skip_special_tokens: skip, expected: await tok.decode(ids, skip)});
    }
    const idToToken = {};
    for (const id of ids) idToToken[id] = tok.idToToken(id);
    cases.push({kind: 'vocab', name, expected: {id_to_token: idToToken}});
  }
  const tokenizers = Object.fromEntries(pipelines);
  const body = JSON.stringify({tokenizers, cases}).replace(/\},\{"kind"/g, '},\n{"kind"');
  fs.writeFileSync(path.join(__dirname, 'component_expectations.json'), body + '\n');
  console.log(`wrote ${cases.length} cases`);
})();
