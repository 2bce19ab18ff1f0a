// The `extractive` generator: answers made of the context's best sentences, with citations,
// in English and Chinese, from passages and tool results.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_helpers.h"

#include "ragrt/error.h"
#include "ragrt/extractive_generator.h"
#include "text/utf8.h"

namespace {

using json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

ragrt::ContextPassage passage(std::string id, std::string text, double score) {
  ragrt::ContextPassage p;
  p.id = std::move(id);
  p.text = std::move(text);
  p.score = score;
  return p;
}

const std::string kReturns =
    "## Returns\n\nOur return policy allows returns within 30 days of delivery. Items must be unused and in their "
    "original packaging. Shipping is free for orders over $50.";
const std::string kRefunds =
    "Refunds are issued to the original payment method. A refund takes 5 to 7 business days to appear on your "
    "statement.";

ragrt::GenerationRequest english(const std::string& question) {
  ragrt::GenerationRequest r;
  r.messages = {{{"role", "system"}, {"content", "Answer from the documents."}},
                {{"role", "user"}, {"content", question}}};
  r.context = {passage("1", kReturns, 0.9), passage("2", kRefunds, 0.5)};
  return r;
}

const std::string kZhReturns = "我们的退货政策允许在收货后30天内退货。商品必须未使用并保留原包装。";
const std::string kZhRefunds = "退款将在5个工作日内退回原支付账户。如需帮助，请联系客服。";

ragrt::GenerationRequest chinese(const std::string& question) {
  ragrt::GenerationRequest r;
  r.messages = {{{"role", "user"}, {"content", question}}};
  r.context = {passage("1", kZhReturns, 2.0), passage("2", kZhRefunds, 1.0)};
  return r;
}

using ragrt::testing::error_of;

TEST(ExtractiveGenerator, EnglishQuestionPicksTheAnsweringSentence) {
  auto gen = ragrt::make_extractive_generator({.max_sentences = 1});
  auto result = gen->generate(english("How long does a refund take?"));
  EXPECT_EQ(result.text, "A refund takes 5 to 7 business days to appear on your statement. [2]");
  EXPECT_THAT(result.citations, ElementsAre("2"));
  EXPECT_EQ(result.finish_reason, ragrt::FinishReason::kStop);
  // Usage is estimated (no tokenizer): 4 ASCII bytes a token, plus 4 per message for its markup.
  EXPECT_EQ(result.prompt_tokens, (4 + (26 + 3) / 4) + (4 + (28 + 3) / 4));
  EXPECT_EQ(result.completion_tokens, (68 + 3) / 4);
  EXPECT_TRUE(result.usage_estimated);

  // More room, and no floor relative to the best: the next best sentences follow in score order,
  // each with its marker.
  auto wider = ragrt::make_extractive_generator({.min_relative_score = 0})
                   ->generate(english("What is the return policy for refunds?"));
  EXPECT_EQ(wider.text,
            "Our return policy allows returns within 30 days of delivery. [1] "
            "Refunds are issued to the original payment method. [2] "
            "A refund takes 5 to 7 business days to appear on your statement. [2]");
  EXPECT_THAT(wider.citations, ElementsAre("1", "2"));

  // By default a sentence must score at least half as well as the best: the two that share only
  // "refund" with the question are left out.
  auto focused = ragrt::make_extractive_generator()->generate(english("What is the return policy for refunds?"));
  EXPECT_EQ(focused.text, "Our return policy allows returns within 30 days of delivery. [1]");
}

TEST(ExtractiveGenerator, HardWrappedLinesStayOneSentenceAndHeadingsAreLeftOut) {
  ragrt::GenerationRequest r;
  r.messages = {{{"role", "user"}, {"content", "When are refunds issued?"}}};
  r.context = {passage("1",
                       "## Refund timing\n\nRefunds are issued to the original payment method within 5 working days "
                       "after the returned item\narrives at our warehouse. Card refunds can take longer.\n",
                       1.0)};
  auto result = ragrt::make_extractive_generator({.max_sentences = 1})->generate(r);
  EXPECT_EQ(result.text,
            "Refunds are issued to the original payment method within 5 working days after the returned item "
            "arrives at our warehouse. [1]");
}

TEST(ExtractiveGenerator, ChineseQuestionPicksTheAnsweringSentence) {
  auto gen = ragrt::make_extractive_generator();
  auto refund = gen->generate(chinese("退款需要多长时间？"));
  EXPECT_EQ(refund.text, "退款将在5个工作日内退回原支付账户。[2]");
  EXPECT_THAT(refund.citations, ElementsAre("2"));

  auto policy = gen->generate(chinese("退货政策是什么"));
  EXPECT_EQ(policy.text, "我们的退货政策允许在收货后30天内退货。[1]");
  EXPECT_THAT(policy.citations, ElementsAre("1"));

  // Two CJK sentences are joined without a space.
  auto both = gen->generate(chinese("退货和退款"));
  EXPECT_EQ(both.text, "我们的退货政策允许在收货后30天内退货。[1]退款将在5个工作日内退回原支付账户。[2]");
  EXPECT_THAT(both.citations, ElementsAre("1", "2"));
}

TEST(ExtractiveGenerator, NothingMatchingGivesTheNotFoundMessage) {
  ragrt::ExtractiveGeneratorParams params;
  params.not_found_message = "No idea.";
  auto gen = ragrt::make_extractive_generator(params);
  auto result = gen->generate(english("Which planets have rings?"));
  EXPECT_EQ(result.text, "No idea.");
  EXPECT_TRUE(result.citations.empty());
  EXPECT_EQ(result.finish_reason, ragrt::FinishReason::kStop);

  // Only filler words in common: below min_score.
  params.min_score = 0.5;
  EXPECT_EQ(ragrt::make_extractive_generator(params)->generate(english("What is the capital of Mars?")).text,
            "No idea.");

  // No context at all.
  auto empty = english("How long does a refund take?");
  empty.context.clear();
  EXPECT_EQ(gen->generate(empty).text, "No idea.");
}

TEST(ExtractiveGenerator, ToolResultsAreSourcesCitedByName) {
  ragrt::GenerationRequest r;
  r.messages = {
      {{"role", "user"}, {"content", "Where is my parcel?"}},
      {{"role", "assistant"}, {"content", "Let me check."}},
      {{"role", "user"}, {"content", json::array({{{"type", "text"}, {"text", "What's the weather in Paris?"}}})}},
      {{"role", "assistant"},
       {"content", nullptr},
       {"tool_calls",
        json::array(
            {{{"id", "call_1"}, {"type", "function"}, {"function", {{"name", "get_weather"}, {"arguments", "{}"}}}}})}},
      {{"role", "tool"},
       {"tool_call_id", "call_1"},
       {"name", "get_weather"},
       {"content", "Paris: 18°C and sunny. Wind 10 km/h."}},
      {{"role", "tool"}, {"tool_call_id", "call_2"}, {"content", "Parcel 42 is in Lyon."}},
  };
  auto result = ragrt::make_extractive_generator()->generate(r);
  // The question is the last user message; the parcel tool result does not answer it.
  EXPECT_EQ(result.text, "Paris: 18°C and sunny. [get_weather]");
  EXPECT_THAT(result.citations, ElementsAre("get_weather"));

  r.messages.push_back({{"role", "user"}, {"content", "And my parcel?"}});
  result = ragrt::make_extractive_generator()->generate(r);
  EXPECT_EQ(result.text, "Parcel 42 is in Lyon. [call_2]");  // no name: cited by tool_call_id
}

TEST(ExtractiveGenerator, ToolPassagesAreQuotedWholeAndFirst) {
  // The order API's result shares no word with the question but is what it asks for; the policy
  // sentence follows it. A period inside the result ("59.90") does not cut it.
  auto r = english("How long does a refund take?");
  ragrt::ContextPassage order = passage("3", "order status (order id 12345): status in transit. total 59.90 USD", 0);
  order.kind = "tool";
  r.context.insert(r.context.begin(), order);
  auto result = ragrt::make_extractive_generator()->generate(r);
  EXPECT_THAT(result.text, ::testing::StartsWith("order status (order id 12345): status in transit. total 59.90 USD [3] "));
  EXPECT_THAT(result.text, HasSubstr("A refund takes 5 to 7 business days to appear on your statement. [2]"));
  EXPECT_THAT(result.citations, ElementsAre("3", "2"));

  // A tool result alone is an answer, not "not found"; max_sentences counts document sentences.
  ragrt::ExtractiveGeneratorParams one;
  one.max_sentences = 1;
  auto only_tool = english("Which planets have rings?");
  only_tool.context = {order};
  EXPECT_EQ(ragrt::make_extractive_generator(one)->generate(only_tool).text,
            "order status (order id 12345): status in transit. total 59.90 USD [3]");
  r.context.push_back(order);
  r.context.back().id = "4";
  result = ragrt::make_extractive_generator(one)->generate(r);
  EXPECT_THAT(result.citations, ElementsAre("3", "4", "2"));

  // Within max_chars: a long result is shortened with an ellipsis.
  ragrt::ExtractiveGeneratorParams narrow;
  narrow.max_chars = 30;
  only_tool.context[0].text = std::string(200, 'x') + " tail";
  const std::string text = ragrt::make_extractive_generator(narrow)->generate(only_tool).text;
  EXPECT_LE(ragrt::text::count_chars(text), 30u);
  EXPECT_THAT(text, ::testing::EndsWith("… [3]"));
}

TEST(ExtractiveGenerator, MaxSentencesAndMaxCharsAreHonoured) {
  const auto question = english("returns refunds policy days delivery payment shipping");
  // No score floors: this is about the limits, not about which sentences answer.
  auto two = ragrt::make_extractive_generator({.max_sentences = 2, .min_score = 0, .min_relative_score = 0})->generate(question);
  EXPECT_EQ(std::count(two.text.begin(), two.text.end(), '['), 2) << two.text;

  for (size_t max_chars : {30u, 80u, 150u}) {
    ragrt::ExtractiveGeneratorParams params;
    params.max_sentences = 10;
    params.max_chars = max_chars;
    params.min_score = 0;
    params.min_relative_score = 0;
    auto result = ragrt::make_extractive_generator(params)->generate(question);
    EXPECT_LE(ragrt::text::count_chars(result.text), max_chars) << result.text;
    EXPECT_FALSE(result.citations.empty()) << result.text;
  }
  // The best sentence alone is too long: cut at a word, still cited.
  ragrt::ExtractiveGeneratorParams tiny;
  tiny.max_chars = 30;
  auto cut = ragrt::make_extractive_generator(tiny)->generate(english("How long does a refund take?"));
  EXPECT_EQ(cut.text, "A refund takes 5 to 7… [2]");
}

TEST(ExtractiveGenerator, StreamsOneSentenceAtATime) {
  auto request = english("What is the return policy for refunds?");
  std::vector<std::string> pieces;
  request.on_text = [&](std::string_view t) { pieces.emplace_back(t); };
  auto result = ragrt::make_extractive_generator({.min_relative_score = 0})->generate(request);
  ASSERT_EQ(pieces.size(), 3u);
  std::string joined;
  for (const auto& p : pieces) joined += p;
  EXPECT_EQ(joined, result.text);
  EXPECT_EQ(pieces[0], "Our return policy allows returns within 30 days of delivery. [1]");

  // A stop string ends the answer before it; only fully emitted markers count as citations.
  auto stopped = english("What is the return policy for refunds?");
  stopped.sampling.stop = {"original"};
  auto s = ragrt::make_extractive_generator({.min_relative_score = 0})->generate(stopped);
  EXPECT_EQ(s.text, "Our return policy allows returns within 30 days of delivery. [1] Refunds are issued to the ");
  EXPECT_THAT(s.citations, ElementsAre("1"));

  // Cancel after the first sentence.
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  auto cancelled = english("What is the return policy for refunds?");
  cancelled.cancel = cancel;
  cancelled.on_text = [&](std::string_view) { *cancel = true; };
  auto c = ragrt::make_extractive_generator({.min_relative_score = 0})->generate(cancelled);
  EXPECT_EQ(c.finish_reason, ragrt::FinishReason::kCancelled);
  EXPECT_EQ(c.text, "Our return policy allows returns within 30 days of delivery. [1]");
}

// The cases of issue 19: a highly ranked passage from another document is not an answer because
// it shares a word or two with the question.
TEST(ExtractiveGenerator, ASentenceMustAnswerTheQuestionNotMerelyBeNearIt) {
  ragrt::GenerationRequest zh;
  zh.messages = {{{"role", "user"}, {"content", "退款多久到账？"}}};
  // The example's refund policy, and a loyalty document the retriever ranked higher.
  zh.context = {passage("1", "积分在签收14天后到账，可在下次购物时抵扣。", 0.9),
                passage("2", "退款将在仓库收到退货后五个工作日内原路退回，具体到账时间以银行或支付平台为准。", 0.8)};
  auto a = ragrt::make_extractive_generator()->generate(zh);
  EXPECT_THAT(a.text, HasSubstr("五个工作日"));
  EXPECT_THAT(a.text, Not(HasSubstr("积分")));
  EXPECT_THAT(a.citations, ElementsAre("2"));

  ragrt::GenerationRequest en;
  en.messages = {{{"role", "user"}, {"content", "Can I return a used item after 40 days?"}}};
  en.context = {passage("1", "Refunds are paid within five working days after the return arrives.", 0.9),
                passage("2", "Items can be returned within 30 days of delivery if they are unused and in their original packaging.", 0.7)};
  auto b = ragrt::make_extractive_generator()->generate(en);
  EXPECT_EQ(b.text, "Items can be returned within 30 days of delivery if they are unused and in their original packaging. [2]");

  // Nothing near enough: the refusal, in the question's language, with nothing cited.
  ragrt::GenerationRequest pizza;
  pizza.messages = {{{"role", "user"}, {"content", "Do you deliver pizza on Sundays?"}}};
  pizza.context = en.context;
  auto c = ragrt::make_extractive_generator()->generate(pizza);
  EXPECT_EQ(c.text, "The documents I have do not answer this question.");
  EXPECT_TRUE(c.refused);
  EXPECT_TRUE(c.citations.empty());
  ragrt::GenerationRequest zh_pizza;
  zh_pizza.messages = {{{"role", "user"}, {"content", "你们周日送披萨吗？"}}};
  zh_pizza.context = zh.context;
  EXPECT_EQ(ragrt::make_extractive_generator()->generate(zh_pizza).text, "抱歉，我手头的资料里没有这个问题的答案。");
}

// What the customer must be told (a lookup that failed) comes first and is no source.
TEST(ExtractiveGenerator, NoticesComeFirstAndAreNotCited) {
  auto r = english("How long does a refund take?");
  ragrt::ContextPassage notice = passage("notice:order_status", "I cannot look up your order right now.", 0);
  notice.kind = "notice";
  r.context.insert(r.context.begin(), notice);
  auto result = ragrt::make_extractive_generator()->generate(r);
  EXPECT_THAT(result.text, ::testing::StartsWith("I cannot look up your order right now. A refund takes 5 to 7 business days"));
  EXPECT_THAT(result.citations, ElementsAre("2"));
  EXPECT_FALSE(result.refused);
}

TEST(ExtractiveGenerator, BadRequestsAreInvalidArguments) {
  auto gen = ragrt::make_extractive_generator();
  EXPECT_THAT(error_of([&] { gen->generate(english("refund \xff\xfe policy")); }, ragrt::ErrorKind::kInvalidArgument),
              HasSubstr("UTF-8"));
  ragrt::GenerationRequest none;
  error_of([&] { gen->generate(none); }, ragrt::ErrorKind::kInvalidArgument);
  ragrt::GenerationRequest no_user;
  no_user.messages = {{{"role", "system"}, {"content", "hi"}}};
  EXPECT_THAT(error_of([&] { gen->generate(no_user); }, ragrt::ErrorKind::kInvalidArgument), HasSubstr("user"));
  ragrt::GenerationRequest no_role;
  no_role.messages = {{{"content", "hi"}}};
  EXPECT_THAT(error_of([&] { gen->generate(no_role); }, ragrt::ErrorKind::kInvalidArgument), HasSubstr("role"));
  error_of([] { ragrt::make_extractive_generator({.max_sentences = 0}); }, ragrt::ErrorKind::kInvalidArgument);
}

}  // namespace
