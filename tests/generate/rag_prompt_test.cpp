#include "ragrt/rag_prompt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ragrt {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<ContextPassage> passages() {
  ContextPassage a;
  a.id = "1";
  a.text = "Refunds are issued within 5 working days.";
  a.source = "policies/returns.md";
  a.section = "Returns > Refund timing";
  ContextPassage b;
  b.id = "2";
  b.text = "退款将在五个工作日内退回。";
  b.source = "manual.pdf";
  b.page = 12;
  return {a, b};
}

TEST(RagPrompt, NumbersPassagesWithTheirSourceInTheSystemMessage) {
  auto messages = rag_messages("How long do refunds take?", passages());
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0]["role"], "system");
  const std::string system = messages[0]["content"];
  EXPECT_THAT(system, HasSubstr(default_rag_instructions()));
  EXPECT_THAT(system, HasSubstr("[1] (policies/returns.md § Returns > Refund timing)\nRefunds are issued"));
  EXPECT_THAT(system, HasSubstr("[2] (manual.pdf, page 12)\n退款将在"));
  EXPECT_EQ(messages[1], (ChatMessage{{"role", "user"}, {"content", "How long do refunds take?"}}));
}

TEST(RagPrompt, CustomInstructionsHistoryAndNoPassages) {
  std::vector<ChatMessage> history{{{"role", "user"}, {"content", "hi"}}, {{"role", "assistant"}, {"content", "hello"}}};
  auto messages = rag_messages("and now?", {}, "Be terse.", history);
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_THAT(messages[0]["content"].get<std::string>(), HasSubstr("Be terse.\n\nContext passages:\n(none were found)"));
  EXPECT_EQ(messages[1]["content"], "hi");
  EXPECT_EQ(messages[3]["content"], "and now?");
}

TEST(RagPrompt, ReadsCitationsBackInOrderOfFirstUse) {
  auto p = passages();
  EXPECT_THAT(cited_passages("Five days [2]. Cards take longer [1][2].", p), ElementsAre("2", "1"));
  EXPECT_THAT(cited_passages("See [1, 2] and [7] and [a] and [].", p), ElementsAre("1", "2"));
  EXPECT_TRUE(cited_passages("No citations here.", p).empty());
}

}  // namespace
}  // namespace ragrt
