// Embedding throughput of ragrt::Embedder over a file of texts (one per line), for bench/embed.sh.
//   embed_bench --model DIR --texts FILE [--batch-size N] [--max-batch-tokens N] [--threads N] [--spinning 0|1]
//               [--graph-optimization all] [--repeat N] [--dump-first N --dump FILE]
// Prints one line: ours_texts_per_s=... peak_rss_mb=... texts=... seconds=...
#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "ragrt/onnx_embedder.h"

namespace {

std::string arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == name) return argv[i + 1];
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string model = arg(argc, argv, "--model", "");
    const std::string texts_file = arg(argc, argv, "--texts", "");
    if (model.empty() || texts_file.empty()) {
      std::cerr << "usage: embed_bench --model DIR --texts FILE [--batch-size N] [--max-batch-tokens N] [--threads N] [--spinning 0|1] "
                   "[--graph-optimization LEVEL] [--repeat N] [--dump-first N --dump FILE]\n";
      return 2;
    }
    std::vector<std::string> texts;
    {
      std::ifstream in(texts_file);
      for (std::string line; std::getline(in, line);) texts.push_back(line);
    }
    ragrt::EmbedderOptions o;
    o.batch_size = std::stoul(arg(argc, argv, "--batch-size", "32"));
    o.max_batch_tokens = std::stoul(arg(argc, argv, "--max-batch-tokens", std::to_string(o.max_batch_tokens)));
    o.session.intra_op_threads = std::stoi(arg(argc, argv, "--threads", "0"));
    o.session.allow_spinning = arg(argc, argv, "--spinning", "1") == "1";
    o.session.graph_optimization =
        ragrt::runtime::parse_graph_optimization(arg(argc, argv, "--graph-optimization", "all"));
    const int repeat = std::stoi(arg(argc, argv, "--repeat", "1"));
    auto embedder = ragrt::OnnxEmbedder::load(model, o);

    // Warm-up: first runs allocate the arena and prepare kernels.
    embedder->embed(std::vector<std::string>(texts.begin(), texts.begin() + std::min<size_t>(texts.size(), 64)));

    std::vector<std::vector<float>> vectors;
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < repeat; ++r) vectors = embedder->embed(texts);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    const size_t dump_first = std::stoul(arg(argc, argv, "--dump-first", "0"));
    const std::string dump = arg(argc, argv, "--dump", "");
    if (dump_first && !dump.empty()) {
      std::ofstream out(dump);
      out << '[';
      for (size_t i = 0; i < std::min(dump_first, vectors.size()); ++i) {
        out << (i ? ",[" : "[");
        for (size_t d = 0; d < vectors[i].size(); ++d) out << (d ? "," : "") << fmt::format("{}", vectors[i][d]);
        out << ']';
      }
      out << "]\n";
    }
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::cout << fmt::format("ours_texts_per_s={:.1f} peak_rss_mb={:.1f} texts={} seconds={:.3f} batch_size={} threads={}\n",
                             texts.size() * repeat / seconds, ru.ru_maxrss / 1024.0, texts.size() * repeat, seconds,
                             o.batch_size, o.session.intra_op_threads);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "embed_bench: " << e.what() << "\n";
    return 1;
  }
}
