// libFuzzer target: the input is a tokenizer.json. Loading may only fail with ragrt::Error; a
// tokenizer that loads must encode and decode a fixed mixed-script text without crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_common.h"
#include "ragrt/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  std::unique_ptr<ragrt::Tokenizer> tokenizer;
  try {
    tokenizer = ragrt::Tokenizer::from_json(json, "fuzz.json");
  } catch (const ragrt::Error&) {
    return 0;  // rejected with a message: the expected outcome for most inputs
  } catch (const std::exception& e) {
    ragrt::fuzz::fail(std::string("loader threw a non-ragrt exception: ") + e.what());
  }
  try {
    for (bool special : {true, false}) {
      ragrt::Encoding e = tokenizer->encode("Hello wörld, 你好 🚀 <s>[CLS]  x", special);
      if (e.offsets.size() != e.ids.size() || e.tokens.size() != e.ids.size())
        ragrt::fuzz::fail("encoding vectors differ in length");
      tokenizer->decode(e.ids, special);
      tokenizer->encode_pair("question?", "answer.", special);
    }
  } catch (const ragrt::Error&) {
    // A loadable but unusable configuration (e.g. truncation the post-processor cannot meet) must
    // still say why; ragrt::Error does.
  } catch (const std::exception& e) {
    ragrt::fuzz::fail(std::string("encode threw a non-ragrt exception: ") + e.what());
  }
  return 0;
}
