#pragma once
// How index / search / eval find their configuration: --config FILE, or --collection DIR for a
// keyword-only collection without any file.
#include <string>

#include <CLI/CLI.hpp>

#include "ragrt/error.h"
#include "ragrt/rag_config.h"

namespace ragrt::cli {

struct ConfigFlags {
  std::string config_file;
  std::string collection;

  void add_to(CLI::App& app) {
    app.add_option("--config,-c", config_file, "ragrt YAML config (collection, models, retrievers)");
    app.add_option("--collection", collection,
                   "index folder, for a keyword-only (bm25) collection without a config file; overrides the "
                   "config's `collection`");
  }

  RagConfig load() const {
    if (config_file.empty() && collection.empty())
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                       "give --config FILE (see examples/customer-service/ragrt.yaml) or --collection DIR");
    RagConfig c = config_file.empty() ? RagConfig::defaults(collection) : RagConfig::load(config_file);
    if (!collection.empty()) c.collection = collection;
    return c;
  }
};

}  // namespace ragrt::cli
