// Splitter with the real tokenizers: minilm-wordpiece (BERT WordPiece) and qwen3-bpe (byte-level BPE).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "ingest/heading_sections.h"
#include "ingest/ingest_test_util.h"
#include "ingest/markdown_loader.h"
#include "ingest/text_boundaries.h"
#include "ragrt/splitter.h"
#include "ragrt/tokenizer.h"
#include "text/unicode.h"

namespace ragrt::ingest::test {
namespace {

using ::testing::HasSubstr;

const fs::path kTokenizers = fs::path(RAGRT_SHARED_DIR) / "models" / "tokenizers";

// Re-tokenizing a chunk's text on its own may give a few more tokens than the chunk reports (the
// count inside the whole document): a chunk starting at " word" in byte-level BPE loses the space
// the word was merged with ("word" may need two tokens), and a WordPiece word cut in two starts
// afresh instead of continuing with "##" pieces. That is one token at each edge.
constexpr size_t kEdgeSlack = 2;

// Each tokenizer is loaded once per process, with truncation and padding off as the splitter needs.
const Tokenizer* tokenizer(const std::string& name) {
  static std::map<std::string, std::unique_ptr<Tokenizer>> cache;
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(name);
  if (it == cache.end()) {
    std::unique_ptr<Tokenizer> tok;
    if (fs::exists(kTokenizers / name)) {
      tok = Tokenizer::from_path(kTokenizers / name);
      tok->set_truncation(std::nullopt);
      tok->set_padding(std::nullopt);
    }
    it = cache.emplace(name, std::move(tok)).first;
  }
  return it->second.get();
}

#define REQUIRE_TOKENIZER(var, name)                                            \
  const Tokenizer* var = tokenizer(name);                                       \
  if (!var) GTEST_SKIP() << "no shared tokenizer " << name << " under " << kTokenizers

bool is_space_at(std::string_view s, size_t pos) {
  size_t i = pos;
  return text::unicode::is_whitespace(text::decode_utf8(s.data(), i));
}

bool only_whitespace(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (!text::unicode::is_whitespace(text::decode_utf8(s.data(), i))) return false;
  }
  return true;
}

char32_t first_char(std::string_view s) {
  size_t i = 0;
  return text::decode_utf8(s.data(), i);
}

char32_t last_char(std::string_view s) { return text::decode_utf8_at(s, text::prev_char_start(s, s.size())); }

std::string innermost_section(const Document& doc, size_t pos) {
  std::string path;
  size_t best_begin = 0;
  bool found = false;
  for (const auto& s : doc.sections) {
    if (s.begin <= pos && pos < s.end && (!found || s.begin >= best_begin)) {
      path = s.path;
      best_begin = s.begin;
      found = true;
    }
  }
  return path;
}

int page_of(const Document& doc, size_t pos) {
  int page = doc.pages.empty() ? 0 : doc.pages.front().number;
  for (const auto& p : doc.pages) {
    if (p.begin <= pos) page = p.number;
  }
  return page;
}

// Tokens of the whole document's encoding that start in [begin, end).
size_t doc_tokens_starting_in(const Encoding& enc, size_t begin, size_t end) {
  size_t n = 0;
  for (const auto& [s, e] : enc.offsets) n += s >= begin && s < end;
  return n;
}

// The invariants every split must keep.
void check_chunks(const Document& doc, const std::vector<Chunk>& chunks, const Tokenizer& tok,
                  const SplitterParams& params) {
  const Encoding enc = tok.encode(doc.text, false);
  for (size_t i = 0; i < chunks.size(); ++i) {
    const Chunk& c = chunks[i];
    SCOPED_TRACE("chunk " + std::to_string(i) + " [" + std::to_string(c.begin) + ", " + std::to_string(c.end) +
                 "): \"" + c.text + "\"");
    EXPECT_EQ(c.index, i);
    EXPECT_EQ(c.doc_id, doc.id);
    ASSERT_LT(c.begin, c.end);
    ASSERT_LE(c.end, doc.text.size());
    EXPECT_EQ(c.text, doc.text.substr(c.begin, c.end - c.begin));
    ASSERT_TRUE(valid_utf8(c.text));
    EXPECT_FALSE(text::unicode::is_whitespace(first_char(c.text)));
    EXPECT_FALSE(text::unicode::is_whitespace(last_char(c.text)));
    EXPECT_GE(c.tokens, 1u);
    EXPECT_LE(c.tokens, params.chunk_tokens);
    EXPECT_LE(tok.encode(c.text, false).size(), params.chunk_tokens + kEdgeSlack);
    EXPECT_EQ(c.section, innermost_section(doc, c.begin));
    EXPECT_EQ(c.page, page_of(doc, c.begin));
    EXPECT_EQ(c.page_end, page_of(doc, c.end - 1));
    if (i == 0) {
      EXPECT_TRUE(only_whitespace(std::string_view(doc.text).substr(0, c.begin))) << "text lost before chunk 0";
      continue;
    }
    const Chunk& prev = chunks[i - 1];
    EXPECT_GT(c.begin, prev.begin);
    EXPECT_GT(c.end, prev.end);
    if (c.begin >= prev.end) {
      EXPECT_TRUE(only_whitespace(std::string_view(doc.text).substr(prev.end, c.begin - prev.end)))
          << "text lost between chunks";
    } else {
      EXPECT_LE(doc_tokens_starting_in(enc, c.begin, prev.end), params.overlap_tokens) << "overlap too long";
    }
  }
  if (!chunks.empty()) {
    EXPECT_TRUE(only_whitespace(std::string_view(doc.text).substr(chunks.back().end))) << "text lost at the end";
  } else {
    EXPECT_TRUE(only_whitespace(doc.text));
  }
}

// English prose: sentences of 4 to 12 common words, paragraphs of 2 to 5 sentences.
std::string make_prose(size_t paragraphs, unsigned seed, int min_sentences = 2, int max_sentences = 5) {
  static const char* const kWords[] = {
      "the",    "river",  "carried", "small",  "boats",   "past",   "old",     "mills",   "while",  "children",
      "watched", "from",  "bridge",  "every",  "morning", "market", "opened",  "early",   "and",    "farmers",
      "brought", "fresh", "bread",   "cheese", "apples",  "people", "talked",  "about",   "weather", "news",
      "town",   "council", "decided", "build",  "new",     "school", "near",    "park",    "teachers", "hoped",
      "students", "would", "learn",  "history", "science", "music",  "together", "evening", "lights",  "glowed"};
  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> word(0, std::size(kWords) - 1);
  std::uniform_int_distribution<int> sentence_len(4, 12), para_len(min_sentences, max_sentences), end_mark(0, 9);
  std::string out;
  for (size_t p = 0; p < paragraphs; ++p) {
    if (p) out += "\n\n";
    const int sentences = para_len(rng);
    for (int s = 0; s < sentences; ++s) {
      if (s) out += ' ';
      const int words = sentence_len(rng);
      for (int w = 0; w < words; ++w) {
        std::string wd = kWords[word(rng)];
        if (w == 0) wd[0] = static_cast<char>(wd[0] - 'a' + 'A');
        if (w) out += ' ';
        out += wd;
      }
      const int m = end_mark(rng);
      out += m == 0 ? '?' : m == 1 ? '!' : '.';
    }
  }
  return out;
}

Document doc_of(std::string text, std::string id = "doc") {
  Document d;
  d.id = std::move(id);
  d.text = std::move(text);
  return d;
}

class IngestSplitter : public ::testing::TestWithParam<std::string> {};

INSTANTIATE_TEST_SUITE_P(Tokenizers, IngestSplitter, ::testing::Values("minilm-wordpiece", "qwen3-bpe"),
                         [](const auto& info) { return info.param == "minilm-wordpiece" ? "WordPiece" : "ByteLevelBpe"; });

TEST_P(IngestSplitter, LongProseKeepsInvariantsAndEndsAtSentences) {
  REQUIRE_TOKENIZER(tok, GetParam());
  // One long paragraph: the best break in every window is a sentence end.
  const Document doc = doc_of(make_prose(1, 11, 60, 60));
  const SplitterParams params{64, 16};
  const auto chunks = Splitter(*tok, params).split(doc);
  ASSERT_GT(chunks.size(), 5u);
  check_chunks(doc, chunks, *tok, params);
  for (size_t i = 0; i + 1 < chunks.size(); ++i) {
    SCOPED_TRACE(chunks[i].text);
    const char last = chunks[i].text.back();
    EXPECT_TRUE(last == '.' || last == '?' || last == '!') << "chunk does not end a sentence";
    EXPECT_EQ(doc.text[chunks[i].end], ' ');
    // Long prose always leaves room for an overlap, and it starts at a word.
    EXPECT_LT(chunks[i + 1].begin, chunks[i].end) << "no overlap";
    EXPECT_EQ(doc.text[chunks[i + 1].begin - 1], ' ');
    // Chunks are not tiny: each is at least half the budget.
    EXPECT_GE(chunks[i].tokens, params.chunk_tokens / 2);
  }
}

TEST_P(IngestSplitter, ZeroOverlapGivesDisjointChunks) {
  REQUIRE_TOKENIZER(tok, GetParam());
  const Document doc = doc_of(make_prose(12, 5));
  const SplitterParams params{40, 0};
  const auto chunks = Splitter(*tok, params).split(doc);
  ASSERT_GT(chunks.size(), 3u);
  check_chunks(doc, chunks, *tok, params);
  for (size_t i = 1; i < chunks.size(); ++i) EXPECT_GE(chunks[i].begin, chunks[i - 1].end);
}

TEST_P(IngestSplitter, ShortParagraphsAreNeverCut) {
  REQUIRE_TOKENIZER(tok, GetParam());
  // Paragraphs of one or two short sentences (< 30 tokens) fit easily into a 64-token chunk.
  const Document doc = doc_of(make_prose(40, 3, 1, 2));
  for (size_t overlap : {0u, 8u}) {
    SCOPED_TRACE("overlap " + std::to_string(overlap));
    const SplitterParams params{64, overlap};
    const auto chunks = Splitter(*tok, params).split(doc);
    ASSERT_GT(chunks.size(), 5u);
    check_chunks(doc, chunks, *tok, params);
    for (const auto& c : chunks) {
      SCOPED_TRACE(c.text);
      EXPECT_TRUE(c.end == doc.text.size() || doc.text.compare(c.end, 2, "\n\n") == 0) << "cut mid-paragraph";
      if (overlap == 0) {
        EXPECT_TRUE(c.begin == 0 || doc.text.compare(c.begin - 2, 2, "\n\n") == 0) << "starts mid-paragraph";
      }
    }
  }
}

TEST_P(IngestSplitter, ChineseIsCutAfterSentenceMarks) {
  REQUIRE_TOKENIZER(tok, GetParam());
  const std::vector<std::string> sentences = {
      "\xE4\xBB\x8A\xE5\xA4\xA9\xE5\xA4\xA9\xE6\xB0\x94\xE5\xBE\x88\xE5\xA5\xBD\xEF\xBC\x8C\xE6\x88\x91\xE4\xBB"
      "\xAC\xE5\x8E\xBB\xE5\x85\xAC\xE5\x9B\xAD\xE6\x95\xA3\xE6\xAD\xA5\xE3\x80\x82",  // 今天天气很好，我们去公园散步。
      "\xE4\xBD\xA0\xE5\x96\x9C\xE6\xAC\xA2\xE5\x90\x83\xE8\x8B\xB9\xE6\x9E\x9C\xE5\x90\x97\xEF\xBC\x9F",  // 你喜欢吃苹果吗？
      "\xE5\xA4\xAA\xE5\xA5\xBD\xE4\xBA\x86\xEF\xBC\x81",                                                  // 太好了！
      "\xE8\xBF\x99\xE6\x98\xAF\xE7\xAC\xAC\xE4\xB8\x80\xE9\x83\xA8\xE5\x88\x86\xEF\xBC\x9B",              // 这是第一部分；
      "\xE5\x9B\xBE\xE4\xB9\xA6\xE9\xA6\x86\xE9\x87\x8C\xE6\x9C\x89\xE5\xBE\x88\xE5\xA4\x9A\xE4\xB9\xA6"
      "\xE3\x80\x82",  // 图书馆里有很多书。
  };
  std::string text;
  std::mt19937 rng(9);
  for (int i = 0; i < 80; ++i) text += sentences[rng() % sentences.size()];
  const Document doc = doc_of(text);
  const SplitterParams params{32, 0};
  const auto chunks = Splitter(*tok, params).split(doc);
  ASSERT_GT(chunks.size(), 5u);
  check_chunks(doc, chunks, *tok, params);
  for (size_t i = 0; i + 1 < chunks.size(); ++i) {
    SCOPED_TRACE(chunks[i].text);
    const char32_t last = last_char(chunks[i].text);
    EXPECT_TRUE(last == U'\u3002' || last == U'\uFF01' || last == U'\uFF1F' || last == U'\uFF1B')
        << "not cut after a sentence mark";
  }
}

TEST_P(IngestSplitter, CutsOnlyAtWordBoundaries) {
  REQUIRE_TOKENIZER(tok, GetParam());
  // Prose with long words, hyphens, numbers and a CJK phrase: no sentence break falls in some
  // windows, so word breaks are used, never the inside of a word.
  std::string text;
  std::mt19937 rng(21);
  const char* const words[] = {"internationalization", "counterrevolutionary", "3.14159", "e-mail",
                               "well-known",           "state-of-the-art",     "don't",   "re:invent",
                               "\xE4\xB8\xAD\xE6\x96\x87\xE5\xAD\x97",          "na\xC3\xAFve",
                               "caf\xC3\xA9",          "x86_64"};
  for (int i = 0; i < 400; ++i) {
    if (i) text += (i % 37 == 0) ? "\n" : " ";
    text += words[rng() % std::size(words)];
  }
  const Document doc = doc_of(text);
  const SplitterParams params{24, 6};
  const auto chunks = Splitter(*tok, params).split(doc);
  ASSERT_GT(chunks.size(), 10u);
  check_chunks(doc, chunks, *tok, params);
  auto word_boundary = [&](size_t p) {
    if (p == 0 || p == doc.text.size() || is_space_at(doc.text, p) ||
        is_space_at(doc.text, text::prev_char_start(doc.text, p)))
      return true;
    // Inside the CJK word any character boundary is a word boundary.
    return is_cjk(text::decode_utf8_at(doc.text, p)) || is_cjk(last_char(doc.text.substr(0, p)));
  };
  for (const auto& c : chunks) {
    SCOPED_TRACE(c.text);
    EXPECT_TRUE(word_boundary(c.begin)) << "starts inside a word";
    EXPECT_TRUE(word_boundary(c.end)) << "ends inside a word";
  }
}

TEST_P(IngestSplitter, GiantWordIsCutAtCharacterBoundaries) {
  REQUIRE_TOKENIZER(tok, GetParam());
  // 96 letters stay under WordPiece's 100-character limit, so the word is many pieces, not one [UNK].
  std::string word;
  for (int i = 0; i < 12; ++i) word += "qzxvbnmk";
  const Document doc = doc_of("Start " + word + " end.");
  const SplitterParams params{8, 2};
  const auto chunks = Splitter(*tok, params).split(doc);
  ASSERT_GT(chunks.size(), 2u);
  check_chunks(doc, chunks, *tok, params);
  const size_t word_begin = doc.text.find(word), word_end = word_begin + word.size();
  size_t cuts_inside = 0;
  for (const auto& c : chunks) cuts_inside += c.end > word_begin && c.end < word_end;
  EXPECT_GE(cuts_inside, 2u) << "the word should be cut into budget-sized pieces";
}

TEST(IngestSplitterBpe, EmojiRunIsCutBetweenGraphemes) {
  REQUIRE_TOKENIZER(tok, "qwen3-bpe");
  // Thumbs up + skin tone modifier (one grapheme of two code points, 8 bytes), 60 times, no spaces.
  const std::string grapheme = "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD";
  std::string run;
  for (int i = 0; i < 60; ++i) run += grapheme;
  const Document doc = doc_of("Look " + run + " done");
  const SplitterParams params{16, 0};
  const auto chunks = Splitter(*tok, params).split(doc);
  ASSERT_GT(chunks.size(), 3u);
  check_chunks(doc, chunks, *tok, params);
  const size_t run_begin = doc.text.find(grapheme);
  for (const auto& c : chunks) {
    for (size_t p : {c.begin, c.end}) {
      if (p <= run_begin || p >= run_begin + run.size()) continue;
      EXPECT_EQ((p - run_begin) % grapheme.size(), 0u) << "cut inside a grapheme at " << p;
    }
  }
}

TEST(IngestSplitterBpe, BudgetSmallerThanOneCharacterStillProgresses) {
  REQUIRE_TOKENIZER(tok, "qwen3-bpe");
  // A rare ideograph is several byte-level tokens that share its bytes: no cut fits 1 token, so
  // each chunk holds one whole character (over budget) rather than half a UTF-8 sequence.
  const std::string rare = "\xF0\xA0\x80\x80";  // U+20000
  const Document doc = doc_of(rare + rare + rare);
  const auto chunks = Splitter(*tok, {1, 0}).split(doc);
  ASSERT_EQ(chunks.size(), 3u);
  for (const auto& c : chunks) {
    EXPECT_EQ(c.text, rare);
    EXPECT_TRUE(valid_utf8(c.text));
  }
}

TEST_P(IngestSplitter, SectionsBoundChunksAndNameThem) {
  REQUIRE_TOKENIZER(tok, GetParam());
  std::string text = "Preface words before any heading.\n\n";
  for (const char* h : {"# Alpha", "## Beta", "### Gamma", "## Delta", "# Epsilon"}) {
    text += std::string(h) + "\n\n" + make_prose(2, static_cast<unsigned>(text.size()), 2, 3) + "\n\n";
  }
  Document doc = doc_of(text);
  doc.sections = sections_from_headings(markdown_headings(text), text.size());
  ASSERT_EQ(doc.sections.size(), 5u);
  const SplitterParams params{48, 8};
  const size_t min_fill = (params.chunk_tokens + 1) / 2;
  const auto chunks = Splitter(*tok, params).split(doc);
  check_chunks(doc, chunks, *tok, params);
  const Encoding enc = tok->encode(doc.text, false);
  // Where the text after a chunk's end (whitespace skipped) is a heading, or npos.
  auto heading_after = [&](size_t end) -> size_t {
    while (end < doc.text.size() && is_space_at(doc.text, end)) ++end;
    for (const auto& s : doc.sections) {
      if (s.begin == end) return end;
    }
    return std::string::npos;
  };
  size_t ended_at_heading = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const Chunk& c = chunks[i];
    SCOPED_TRACE(c.text);
    for (const auto& s : doc.sections) {
      if (s.begin > c.begin && s.begin < c.end) {
        EXPECT_LT(doc_tokens_starting_in(enc, c.begin, s.begin), min_fill) << "ran past " << s.path << " when half full";
        // The overlap never reaches back over a heading the previous chunk holds.
        if (i + 1 < chunks.size()) EXPECT_GE(chunks[i + 1].begin, s.begin) << "overlap crosses " << s.path;
      }
    }
    const size_t h = heading_after(c.end);
    if (h != std::string::npos && i + 1 < chunks.size()) {
      ++ended_at_heading;
      // The next section starts whole, not with an overlap of this section's tail (which would
      // also make its first chunk carry this section's path).
      EXPECT_EQ(chunks[i + 1].begin, h);
    }
  }
  EXPECT_GT(ended_at_heading, 0u) << "no chunk ended at a heading";
  // A chunk starting at a heading is named by it.
  size_t at_heading = 0;
  for (const auto& c : chunks) {
    if (doc.text.compare(c.begin, 7, "## Beta") == 0) {
      EXPECT_EQ(c.section, "Alpha > Beta");
      ++at_heading;
    }
    if (doc.text.compare(c.begin, 9, "### Gamma") == 0) {
      EXPECT_EQ(c.section, "Alpha > Beta > Gamma");
      ++at_heading;
    }
  }
  EXPECT_GT(at_heading, 0u);
}

TEST_P(IngestSplitter, PagesOfAHandBuiltDocument) {
  REQUIRE_TOKENIZER(tok, GetParam());
  const std::string page1 = make_prose(3, 31);
  const std::string page2 = make_prose(3, 32);
  Document doc = doc_of(page1 + "\n\n" + page2);
  doc.pages = {{0, page1.size(), 1}, {page1.size() + 2, doc.text.size(), 2}};
  const SplitterParams params{30, 5};
  const auto chunks = Splitter(*tok, params).split(doc);
  ASSERT_GT(chunks.size(), 4u);
  check_chunks(doc, chunks, *tok, params);
  bool saw1 = false, saw2 = false;
  for (const auto& c : chunks) {
    saw1 |= c.page == 1 && c.page_end == 1;
    saw2 |= c.page == 2 && c.page_end == 2;
    EXPECT_LE(c.page, c.page_end);
  }
  EXPECT_TRUE(saw1);
  EXPECT_TRUE(saw2);
  // A document without pages reports page 0.
  const auto plain = Splitter(*tok, params).split(doc_of(page1));
  ASSERT_FALSE(plain.empty());
  EXPECT_EQ(plain.front().page, 0);
  EXPECT_EQ(plain.front().page_end, 0);
}

// Texts mixing English, CJK, emoji, digits, headings, line and paragraph breaks, for several
// budgets: the invariants must hold whatever the mix.
std::string make_mixed_text(unsigned seed, size_t pieces) {
  static const char* const kPieces[] = {
      "The quick brown fox jumps over the lazy dog.", "Version 3.14 shipped on 2024-05-01!",
      "\xE4\xBB\x8A\xE5\xA4\xA9\xE5\xA4\xA9\xE6\xB0\x94\xE5\xBE\x88\xE5\xA5\xBD\xE3\x80\x82",  // 今天天气很好。
      "\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF\xEF\xBC\x81",  // こんにちは！
      "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD\xF0\x9F\x98\x80", "na\xC3\xAFve caf\xC3\xA9 r\xC3\xA9sum\xC3\xA9",
      "e\xCC\x81" "e\xCC\x81" "e\xCC\x81", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 \xD0\xBC\xD0\xB8\xD1\x80.",
      "supercalifragilisticexpialidocious", "\n", "\n\n", "\r\n", "\t", "  ", "\n\n## Heading two\n\n",
      "\n\n# Top heading\n\n", "x86_64-linux-gnu", "\xE2\x80\x9CQuoted.\xE2\x80\x9D Next"};
  std::mt19937 rng(seed);
  std::string out;
  for (size_t i = 0; i < pieces; ++i) {
    out += kPieces[rng() % std::size(kPieces)];
    if (rng() % 3) out += ' ';
  }
  return out;
}

TEST_P(IngestSplitter, MixedTextsKeepInvariants) {
  REQUIRE_TOKENIZER(tok, GetParam());
  // Budgets of at least 4: one character can be several byte-level tokens (emoji, rare ideographs).
  const std::vector<SplitterParams> all_params = {{4, 0}, {4, 3}, {8, 0}, {16, 4}, {32, 8}, {50, 49}};
  for (unsigned seed = 1; seed <= 12; ++seed) {
    Document doc = doc_of(make_mixed_text(seed, 120));
    doc.sections = sections_from_headings(markdown_headings(doc.text), doc.text.size());
    const size_t half = doc.text.size() / 2;
    size_t cut = half;
    while (cut < doc.text.size() && (static_cast<unsigned char>(doc.text[cut]) & 0xC0) == 0x80) ++cut;
    doc.pages = {{0, cut, 1}, {cut, doc.text.size(), 2}};
    for (const auto& params : all_params) {
      SCOPED_TRACE("seed " + std::to_string(seed) + " chunk_tokens " + std::to_string(params.chunk_tokens) +
                   " overlap " + std::to_string(params.overlap_tokens));
      const auto chunks = Splitter(*tok, params).split(doc);
      ASSERT_FALSE(chunks.empty());
      check_chunks(doc, chunks, *tok, params);
      if (::testing::Test::HasFailure()) return;
    }
  }
}

TEST_P(IngestSplitter, ShortEmptyAndBlankDocuments) {
  REQUIRE_TOKENIZER(tok, GetParam());
  const Splitter splitter(*tok, {16, 4});
  EXPECT_TRUE(splitter.split(doc_of("")).empty());
  EXPECT_TRUE(splitter.split(doc_of(" \n\t\n ")).empty());
  const auto one = splitter.split(doc_of("\n\n  Hello there, world.  \n"));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].text, "Hello there, world.");
  EXPECT_EQ(one[0].begin, 4u);
  EXPECT_EQ(one[0].tokens, tok->encode("Hello there, world.", false).size());
}

TEST_P(IngestSplitter, SplitIsThreadSafeAndDeterministic) {
  REQUIRE_TOKENIZER(tok, GetParam());
  const Document doc = doc_of(make_prose(8, 77));
  const Splitter splitter(*tok, {32, 8});
  const auto reference = splitter.split(doc);
  std::vector<std::vector<Chunk>> results(4);
  std::vector<std::thread> threads;
  for (auto& r : results) threads.emplace_back([&] { r = splitter.split(doc); });
  for (auto& t : threads) t.join();
  for (const auto& r : results) {
    ASSERT_EQ(r.size(), reference.size());
    for (size_t i = 0; i < r.size(); ++i) {
      EXPECT_EQ(r[i].begin, reference[i].begin);
      EXPECT_EQ(r[i].end, reference[i].end);
      EXPECT_EQ(r[i].tokens, reference[i].tokens);
    }
  }
}

TEST(IngestSplitterParams, ImpossibleParamsThrow) {
  REQUIRE_TOKENIZER(tok, "minilm-wordpiece");
  EXPECT_THAT(error_message([&] { (void)Splitter(*tok, SplitterParams{0, 0}); }), HasSubstr("chunk_tokens"));
  EXPECT_THAT(error_message([&] { (void)Splitter(*tok, SplitterParams{16, 16}); }), HasSubstr("overlap_tokens"));
  EXPECT_THAT(error_message([&] { (void)Splitter(*tok, SplitterParams{16, 20}); }), HasSubstr("overlap_tokens"));
  EXPECT_NO_THROW((void)Splitter(*tok, SplitterParams{1, 0}));
  EXPECT_NO_THROW((void)Splitter(*tok, SplitterParams{16, 15}));
}

TEST(IngestSplitterParams, TruncatingOrPaddingTokenizerIsRefused) {
  if (!fs::exists(kTokenizers / "minilm-wordpiece")) GTEST_SKIP() << "no minilm-wordpiece";
  // As tokenizer.json declares it, minilm truncates to 128 and pads to 128.
  auto tok = Tokenizer::from_path(kTokenizers / "minilm-wordpiece");
  ASSERT_TRUE(tok->truncation().has_value());
  ASSERT_TRUE(tok->padding().has_value());
  EXPECT_THAT(error_message([&] { (void)Splitter(*tok, SplitterParams{16, 4}); }), HasSubstr("truncat"));
  tok->set_truncation(std::nullopt);
  EXPECT_THAT(error_message([&] { (void)Splitter(*tok, SplitterParams{16, 4}); }), HasSubstr("pad"));
  tok->set_padding(std::nullopt);
  EXPECT_NO_THROW((void)Splitter(*tok, SplitterParams{16, 4}));
}

}  // namespace
}  // namespace ragrt::ingest::test
