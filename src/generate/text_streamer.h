#pragma once
// Turns generated token ids into text pieces that are safe to show: complete UTF-8 only (a token
// may carry half of a Chinese character or an emoji), and never text that may still become a stop
// string. Incremental detokenization as in Hugging Face's text-generation-inference: each step
// decodes a short window of recent tokens and emits what the last token added, so a sequence of
// n tokens costs O(n) rather than O(n^2), and decoders that depend on position (SentencePiece's
// leading space) stay right because the window's own prefix is decoded the same way.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ragrt/tokenizer.h"

namespace ragrt::generate {

class TextStreamer {
 public:
  TextStreamer(const Tokenizer& tokenizer, std::vector<std::string> stop_strings);

  // Adds one generated token (special tokens decode to nothing); returns the text that may be
  // shown now, often empty.
  std::string push(int32_t id);
  // The end: returns what was held back (an incomplete UTF-8 tail shows as U+FFFD, as Hugging
  // Face's decode gives it).
  std::string finish();

  // True once a stop string appeared: the text ends just before it and push() returns nothing more.
  bool stopped() const { return stopped_; }
  // Everything emitted so far; after finish(), the whole answer.
  std::string_view emitted() const { return std::string_view(text_).substr(0, emitted_); }

 private:
  std::string decode_window(size_t from, size_t to) const;
  void append_decoded(bool final);
  std::string release(bool final);

  const Tokenizer& tokenizer_;
  std::vector<std::string> stops_;
  size_t longest_stop_ = 0;
  std::vector<int32_t> ids_;
  size_t prefix_offset_ = 0;  // start of the decode window
  size_t read_offset_ = 0;    // tokens before this are in text_
  std::string text_;          // decoded, complete UTF-8 (truncated at a stop string once found)
  size_t emitted_ = 0;        // bytes of text_ already returned
  bool stopped_ = false;
};

}  // namespace ragrt::generate
