#include "generate/text_streamer.h"

#include <gtest/gtest.h>

#include "ragrt/model_folder.h"
#include "runtime/test_models.h"
#include "text/utf8.h"

namespace ragrt::generate {
namespace {

// Qwen3's byte-level BPE (copied into the synthetic decoder's folder): rare characters and emoji
// come out as several byte tokens, each of which alone is not valid UTF-8.
const Tokenizer& qwen() {
  static auto tokenizer = ModelFolder::open(testing::test_model_dir("llama-tiny")).load_tokenizer();
  return *tokenizer;
}

struct Streamed {
  std::vector<std::string> pieces;
  std::string text;
  size_t held = 0;  // tokens after which nothing could be shown yet
  bool stopped = false;
};

Streamed stream(const std::string& text, std::vector<std::string> stops = {}) {
  TextStreamer streamer(qwen(), std::move(stops));
  Streamed out;
  for (int32_t id : qwen().encode(text, false).ids) {
    auto piece = streamer.push(id);
    if (piece.empty()) {
      ++out.held;
    } else {
      out.pieces.push_back(piece);
    }
  }
  auto rest = streamer.finish();
  if (!rest.empty()) out.pieces.push_back(rest);
  for (const auto& p : out.pieces) out.text += p;
  EXPECT_EQ(out.text, streamer.emitted());
  out.stopped = streamer.stopped();
  return out;
}

TEST(TextStreamerTest, NeverSplitsChineseOrEmoji) {
  const std::string text = "退货政策：收到商品 30 天内可退 🙂👍🏽 龘靐齉 𝄞 done";
  auto out = stream(text);
  EXPECT_EQ(out.text, text);
  for (const auto& p : out.pieces) EXPECT_EQ(text::find_invalid_utf8(p), text::kValidUtf8) << p;
  EXPECT_GT(out.held, 0u) << "no token carried a partial character, so nothing was tested";
}

TEST(TextStreamerTest, StopStringAcrossTokensEndsTheTextBeforeIt) {
  auto out = stream("Hello world, the answer is 42. Goodbye", {"answer is"});
  EXPECT_TRUE(out.stopped);
  EXPECT_EQ(out.text, "Hello world, the ");
  for (const auto& p : out.pieces) EXPECT_EQ(p.find("answer"), std::string::npos) << p;
}

TEST(TextStreamerTest, EarliestOfSeveralStopStringsWins) {
  auto out = stream("alpha beta gamma delta", {"delta", "beta"});
  EXPECT_TRUE(out.stopped);
  EXPECT_EQ(out.text, "alpha ");
}

TEST(TextStreamerTest, ChineseStopString) {
  auto out = stream("请稍等。用户：你好", {"用户："});
  EXPECT_TRUE(out.stopped);
  EXPECT_EQ(out.text, "请稍等。");
}

TEST(TextStreamerTest, PossibleStopStartIsHeldBackThenReleased) {
  TextStreamer streamer(qwen(), {"</answer>"});
  std::string shown;
  for (int32_t id : qwen().encode("x </ans", false).ids) shown += streamer.push(id);
  EXPECT_EQ(shown, "x ");  // "</ans" may still become the stop string
  shown += streamer.finish();
  EXPECT_EQ(shown, "x </ans");
  EXPECT_FALSE(streamer.stopped());
}

TEST(TextStreamerTest, SpecialTokensAddNothing) {
  TextStreamer streamer(qwen(), {});
  auto im_end = qwen().token_to_id("<|im_end|>");
  ASSERT_TRUE(im_end);
  std::string shown;
  for (int32_t id : qwen().encode("ok", false).ids) shown += streamer.push(id);
  shown += streamer.push(*im_end);
  shown += streamer.finish();
  EXPECT_EQ(shown, "ok");
}

}  // namespace
}  // namespace ragrt::generate
