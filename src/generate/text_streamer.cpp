#include "generate/text_streamer.h"

#include <algorithm>

namespace ragrt::generate {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

TextStreamer::TextStreamer(const Tokenizer& tokenizer, std::vector<std::string> stop_strings)
    : tokenizer_(tokenizer), stops_(std::move(stop_strings)) {
  std::erase_if(stops_, [](const std::string& s) { return s.empty(); });
  for (const auto& s : stops_) longest_stop_ = std::max(longest_stop_, s.size());
}

std::string TextStreamer::decode_window(size_t from, size_t to) const {
  return tokenizer_.decode(std::span<const int32_t>(ids_.data() + from, to - from), true);
}

void TextStreamer::append_decoded(bool final) {
  std::string prefix = decode_window(prefix_offset_, read_offset_);
  std::string window = decode_window(prefix_offset_, ids_.size());
  // Wait while the newest bytes do not yet form a character (lossy decode shows them as U+FFFD)
  // or the new token added no text; at the end, take what there is.
  if (!final && (window.size() <= prefix.size() || ends_with(window, kReplacement))) return;
  if (window.size() > prefix.size()) text_ += window.substr(prefix.size());
  prefix_offset_ = read_offset_;
  read_offset_ = ids_.size();
}

std::string TextStreamer::release(bool final) {
  if (!stops_.empty()) {
    // A stop string may straddle what was emitted and what is new, but cannot lie wholly inside
    // the emitted text (it would have been found before).
    size_t from = emitted_ >= longest_stop_ ? emitted_ - longest_stop_ + 1 : 0;
    size_t first = std::string::npos;
    for (const auto& s : stops_) first = std::min(first, text_.find(s, from));
    if (first != std::string::npos) {
      text_.resize(first);
      stopped_ = true;
      final = true;
    }
  }
  size_t ready = text_.size();
  if (!final) {
    // Hold back the longest tail that is the start of some stop string.
    for (const auto& s : stops_) {
      for (size_t len = std::min(s.size() - 1, text_.size() - emitted_); len > 0; --len) {
        if (text_.compare(text_.size() - len, len, s, 0, len) == 0) {
          ready = std::min(ready, text_.size() - len);
          break;
        }
      }
    }
  }
  std::string piece = text_.substr(emitted_, ready - emitted_);
  emitted_ = ready;
  return piece;
}

std::string TextStreamer::push(int32_t id) {
  if (stopped_) return {};
  ids_.push_back(id);
  append_decoded(false);
  return release(false);
}

std::string TextStreamer::finish() {
  if (stopped_) return {};
  if (read_offset_ < ids_.size()) append_decoded(true);
  return release(true);
}

}  // namespace ragrt::generate
