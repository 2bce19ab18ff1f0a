// The ragrt command line when it is mistyped: the word that went wrong and what was meant.
#include <sys/wait.h>

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
  for (const char* command : {"ask", "config", "embed", "eval", "generate", "index", "models", "ocr", "rerank", "search",
                              "serve", "tokenize", "trace", "version"}) {
    auto help = run_cli(std::string(command) + " --help");
    EXPECT_EQ(help.status, 0) << command;
    EXPECT_THAT(help.out, HasSubstr("Examples:\n  ragrt " + std::string(command))) << help.out;
  }
}

TEST(CommandLine, VersionFlag) {
  auto v = run_cli("--version");
  EXPECT_EQ(v.status, 0);
  EXPECT_THAT(v.out, ::testing::StartsWith("ragrt "));
  EXPECT_THAT(v.out, HasSubstr("(onnxruntime 1.29"));
}

}  // namespace
