// ragrt search "query" --config FILE: ranked chunks with every stage's score, source and offsets.
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ingest/text_region_json.h"
#include "cli/command.h"
#include "cli/config_flags.h"
#include "ragrt/error.h"
#include "ragrt/knowledge_base.h"

namespace ragrt::cli {
namespace {

struct SearchArgs {
  ConfigFlags config;
  std::string query;
  std::string retriever;
  size_t k = 5;
  std::vector<std::string> docs;
  std::string section;
  std::vector<std::string> where;
  bool json = false;
};

std::string stage_line(const Hit& h) {
  std::string out;
  for (const char* stage : {"bm25", "dense", "fused", "mmr", "rerank"}) {
    auto it = h.stages.find(stage);
    if (it == h.stages.end()) continue;
    if (!out.empty()) out += " · ";
    auto r = h.ranks.find(stage);
    out += fmt::format("{} {:.4f}{}", stage, it->second, r != h.ranks.end() ? fmt::format(" #{}", r->second) : "");
  }
  return out;
}

// The first ~400 bytes, cut at a character boundary.
std::string preview(const std::string& text) {
  if (text.size() <= 400) return text;
  size_t cut = 400;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "…";
}

int run_search(const SearchArgs& args) {
  const RagConfig config = args.config.load();
  auto kb = KnowledgeBase::open(config, /*writer=*/false);
  SearchRequest req;
  req.query = args.query;
  req.k = args.k;
  req.filter.doc_ids = args.docs;
  req.filter.section_prefix = args.section;
  for (const std::string& w : args.where) {
    const size_t eq = w.find('=');
    if (eq == std::string::npos || eq == 0)
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "--where '{}': expected KEY=VALUE", w);
    req.filter.metadata[w.substr(0, eq)] = w.substr(eq + 1);
  }
  const std::string name = args.retriever.empty() ? config.default_retriever : args.retriever;
  const std::vector<SearchResult> results = kb->search(req, name);
  if (args.json) {
    nlohmann::json hits = nlohmann::json::array();
    for (size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      const Chunk& c = r.chunk.chunk;
      hits.push_back({{"rank", i + 1}, {"chunk_id", r.hit.chunk_id}, {"score", r.hit.score},
                      {"stages", r.hit.stages}, {"ranks", r.hit.ranks}, {"doc_id", c.doc_id},
                      {"title", r.chunk.title}, {"source", r.chunk.source}, {"section", c.section},
                      {"page", c.page}, {"page_end", c.page_end}, {"begin", c.begin}, {"end", c.end},
                      {"text", c.text}, {"regions", ingest::regions_to_json(c.regions)}});
    }
    nlohmann::json out = {{"query", args.query}, {"retriever", name}, {"hits", hits}};
    std::cout << out.dump() << "\n";
    return 0;
  }
  if (results.empty()) {
    fmt::print("no results for \"{}\" ({})\n", args.query, name);
    return 0;
  }
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    const Chunk& c = r.chunk.chunk;
    std::string where = r.chunk.source;
    if (!c.section.empty()) where += " § " + c.section;
    if (c.page) where += c.page_end > c.page ? fmt::format(" (pp. {}-{})", c.page, c.page_end) : fmt::format(" (p. {})", c.page);
    fmt::print("{}. {:.4f}  [{}]\n   {}  [{}, {})  doc {}\n   {}\n\n", i + 1, r.hit.score, stage_line(r.hit), where,
               c.begin, c.end, c.doc_id, preview(c.text));
  }
  return 0;
}

CommandRegistrar reg{{"search", "Search a collection: ranked chunks with stage scores, source and offsets",
                      [](CLI::App& sub) {
                        auto args = std::make_shared<SearchArgs>();
                        sub.add_option("query", args->query, "the question or keywords")->required();
                        args->config.add_to(sub);
                        sub.add_option("--retriever,-r", args->retriever, "retriever name (default: the config's)");
                        sub.add_option("-k", args->k, "number of results")->check(CLI::PositiveNumber);
                        sub.add_option("--doc", args->docs, "only chunks of this document id (repeatable)");
                        sub.add_option("--section", args->section, "only chunks whose section path starts with this");
                        sub.add_option("--where", args->where, "only documents with metadata KEY=VALUE (repeatable)");
                        sub.add_flag("--json", args->json, "one JSON object with all hits");
                        return [args] { return run_search(*args); };
                      }, {"ragrt search \"refund policy\" --config ragrt.yaml"}}};

}  // namespace
}  // namespace ragrt::cli
