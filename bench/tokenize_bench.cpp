// tokenize_bench: single-threaded encode throughput of ragrt::Tokenizer, the "ours" side of
// bench/run tokenize (bench/tokenize.sh runs it; bench/tokenize_peer.mjs is the Hugging Face side).
//
//   tokenize_bench TEXTS.jsonl NAME=PATH [NAME=PATH ...] [--min-seconds S]
//
// TEXTS.jsonl holds one JSON string per line. For each tokenizer: loads PATH with
// Tokenizer::from_path, encodes every text once to warm up, then encodes them one at a time
// (add_special_tokens=true, the tokenizer's own truncation/padding) in whole passes until at least
// S seconds (default 2) have gone by. Prints one line per tokenizer:
//   ours NAME texts=N passes=P seconds=T texts_per_s=R cpu_texts_per_s=C tokens_per_pass=K
// R is over wall-clock time, C over the process's CPU time (steadier on a busy machine);
// tokens_per_pass is the sum of encoding lengths, to compare with the peer's.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ragrt/error.h"
#include "ragrt/tokenizer.h"

namespace {

std::vector<std::string> read_texts(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) RAGRT_THROW_KIND(ragrt::ErrorKind::kNotFound, "{}: cannot open the texts file", path);
  std::vector<std::string> texts;
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_string()) RAGRT_THROW_KIND(ragrt::ErrorKind::kInvalidArgument, "{}:{}: expected a JSON string", path, n);
    texts.push_back(j.get<std::string>());
  }
  if (texts.empty()) RAGRT_THROW_KIND(ragrt::ErrorKind::kInvalidArgument, "{}: no texts", path);
  return texts;
}

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

size_t encode_all(const ragrt::Tokenizer& tok, const std::vector<std::string>& texts) {
  size_t tokens = 0;
  for (const auto& t : texts) tokens += tok.encode(t, true).size();
  return tokens;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s TEXTS.jsonl NAME=PATH [NAME=PATH ...] [--min-seconds S]\n", argv[0]);
    return 2;
  }
  try {
    const auto texts = read_texts(argv[1]);
    double min_seconds = 2.0;
    std::vector<std::pair<std::string, std::string>> tokenizers;
    for (int i = 2; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg == "--min-seconds" && i + 1 < argc) {
        min_seconds = std::atof(argv[++i]);
        continue;
      }
      auto eq = arg.find('=');
      if (eq == std::string::npos) RAGRT_THROW_KIND(ragrt::ErrorKind::kInvalidArgument, "expected NAME=PATH, got {}", arg);
      tokenizers.emplace_back(arg.substr(0, eq), arg.substr(eq + 1));
    }
    for (const auto& [name, path] : tokenizers) {
      auto tok = ragrt::Tokenizer::from_path(path);
      const size_t tokens = encode_all(*tok, texts);  // warm-up (caches, page faults)
      using clock = std::chrono::steady_clock;
      size_t passes = 0;
      const auto start = clock::now();
      const double cpu_start = process_cpu_seconds();
      double seconds = 0;
      do {
        if (encode_all(*tok, texts) != tokens) RAGRT_THROW("{}: token count changed between passes", name);
        ++passes;
        seconds = std::chrono::duration<double>(clock::now() - start).count();
      } while (seconds < min_seconds);
      const double cpu_seconds = process_cpu_seconds() - cpu_start;
      const auto done = static_cast<double>(texts.size() * passes);
      std::printf("ours %s texts=%zu passes=%zu seconds=%.3f texts_per_s=%.1f cpu_texts_per_s=%.1f tokens_per_pass=%zu\n",
                  name.c_str(), texts.size(), passes, seconds, done / seconds, done / cpu_seconds, tokens);
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tokenize_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
