#pragma once
// Cuts a Document into chunks measured in tokens of the embedding model's tokenizer.
#include <vector>

#include "ragrt/document.h"
#include "ragrt/tokenizer.h"

namespace ragrt {

struct SplitterParams {
  size_t chunk_tokens = 256;  // most tokens in a chunk (no special tokens counted)
  size_t overlap_tokens = 32; // tokens a chunk repeats from the end of the previous one; < chunk_tokens
};

class Splitter {
 public:
  // `tokenizer` must outlive the splitter. Throws ragrt::Error for impossible params.
  Splitter(const Tokenizer& tokenizer, SplitterParams params);
  // Chunks in document order. Thread-safe.
  std::vector<Chunk> split(const Document& doc) const;

 private:
  const Tokenizer& tokenizer_;
  SplitterParams params_;
};

}  // namespace ragrt
