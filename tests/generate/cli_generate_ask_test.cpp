// `ragrt generate` and `ragrt ask` end to end through the CLI binary.
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "runtime/test_models.h"
#include "test_helpers.h"

namespace ragrt {
namespace {

using ::testing::HasSubstr;
using testing::run_cli;
using testing::shell_quote;

TEST(CliGenerate, JsonReportsTextUsageAndFinishReason) {
  auto r = run_cli("generate --model " + shell_quote(testing::test_model_dir("llama-tiny").string()) +
                   " --json --greedy --max-new-tokens 5 --threads 1 --prompt 'Hello, world!'");
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["usage"]["prompt_tokens"], 4);
  EXPECT_EQ(j["usage"]["completion_tokens"], 5);
  EXPECT_EQ(j["finish_reason"], "length");
  EXPECT_TRUE(j["text"].is_string());
}

TEST(CliGenerate, MissingModelIsAnErrorExit) {
  auto r = run_cli("generate 'hello'");
  EXPECT_NE(r.status, 0);
  r = run_cli("generate --model /nonexistent 'hello'");
  EXPECT_NE(r.status, 0);
}

// The bundled customer-service documents, indexed with BM25 and answered by the default
// (extractive) generator: no model involved.
class CliAsk : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // ctest runs each test in its own process, in parallel: one folder per process.
    dir_ = std::filesystem::path(RAGRT_TEST_WORK_DIR) / ("cli_ask_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "ragrt.yaml") << "collection: index\n"
                                          "ingest: {text_fields: [text], id_field: id, title_field: title}\n"
                                          "splitter: {chunk_tokens: 64, overlap_tokens: 8}\n";
    auto docs = std::filesystem::path(RAGRT_SOURCE_DIR) / "examples" / "customer-service" / "docs";
    auto r = run_cli("index " + shell_quote(docs.string()) + " --config " + config());
    ASSERT_EQ(r.status, 0) << r.out;
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }
  static std::string config() { return shell_quote((dir_ / "ragrt.yaml").string()); }
  static nlohmann::json ask(const std::string& question) {
    auto r = run_cli("ask " + shell_quote(question) + " --config " + config() + " --json");
    EXPECT_EQ(r.status, 0) << r.out;
    return nlohmann::json::parse(r.out);
  }
  static inline std::filesystem::path dir_;
};

TEST_F(CliAsk, AnswersFromTheDocumentsWithCitations) {
  auto j = ask("How do I reset my password?");
  EXPECT_THAT(j["answer"].get<std::string>(), HasSubstr("Forgot password"));
  ASSERT_EQ(j["citations"].size(), 1u);
  EXPECT_THAT(j["citations"][0]["source"].get<std::string>(), HasSubstr("faq.csv"));
  EXPECT_THAT(j["generator"].get<std::string>(), HasSubstr("extractive"));
  EXPECT_LT(j["citations"][0]["begin"].get<size_t>(), j["citations"][0]["end"].get<size_t>());
}

TEST_F(CliAsk, AnswersChineseQuestions) {
  auto j = ask("退款多久到账？");
  EXPECT_THAT(j["answer"].get<std::string>(), HasSubstr("五个工作日"));
  EXPECT_EQ(j["citations"].size(), 1u);
}

TEST_F(CliAsk, SaysSoWhenTheDocumentsDoNotAnswer) {
  auto j = ask("Do you sell pizza?");
  EXPECT_THAT(j["answer"].get<std::string>(), HasSubstr("do not answer"));
  EXPECT_TRUE(j["citations"].empty());
}

}  // namespace
}  // namespace ragrt
