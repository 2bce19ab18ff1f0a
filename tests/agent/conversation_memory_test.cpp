#include "ragrt/conversation_memory.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "ragrt/error.h"

namespace ragrt {
namespace {

namespace fs = std::filesystem;

class MemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(RAGRT_TEST_WORK_DIR) / "memory" / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    params_.path = dir_ / "memory.sqlite";
  }
  static ChatMessage msg(const std::string& role, const std::string& content) {
    return {{"role", role}, {"content", content}};
  }
  static size_t ten(const ChatMessage&) { return 10; }

  fs::path dir_;
  MemoryParams params_;
};

TEST_F(MemoryTest, KeepsTurnsAcrossReopen) {
  {
    auto memory = open_sqlite_memory(params_);
    memory->append("s1", {msg("user", "Where is my order?"), msg("assistant", "It shipped [1].")});
    memory->append("s2", {msg("user", "other session")});
  }
  auto memory = open_sqlite_memory(params_);
  auto h = memory->history("s1", 1000, ten);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0]["content"], "Where is my order?");
  EXPECT_EQ(h[1]["role"], "assistant");
  EXPECT_TRUE(memory->history("unknown", 1000, ten).empty());
  memory->clear("s1");
  EXPECT_TRUE(memory->history("s1", 1000, ten).empty());
  EXPECT_EQ(memory->history("s2", 1000, ten).size(), 1u);
}

TEST_F(MemoryTest, BudgetDropsOldestTurnsKeepsSystemAndWholeTurns) {
  auto memory = open_sqlite_memory(params_);
  memory->append("s", {msg("system", "be brief")});
  for (int i = 0; i < 5; ++i) memory->append("s", {msg("user", "q" + std::to_string(i)), msg("assistant", "a" + std::to_string(i))});
  // 10 tokens each: system (10) + two turns (40) fit in 55, a third turn would not.
  auto h = memory->history("s", 55, ten);
  ASSERT_EQ(h.size(), 5u);
  EXPECT_EQ(h[0]["role"], "system");
  EXPECT_EQ(h[1]["content"], "q3");
  EXPECT_EQ(h[4]["content"], "a4");
  // 45 would fit q4 a4 and the answer a3, but never an answer without its question.
  h = memory->history("s", 45, ten);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[1]["content"], "q4");
}

TEST_F(MemoryTest, MaxMessagesDeletesOldestButNotSystem) {
  params_.max_messages = 3;
  auto memory = open_sqlite_memory(params_);
  memory->append("s", {msg("system", "rules")});
  for (int i = 0; i < 4; ++i) memory->append("s", {msg("user", "q" + std::to_string(i))});
  auto h = memory->history("s", 1000, ten);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0]["content"], "rules");
  EXPECT_EQ(h[1]["content"], "q2");
  EXPECT_EQ(h[2]["content"], "q3");
}

TEST_F(MemoryTest, BadSessionIdsAndMessagesAreRefusedAndNothingIsStored) {
  auto memory = open_sqlite_memory(params_);
  EXPECT_THROW(memory->append("", {msg("user", "x")}), Error);
  EXPECT_THROW(memory->append("a b", {msg("user", "x")}), Error);
  EXPECT_THROW(memory->history(std::string(200, 'a'), 10, ten), Error);
  EXPECT_THROW(memory->append("s", {msg("user", "kept?"), ChatMessage{{"content", "no role"}}}), Error);
  EXPECT_TRUE(memory->history("s", 1000, ten).empty()) << "a failed append must store nothing";
}

TEST_F(MemoryTest, NotADatabaseIsAClearError) {
  fs::create_directories(dir_);
  { std::ofstream(params_.path) << "this is not sqlite, just text that is long enough to be a header......"; }
  try {
    open_sqlite_memory(params_);
    FAIL() << "opened a text file";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("memory.sqlite"), std::string::npos) << e.what();
  }
}

TEST(EstimateTokens, CountsCjkCharactersAndAsciiQuarters) {
  EXPECT_EQ(estimate_tokens({{"role", "user"}, {"content", "abcdefgh"}}), 4u + 2u);
  EXPECT_EQ(estimate_tokens({{"role", "user"}, {"content", "我的订单"}}), 4u + 4u);
}

}  // namespace
}  // namespace ragrt
