#include "ragrt/indexer.h"

#include <chrono>
#include <map>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "models/hub_digest.h"
#include "ragrt/error.h"
#include "ragrt/loader.h"
#include "ragrt/model_cache.h"
#include "ragrt/ocr.h"
#include "ragrt/splitter.h"
#include "ragrt/tokenizer.h"

namespace ragrt {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Counts words: runs of letters/digits, each CJK character and each punctuation mark are one
// token. Used to size chunks when no embedding tokenizer is configured.
constexpr const char* kWordTokenizerJson = R"json({
  "version": "1.0",
  "normalizer": {"type": "BertNormalizer", "clean_text": false, "handle_chinese_chars": true,
                 "strip_accents": false, "lowercase": false},
  "pre_tokenizer": {"type": "BertPreTokenizer"},
  "model": {"type": "WordLevel", "vocab": {"[UNK]": 0}, "unk_token": "[UNK]"}
})json";

std::unique_ptr<Tokenizer> splitter_tokenizer(const RagConfig& config) {
  std::unique_ptr<Tokenizer> t;
  if (!config.splitter_tokenizer.empty()) {
    t = Tokenizer::from_path(config.splitter_tokenizer);
  } else if (config.embedder && config.embedder->type == "onnx") {
    t = Tokenizer::from_path(config.embedder->model);
  } else {
    t = Tokenizer::from_json(kWordTokenizerJson, "built-in word counter");
  }
  // The splitter counts every token of a whole document.
  t->set_truncation(std::nullopt);
  t->set_padding(std::nullopt);
  return t;
}

uint64_t fnv1a(std::string_view s, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// Everything besides a file's bytes that shapes its chunks and vectors: when it changes, every
// file is re-indexed even though its content did not.
std::string pipeline_fingerprint(const RagConfig& c) {
  std::string s = fmt::format("chunk={}/{};tok={};fields={}|{}|{}|{};", c.splitter.chunk_tokens,
                              c.splitter.overlap_tokens, c.splitter_tokenizer.string(),
                              fmt::join(c.ingest.text_fields, ","), c.ingest.id_field, c.ingest.title_field,
                              fmt::join(c.ingest.metadata_fields, ","));
  if (c.embedder) {
    // What identifies the vectors: the model's config for onnx; the settings that pick the model
    // (not timeouts or keys) for the other types.
    std::string model;
    if (c.embedder->type == "onnx") {
      const fs::path config_json = c.embedder->model / "config.json";
      model = fs::exists(config_json) ? models::file_digest(config_json, models::DigestAlgorithm::kSha256)
                                      : c.embedder->model.string();
    } else if (c.embedder->type == "openai") {
      model = fmt::format("openai {} {} {}", c.embedder->openai.endpoint.base_url, c.embedder->openai.model,
                          c.embedder->openai.normalize);
    } else {
      model = c.embedder->type + " " + config::yaml_to_json(c.embedder->section).dump();
    }
    s += fmt::format("embed={};q={};d={};", model, c.embedder->query_prefix, c.embedder->document_prefix);
  }
  return fmt::format("{:016x}", fnv1a(s));
}

// What shapes the text OCR reads (for images and PDFs only, so turning OCR on or off re-reads
// those and leaves every other file as indexed).
std::string ocr_fingerprint(const RagConfig& c) {
  if (!c.ocr) return "ocr=off";
  const OcrParams& o = *c.ocr;
  return fmt::format("{:016x}", fnv1a(fmt::format("ocr={}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", o.model_dir.string(),
                                                  o.detection_model, o.classifier_model, o.recognition_model,
                                                  o.dictionary, o.detection_max_side, o.binary_threshold,
                                                  o.box_threshold, o.unclip_ratio, o.max_image_side, o.pdf_dpi,
                                                  o.space_threshold, o.direction_threshold, o.low_confidence)));
}

bool may_need_ocr(const DocumentLoader& loader) { return loader.name() == "pdf" || loader.name() == "image"; }

struct PendingFile {
  std::string file_id;
  std::string hash;
  std::vector<Document> docs;
  std::vector<std::vector<Chunk>> chunks;  // per document
};

class IndexRun {
 public:
  IndexRun(KnowledgeBase& kb, const IndexOptions& options)
      : kb_(kb), options_(options), tokenizer_(splitter_tokenizer(kb.config())),
        splitter_(*tokenizer_, kb.config().splitter), fingerprint_(pipeline_fingerprint(kb.config())),
        ocr_fingerprint_(ocr_fingerprint(kb.config())), start_(Clock::now()) {
    loader_options_ = kb.config().ingest;
    if (kb.config().ocr) {
      // Loaded on the first scan met, so indexing text files never needs the OCR models.
      auto engine = std::make_shared<Lazy<OcrEngine>>();
      loader_options_.ocr = [engine, params = *kb.config().ocr]() -> const OcrEngine& {
        return engine->get([&] { return std::make_shared<OcrEngine>(params); });
      };
    }
  }

  IndexReport run(const std::vector<fs::path>& paths) {
    const std::vector<SourceFile> files = collect_files(paths);
    progress_.files_total = files.size();
    load_existing();
    for (const SourceFile& f : files) {
      seen_.insert(f.doc_id);
      progress_.current = f.doc_id;
      process(f);
      ++progress_.files_done;
      if (pending_chunks_ >= options_.batch_chunks) flush();
      report();
    }
    flush();
    if (options_.prune) prune();
    kb_.collection().save_vectors();
    progress_.current.clear();
    report();
    return {progress_, failures_};
  }

 private:
  void load_existing() {
    for (const DocumentInfo& d : kb_.collection().store().documents()) {
      auto it = d.metadata.find("file");
      const std::string file_id = it != d.metadata.end() ? it->second : d.id;
      auto& entry = existing_[file_id];
      entry.hash = d.hash;
      entry.doc_ids.push_back(d.id);
    }
  }

  void fail(const SourceFile& f, std::string reason) {
    ++progress_.files_failed;
    IndexFailure failure{f.path, std::move(reason)};
    if (options_.on_failure) options_.on_failure(failure);
    failures_.push_back(std::move(failure));
  }

  void process(const SourceFile& f) {
    const DocumentLoader* loader = loader_for(f.path);
    if (!loader) {
      fail(f, fmt::format("unknown file type '{}' (ragrt reads .txt .md .html .pdf .csv .jsonl .docx and, with OCR, .png .jpg "
                          ".jpeg .tif .tiff .bmp)",
                          f.path.extension().string()));
      return;
    }
    try {
      const std::string hash = models::file_digest(f.path, models::DigestAlgorithm::kSha256) + ":" + fingerprint_ +
                               (may_need_ocr(*loader) ? ":" + ocr_fingerprint_ : "");
      if (auto it = existing_.find(f.doc_id); it != existing_.end() && it->second.hash == hash) {
        ++progress_.files_unchanged;
        return;
      }
      PendingFile p;
      p.file_id = f.doc_id;
      p.hash = hash;
      LoaderOptions options = loader_options_;
      options.on_page = [&](int done, int total) {
        progress_.current = fmt::format("{} (page {}/{})", f.doc_id, done, total);
        report();
      };
      p.docs = loader->load(f.path, f.doc_id, options);
      progress_.current = f.doc_id;
      for (Document& d : p.docs) {
        d.metadata["file"] = f.doc_id;
        p.chunks.push_back(splitter_.split(d));
        pending_chunks_ += p.chunks.back().size();
      }
      pending_.push_back(std::move(p));
    } catch (const std::exception& e) {
      // Whatever was indexed from this file before stays: a broken edit must not erase it.
      fail(f, e.what());
    }
  }

  // Embeds the pending files' chunks, then writes them in one transaction.
  void flush() {
    if (pending_.empty()) return;
    std::vector<std::vector<float>> vectors;
    if (kb_.config().embedder && pending_chunks_ > 0) {
      std::vector<std::string> texts;
      texts.reserve(pending_chunks_);
      for (const auto& p : pending_)
        for (const auto& cs : p.chunks)
          for (const auto& c : cs) texts.push_back(c.text);
      const auto t0 = Clock::now();
      vectors = kb_.embed_documents(texts);
      progress_.embed_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
      progress_.embeddings += vectors.size();
    }
    Collection& col = kb_.collection();
    col.begin();
    try {
      size_t v = 0;
      for (const auto& p : pending_) {
        std::set<std::string> new_ids;
        for (const auto& d : p.docs) new_ids.insert(d.id);
        if (auto it = existing_.find(p.file_id); it != existing_.end()) {
          for (const auto& old : it->second.doc_ids) {
            if (new_ids.count(old)) continue;  // replaced by put_document below
            col.remove_document(old);
            ++progress_.removed;
          }
        }
        for (size_t i = 0; i < p.docs.size(); ++i) {
          const auto& cs = p.chunks[i];
          std::vector<std::vector<float>> dv;
          if (!vectors.empty()) dv.assign(vectors.begin() + v, vectors.begin() + v + cs.size());
          v += cs.size();
          col.put_document(p.docs[i], p.hash, cs, dv);
          ++progress_.documents;
          progress_.chunks += cs.size();
        }
        ++progress_.files_indexed;
      }
      col.commit();
    } catch (...) {
      col.rollback();
      throw;
    }
    for (auto& p : pending_) {
      auto& entry = existing_[p.file_id];
      entry.hash = p.hash;
      entry.doc_ids.clear();
      for (const auto& d : p.docs) entry.doc_ids.push_back(d.id);
    }
    pending_.clear();
    pending_chunks_ = 0;
  }

  void prune() {
    std::vector<std::string> gone;
    for (const auto& [file_id, entry] : existing_)
      if (!seen_.count(file_id)) gone.push_back(file_id);
    if (gone.empty()) return;
    Collection& col = kb_.collection();
    col.begin();
    try {
      for (const auto& file_id : gone) {
        for (const auto& doc_id : existing_[file_id].doc_ids) {
          col.remove_document(doc_id);
          ++progress_.removed;
        }
      }
      col.commit();
    } catch (...) {
      col.rollback();
      throw;
    }
    for (const auto& file_id : gone) existing_.erase(file_id);
  }

  void report() {
    progress_.seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    if (options_.on_progress) options_.on_progress(progress_);
  }

  struct Existing {
    std::string hash;
    std::vector<std::string> doc_ids;
  };

  KnowledgeBase& kb_;
  const IndexOptions& options_;
  std::unique_ptr<Tokenizer> tokenizer_;
  Splitter splitter_;
  std::string fingerprint_;
  std::string ocr_fingerprint_;
  LoaderOptions loader_options_;  // the config's, with OCR attached
  Clock::time_point start_;
  IndexProgress progress_;
  std::vector<IndexFailure> failures_;
  std::map<std::string, Existing> existing_;  // file id -> what the collection holds for it
  std::set<std::string> seen_;
  std::vector<PendingFile> pending_;
  size_t pending_chunks_ = 0;
};

}  // namespace

IndexReport index_paths(KnowledgeBase& kb, const std::vector<fs::path>& paths, const IndexOptions& options) {
  return IndexRun(kb, options).run(paths);
}

}  // namespace ragrt
