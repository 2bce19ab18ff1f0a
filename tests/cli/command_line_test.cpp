// The ragrt command line when it is mistyped: the word that went wrong and what was meant.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_helpers.h"

namespace {

using ::testing::HasSubstr;
using ragrt::testing::run_cli;

TEST(CommandLine, AMistypedCommandOrOptionGetsDidYouMean) {
  auto aks = run_cli("aks", /*with_stderr=*/true);
  EXPECT_NE(WEXITSTATUS(aks.status), 0);
  EXPECT_THAT(aks.out, HasSubstr("ragrt: unknown command 'aks' for 'ragrt'; did you mean 'ask'? (commands: ask,"));
  auto lst = run_cli("trace lst", true);
  EXPECT_THAT(lst.out, HasSubstr("unknown command 'lst' for 'ragrt trace'; did you mean 'list'?"));
  auto confg = run_cli("ask 'where?' --confg ragrt.yaml", true);
  EXPECT_NE(WEXITSTATUS(confg.status), 0);
  EXPECT_THAT(confg.out, HasSubstr("unknown option '--confg' for 'ragrt ask'; did you mean '--config'? (see ragrt ask --help)"));
  // A value that looks like nothing known is not mistaken for an option.
  auto value = run_cli("ask 'where?' --pipeline support --confg=x", true);
  EXPECT_THAT(value.out, HasSubstr("unknown option '--confg'"));
  auto nothing = run_cli("trace", true);
  EXPECT_THAT(nothing.out, HasSubstr("'ragrt trace' needs a command: show, list"));
  auto far = run_cli("zzzzzz", true);
  EXPECT_THAT(far.out, HasSubstr("unknown command 'zzzzzz' for 'ragrt' (commands: "));
}

TEST(CommandLine, EveryCommandsHelpEndsWithAnExample) {
  for (const char* command : {"ask", "config", "embed", "eval", "generate", "index", "init", "models", "ocr", "rerank", "search",
                              "serve", "tokenize", "trace", "version"}) {
    auto help = run_cli(std::string(command) + " --help");
    EXPECT_EQ(help.status, 0) << command;
    EXPECT_THAT(help.out, HasSubstr("Examples:\n  ragrt " + std::string(command))) << help.out;
  }
}

// A newcomer's first three commands: init, then the two it prints, work as written.
TEST(CommandLine, InitWritesAConfigThatIndexesAndAnswers) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(RAGRT_TEST_WORK_DIR) / ("init_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "my docs");
  std::ofstream(dir / "my docs" / "refunds.txt") << "Refunds are paid within five working days after the return arrives.";
  const std::string in = "cd " + ragrt::testing::shell_quote(dir.string()) + " && ";
  auto init = ragrt::testing::run_cli_env(in, "init 'my docs'");
  ASSERT_EQ(init.status, 0) << init.out;
  EXPECT_THAT(init.out, HasSubstr("  ragrt index 'my docs' --config ragrt.yaml\n"));
  EXPECT_THAT(init.out, HasSubstr("  ragrt ask \"your question\" --config ragrt.yaml"));
  EXPECT_EQ(ragrt::testing::run_cli_env(in, "config check ragrt.yaml").status, 0);
  ASSERT_EQ(ragrt::testing::run_cli_env(in, "index 'my docs' --config ragrt.yaml").status, 0);
  auto ask = ragrt::testing::run_cli_env(in, "ask 'How long do refunds take?' --config ragrt.yaml");
  EXPECT_THAT(ask.out, HasSubstr("Refunds are paid within five working days after the return arrives. [1]"));
  // Never over a config that is there, and never for a folder that is not.
  auto again = ragrt::testing::run_cli_env(in, "init 'my docs'", true);
  EXPECT_NE(again.status, 0);
  EXPECT_THAT(again.out, HasSubstr("ragrt.yaml exists: give another --config FILE, or --force to replace it"));
  EXPECT_EQ(ragrt::testing::run_cli_env(in, "init 'my docs' --force").status, 0);
  EXPECT_THAT(ragrt::testing::run_cli_env(in, "init nowhere", true).out, HasSubstr("nowhere: not a folder"));
  fs::remove_all(dir);
}

TEST(CommandLine, VersionFlag) {
  auto v = run_cli("--version");
  EXPECT_EQ(v.status, 0);
  EXPECT_THAT(v.out, ::testing::StartsWith("ragrt "));
  EXPECT_THAT(v.out, HasSubstr("(onnxruntime 1.29"));
}

}  // namespace
