// libFuzzer target: the input is text (any bytes) for several real tokenizers. Valid UTF-8 must
// encode without error, invalid UTF-8 must be refused with ragrt::Error, and every encoding must
// be consistent: equal-length vectors, ids inside the vocabulary, offsets inside the text, and
// ids that decode. The first byte picks where a second sequence starts, for pairs.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.h"
#include "ragrt/tokenizer.h"

namespace {

std::vector<std::unique_ptr<ragrt::Tokenizer>>& tokenizers() {
  static std::vector<std::unique_ptr<ragrt::Tokenizer>> all;
  return all;
}

void check(const ragrt::Tokenizer& t, const ragrt::Encoding& e, size_t text_size) {
  const size_t n = e.ids.size();
  if (e.tokens.size() != n || e.offsets.size() != n || e.type_ids.size() != n ||
      e.attention_mask.size() != n || e.special_tokens_mask.size() != n)
    ragrt::fuzz::fail("encoding vectors differ in length");
  for (size_t i = 0; i < n; ++i) {
    if (e.ids[i] < 0 || static_cast<size_t>(e.ids[i]) >= t.vocab_size()) ragrt::fuzz::fail("id outside the vocabulary");
    if (e.offsets[i].first > e.offsets[i].second || e.offsets[i].second > text_size)
      ragrt::fuzz::fail("offsets outside the text");
  }
  try {
    t.decode(e.ids, true);
    t.decode(e.ids, false);
  } catch (const std::exception& ex) {
    ragrt::fuzz::fail(std::string("decoding ids the tokenizer produced threw: ") + ex.what());
  }
}

}  // namespace

// Tokenizers: RAGRT_FUZZ_TOKENIZERS (paths separated by ':'), else the shared real ones and a few
// test tokenizers that cover byte fallback and metaspace.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::string list;
  if (const char* env = std::getenv("RAGRT_FUZZ_TOKENIZERS")) {
    list = env;
  } else {
    const std::string shared = RAGRT_SHARED_DIR "/models/tokenizers/";
    const std::string data = RAGRT_SOURCE_DIR "/tests/data/tokenizers/";
    list = shared + "minilm-wordpiece:" + shared + "t5-unigram:" + shared + "qwen3-bpe:" + data +
           "llama-bytefallback-bpe.json:" + data + "unigram-bytefallback.json:" + data + "roberta-bytelevel.json";
  }
  std::stringstream ss(list);
  for (std::string path; std::getline(ss, path, ':');) {
    if (path.empty()) continue;
    auto t = ragrt::Tokenizer::from_path(path);
    // only_first / only_second refuse some valid inputs by design (as Hugging Face does: e.g. a
    // single text under only_second); longest_first keeps "valid UTF-8 always encodes" checkable.
    if (auto trunc = t->truncation(); trunc && trunc->strategy != ragrt::TruncationStrategy::kLongestFirst) {
      trunc->strategy = ragrt::TruncationStrategy::kLongestFirst;
      t->set_truncation(trunc);
    }
    tokenizers().push_back(std::move(t));
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t split = 1 + data[0] % size;
  const std::string_view all(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string_view first = all.substr(0, split - 1), second = all.substr(std::min(split - 1, all.size()));
  const bool valid = ragrt::fuzz::valid_utf8(all);
  const bool pair_valid = ragrt::fuzz::valid_utf8(first) && ragrt::fuzz::valid_utf8(second);
  for (const auto& t : tokenizers()) {
    for (bool special : {true, false}) {
      try {
        ragrt::Encoding e = t->encode(all, special);
        if (!valid) ragrt::fuzz::fail("invalid UTF-8 was encoded instead of refused");
        check(*t, e, all.size());
      } catch (const ragrt::Error& err) {
        if (valid) ragrt::fuzz::fail(std::string("valid UTF-8 was refused: ") + err.what());
      }
      try {
        ragrt::Encoding e = t->encode_pair(first, second, special);
        if (!pair_valid) ragrt::fuzz::fail("invalid UTF-8 pair was encoded instead of refused");
        // Offsets of a pair point into whichever sequence the token came from.
        check(*t, e, std::max(first.size(), second.size()));
      } catch (const ragrt::Error& err) {
        if (pair_valid) ragrt::fuzz::fail(std::string("valid UTF-8 pair was refused: ") + err.what());
      }
    }
  }
  return 0;
}
