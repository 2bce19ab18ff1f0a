#pragma once
// Brings a collection up to date with files on disk: load, split, embed, store. Incremental: a
// file whose content hash (and the pipeline settings that shape its chunks) did not change is
// skipped; a changed file replaces its old documents; with `prune`, documents of files no longer
// present are removed. Work is committed in batches, so an interrupted run keeps every batch it
// committed and the next run picks up the rest.
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "ragrt/knowledge_base.h"

namespace ragrt {

struct IndexProgress {
  size_t files_total = 0;
  size_t files_done = 0;       // indexed, unchanged, skipped or failed so far
  size_t files_indexed = 0;    // (re)indexed in this run
  size_t files_unchanged = 0;  // same content and settings as already indexed
  size_t files_failed = 0;     // unknown type or unreadable: reported, skipped
  size_t documents = 0;        // documents written
  size_t chunks = 0;           // chunks written
  size_t embeddings = 0;       // chunks embedded
  size_t removed = 0;          // documents removed (changed files' old records, --prune)
  double seconds = 0;
  double embed_seconds = 0;    // time spent in the embedder
  std::string current;         // file being worked on
};

struct IndexFailure {
  std::filesystem::path file;
  std::string reason;
};

struct IndexReport {
  IndexProgress totals;
  std::vector<IndexFailure> failures;
};

struct IndexOptions {
  bool prune = false;
  size_t batch_chunks = 256;  // chunks embedded and committed together
  // Called after each file and each committed batch (from the indexing thread).
  std::function<void(const IndexProgress&)> on_progress;
  // Called for each file that is skipped because it cannot be loaded.
  std::function<void(const IndexFailure&)> on_failure;
};

// Throws ragrt::Error for a path that does not exist (before writing anything) or a store failure.
IndexReport index_paths(KnowledgeBase& kb, const std::vector<std::filesystem::path>& paths,
                        const IndexOptions& options = {});

}  // namespace ragrt
