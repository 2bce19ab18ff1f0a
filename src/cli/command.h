#pragma once
// Each subcommand lives in its own cmd_*.cpp and registers itself here, so adding one never
// touches main.cpp.
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace ragrt::cli {

struct Command {
  std::string name;
  std::string description;
  // Adds options to `sub` and returns the action to run when `sub` was chosen. The action returns
  // the process exit code.
  std::function<std::function<int()>(CLI::App& sub)> setup;
  // Shown at the end of `ragrt NAME --help`: command lines that work as written.
  std::vector<std::string> examples;
};

std::vector<Command>& command_registry();

struct CommandRegistrar {
  explicit CommandRegistrar(Command c) { command_registry().push_back(std::move(c)); }
};

}  // namespace ragrt::cli
