// `ragrt tokenize`: shows how a tokenizer splits texts (ids, tokens, code-point offsets as Hugging
// Face's bindings report them) or decodes ids back to text.
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "ragrt/error.h"
#include "ragrt/tokenizer.h"

namespace ragrt::cli {
namespace {

struct TokenizeOptions {
  std::string model;
  bool json = false;
  bool no_special = false;
  bool decode = false;
  bool keep_special = false;
  std::vector<std::string> inputs;
};

int run_tokenize(const TokenizeOptions& o) {
  auto tok = Tokenizer::from_path(o.model);
  tok->set_padding(std::nullopt);  // show the tokens themselves, never padding
  if (o.decode) {
    std::vector<int32_t> ids;
    for (const auto& s : o.inputs) {
      try {
        size_t used = 0;
        long long v = std::stoll(s, &used);
        if (used != s.size() || v < INT32_MIN || v > INT32_MAX) throw std::invalid_argument(s);
        ids.push_back(static_cast<int32_t>(v));
      } catch (const std::exception&) {
        RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "--decode expects integer token ids, got \"{}\"", s);
      }
    }
    std::cout << tok->decode(ids, !o.keep_special) << "\n";
    return 0;
  }
  std::vector<std::string> texts = o.inputs;
  if (texts.empty()) {
    std::string line;
    while (std::getline(std::cin, line)) texts.push_back(line);
  }
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const auto& text : texts) {
    Encoding e = tok->encode(text, !o.no_special);
    auto offsets = to_char_offsets(text, e.offsets);
    if (o.json) {
      nlohmann::ordered_json off = nlohmann::ordered_json::array();
      for (const auto& [s, t] : offsets) off.push_back({s, t});
      nlohmann::ordered_json item;
      item["ids"] = e.ids;
      item["tokens"] = e.tokens;
      item["offsets"] = off;
      all.push_back(std::move(item));
      continue;
    }
    std::cout << "text: " << text << "\n";
    std::cout << "ids:";
    for (int32_t id : e.ids) std::cout << ' ' << id;
    std::cout << "\ntokens:";
    for (const auto& t : e.tokens) std::cout << ' ' << nlohmann::json(t).dump();
    std::cout << "\noffsets:";
    for (const auto& [s, t] : offsets) std::cout << " [" << s << ',' << t << ']';
    std::cout << "\n";
  }
  if (o.json) std::cout << all.dump() << "\n";
  return 0;
}

CommandRegistrar reg{{"tokenize", "Tokenize texts (or decode ids) with a Hugging Face tokenizer",
                      [](CLI::App& sub) {
                        auto o = std::make_shared<TokenizeOptions>();
                        sub.add_option("--model", o->model,
                                       "tokenizer.json, or a folder with tokenizer.json or vocab.json + merges.txt")
                            ->required();
                        sub.add_flag("--json", o->json, "print one JSON array with {ids, tokens, offsets} per text");
                        sub.add_flag("--no-special", o->no_special, "do not add special tokens");
                        sub.add_flag("--decode", o->decode, "decode the given ids instead of tokenizing");
                        sub.add_flag("--keep-special", o->keep_special, "with --decode: keep special tokens");
                        // Texts are taken verbatim from the arguments after the options: a CLI11
                        // positional would read "[a,b]" as a list and strip the brackets from texts
                        // like "[CLS] hi".
                        sub.prefix_command();
                        sub.footer("Texts (or ids with --decode) follow the options; without any, texts are read "
                                   "from stdin, one per line.");
                        CLI::App* app = &sub;
                        return [o, app] {
                          o->inputs = app->remaining();
                          if (!o->inputs.empty() && o->inputs.front() == "--") o->inputs.erase(o->inputs.begin());
                          return run_tokenize(*o);
                        };
                      }, {"ragrt tokenize --model ../shared/models/tokenizers/qwen3-bpe --json \"退货政策 refund\""}}};

}  // namespace
}  // namespace ragrt::cli
