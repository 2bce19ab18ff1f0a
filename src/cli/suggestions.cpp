#include "cli/suggestions.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "text/edit_distance.h"

namespace ragrt::cli {
namespace {

std::string path_of(const CLI::App* app) {
  std::string out;
  for (const CLI::App* a = app; a; a = a->get_parent()) out = a->get_parent() ? " " + a->get_name() + out : "ragrt" + out;
  return out;
}

std::vector<std::string> command_names(const CLI::App* app) {
  std::vector<std::string> out;
  for (const CLI::App* sub : app->get_subcommands([](const CLI::App*) { return true; })) out.push_back(sub->get_name());
  return out;
}

// The option of `app` named `name` ("--config", "-c"), or null.
const CLI::Option* option_named(const CLI::App* app, const std::string& name) {
  for (const CLI::Option* o : app->get_options()) {
    if (name.rfind("--", 0) == 0) {
      for (const auto& l : o->get_lnames())
        if ("--" + l == name) return o;
    } else if (name.size() == 2) {
      for (const auto& s : o->get_snames())
        if ("-" + s == name) return o;
    }
  }
  return nullptr;
}

std::vector<std::string> long_options(const CLI::App* app) {
  std::vector<std::string> out;
  for (const CLI::Option* o : app->get_options())
    for (const auto& l : o->get_lnames()) out.push_back("--" + l);
  return out;
}

std::string did_you_mean(const std::vector<std::string>& close) {
  if (close.empty()) return "";
  std::vector<std::string> quoted;
  for (const auto& c : close) quoted.push_back("'" + c + "'");
  return fmt::format("; did you mean {}?", fmt::join(quoted, " or "));
}

}  // namespace

std::vector<std::string> closest_names(const std::string& word, const std::vector<std::string>& candidates) {
  const size_t limit = std::max<size_t>(2, word.size() / 3);
  std::vector<std::pair<size_t, std::string>> scored;
  for (const auto& c : candidates)
    if (const size_t d = text::edit_distance(word, c); d <= limit) scored.emplace_back(d, c);
  std::stable_sort(scored.begin(), scored.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (const auto& [d, c] : scored)
    if (d == scored.front().first && out.size() < 3) out.push_back(c);
  return out;
}

std::optional<std::string> command_line_hint(const CLI::App& root, int argc, const char* const* argv) {
  const CLI::App* app = &root;
  for (int i = 1; i < argc; ++i) {
    const std::string token = argv[i];
    if (token == "--") break;
    if (token.size() > 1 && token[0] == '-') {
      const std::string name = token.substr(0, token.find('='));
      const CLI::Option* o = option_named(app, name);
      if (!o && app != &root) o = option_named(&root, name);
      if (!o) {
        const std::string close = did_you_mean(closest_names(name, long_options(app)));
        return fmt::format("unknown option '{}' for '{}'{} (see {} --help)", name, path_of(app), close, path_of(app));
      }
      // An option that takes a value takes the next word, unless it came with '='.
      if (o->get_type_size_max() > 0 && token.find('=') == std::string::npos) ++i;
      continue;
    }
    const std::vector<std::string> commands = command_names(app);
    if (commands.empty()) continue;  // a positional argument
    const auto found = app->get_subcommands([&](const CLI::App* sub) { return sub->check_name(token); });
    if (!found.empty()) {
      app = found.front();
      continue;
    }
    return fmt::format("unknown command '{}' for '{}'{} (commands: {})", token, path_of(app),
                       did_you_mean(closest_names(token, commands)), fmt::join(commands, ", "));
  }
  if (app->get_require_subcommand_min() > 0)
    return fmt::format("'{}' needs a command: {} (see {} --help)", path_of(app), fmt::join(command_names(app), ", "),
                       path_of(app));
  return std::nullopt;
}

}  // namespace ragrt::cli
