// `ragrt embed`: sentence embeddings of the texts given, as JSON on stdout.
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/session_flags.h"
#include "ragrt/onnx_embedder.h"
#include "ragrt/error.h"

namespace ragrt::cli {
namespace {

struct EmbedArgs {
  std::string model;
  std::vector<std::string> texts;
  bool from_stdin = false;
  std::string pooling;
  bool normalize = false;
  bool no_normalize = false;
  std::string format = "array";
  EncoderFlags encoder;
};

// Floats in their shortest round-trip form: a 384-dim vector stays readable and exact.
void write_vector(std::ostream& out, const std::vector<float>& v) {
  out << '[';
  for (size_t i = 0; i < v.size(); ++i) out << (i ? "," : "") << fmt::format("{}", v[i]);
  out << ']';
}

std::function<int()> setup_embed(CLI::App& app) {
  auto args = std::make_shared<EmbedArgs>();
  app.description(
      "Embed texts with a sentence-embedding model folder (config.json, tokenizer.json, onnx/model.onnx, "
      "sentence-transformers pooling config).\n"
      "Output (stdout, JSON):\n"
      "  --format array  (default) one array of vectors, in input order: [[0.01,...],[...]]\n"
      "  --format object {\"model\":DIR,\"dimension\":N,\"pooling\":\"mean\",\"normalized\":true,\n"
      "                   \"max_length\":T,\"provider\":\"cpu\",\"embeddings\":[[...],...]}");
  app.add_option("--model", args->model, "Model folder")->required();
  app.add_option("texts", args->texts, "Texts to embed");
  app.add_flag("--stdin", args->from_stdin, "Also read texts from stdin, one per line");
  app.add_option("--pooling", args->pooling, "Override the folder's pooling: mean, cls, max, last_token");
  app.add_flag("--normalize", args->normalize, "L2-normalize even if the folder does not say so");
  app.add_flag("--no-normalize", args->no_normalize, "Do not L2-normalize");
  app.add_option("--format", args->format, "array or object (see above)")
      ->check(CLI::IsMember({"array", "object"}))
      ->capture_default_str();
  args->encoder.add_to(app, "Texts");

  return [args]() -> int {
    std::vector<std::string> texts = args->texts;
    if (args->from_stdin) {
      for (std::string line; std::getline(std::cin, line);) texts.push_back(line);
    }
    RAGRT_THROW_IF_NOT_KIND(!texts.empty(), ErrorKind::kInvalidArgument,
                            "no texts to embed (give them as arguments or with --stdin)");
    RAGRT_THROW_IF_NOT_KIND(!(args->normalize && args->no_normalize), ErrorKind::kInvalidArgument,
                            "--normalize and --no-normalize contradict each other");
    EmbedderOptions options;
    args->encoder.apply(options);
    if (!args->pooling.empty()) options.pooling = parse_pooling(args->pooling);
    if (args->normalize) options.normalize = true;
    if (args->no_normalize) options.normalize = false;
    auto embedder = OnnxEmbedder::load(args->model, options);
    auto vectors = embedder->embed(texts);

    std::ostream& out = std::cout;
    if (args->format == "object") {
      out << "{\"model\":" << nlohmann::json(args->model).dump() << ",\"dimension\":" << embedder->dimension()
          << ",\"pooling\":\"" << to_string(embedder->pooling()) << "\",\"normalized\":"
          << (embedder->normalizes() ? "true" : "false") << ",\"max_length\":" << embedder->max_length()
          << ",\"provider\":\"" << runtime::to_string(embedder->session().provider()) << "\",\"embeddings\":";
    }
    out << '[';
    for (size_t i = 0; i < vectors.size(); ++i) {
      if (i) out << ',';
      write_vector(out, vectors[i]);
    }
    out << ']';
    if (args->format == "object") out << '}';
    out << '\n';
    return 0;
  };
}

CommandRegistrar reg{{"embed", "Embed texts with a sentence-embedding model (JSON vectors on stdout)", setup_embed, {"ragrt embed --model models/all-MiniLM-L6-v2 \"refund policy\" \"shipping times\""}}};

}  // namespace
}  // namespace ragrt::cli
