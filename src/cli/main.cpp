#include <iostream>
#include <memory>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/command.h"
#include "cli/suggestions.h"
#include "ragrt/error.h"
#include "ragrt/version.h"
#include "util/log_format.h"

namespace ragrt::cli {
std::vector<Command>& command_registry() {
  static std::vector<Command> commands;
  return commands;
}
}  // namespace ragrt::cli

int main(int argc, char** argv) {
  using namespace ragrt::cli;
  CLI::App app{"ragrt: retrieval-augmented generation and agents on ONNX Runtime"};
  app.require_subcommand(1);
  app.set_version_flag("--version", [] { return "ragrt " + ragrt::version() + " (onnxruntime " + ragrt::onnxruntime_version() + ")"; });
  std::string log_level = "warn";
  CLI::Option* level_flag =
      app.add_option("--log-level", log_level, "trace, debug, info, warn, error (serve: info, for its access log)")
          ->capture_default_str();
  std::string log_format = "text";
  app.add_option("--log-format", log_format, "text, or json: one JSON object per line")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  std::vector<std::pair<CLI::App*, std::function<int()>>> actions;
  for (auto& c : command_registry()) {
    CLI::App* sub = app.add_subcommand(c.name, c.description);
    actions.emplace_back(sub, c.setup(*sub));
    if (!c.examples.empty()) {  // after the command's own footer, if it has one
      const std::string own = sub->get_footer();
      std::string footer = own.empty() ? "Examples:" : own + "\n\nExamples:";
      for (const auto& e : c.examples) footer += "\n  " + e;
      sub->footer(footer);
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" that succeed; a real mistake gets a hint when one is found.
    if (e.get_exit_code() != 0) {
      if (auto hint = command_line_hint(app, argc, argv)) {
        std::cerr << "ragrt: " << *hint << "\n";
        return e.get_exit_code();
      }
    }
    return app.exit(e);
  }
  spdlog::set_default_logger(spdlog::stderr_logger_mt("ragrt"));
  ragrt::util::use_log_format(ragrt::util::log_format_named(log_format));
  // A server's operators want its access log and reloads (info) unless they say otherwise.
  const bool serving = app.got_subcommand("serve");
  spdlog::set_level(spdlog::level::from_str(level_flag->count() == 0 && serving ? "info" : log_level));
  try {
    for (auto& [sub, action] : actions) {
      if (sub->parsed()) return action();
    }
  } catch (const ragrt::Error& e) {
    std::cerr << "ragrt: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "ragrt: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
