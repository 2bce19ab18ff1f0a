#pragma once
// "Did you mean …": when the command line does not parse, the word that went wrong (a command or
// an option of the command it was given to) and the closest names it could have meant.
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace ragrt::cli {

// The candidates within a distance of a third of `word`'s length (at least 2), closest first.
std::vector<std::string> closest_names(const std::string& word, const std::vector<std::string>& candidates);

// What to tell the user when `argv` did not parse under `app`, or nullopt when this walk finds no
// unknown command or option (CLI11's own message then stands).
std::optional<std::string> command_line_hint(const CLI::App& app, int argc, const char* const* argv);

}  // namespace ragrt::cli
