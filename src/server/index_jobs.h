#pragma once
// Documents uploaded through the API (POST /v1/documents), indexed in the background one job at a
// time: each upload is saved under <collection>/uploads/ and indexed with the config the server is
// serving when the job starts, so GET /v1/jobs/{id} can show its progress while queries go on.
// The serving knowledge base is a reader: it sees each committed batch on its next search (see
// Collection::vectors). Jobs and deletes take the collection's writer lock, so they fail with a
// clear message while `ragrt index` writes to the same collection.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "ragrt/component_graph.h"
#include "ragrt/indexer.h"

namespace ragrt::server {

struct UploadedFile {
  std::string name;  // as the client sent it; only its last path component is used
  std::string content;
};

class IndexJobs {
 public:
  using CurrentGraph = std::function<std::shared_ptr<const ComponentGraph>()>;
  // `max_queued`: jobs waiting beyond the running one; `keep`: finished jobs remembered for status.
  IndexJobs(CurrentGraph current, size_t max_queued = 16, size_t keep = 256);
  ~IndexJobs();  // lets the running job finish; queued ones are dropped
  IndexJobs(const IndexJobs&) = delete;
  IndexJobs& operator=(const IndexJobs&) = delete;

  // Saves the files and queues a job; returns its id. Throws ragrt::Error: kInvalidArgument for a
  // bad file name or no files, kRuntime ("queue full") when max_queued jobs are waiting.
  std::string submit(const std::vector<UploadedFile>& files);
  // {"id", "object": "index.job", "status": queued|running|succeeded|failed, "files": [...],
  //  "files_total", "files_done", "documents", "chunks", "errors": [{"file", "message"}],
  //  "created_at", "finished_at"?}; nullopt for an unknown id.
  std::optional<nlohmann::json> status(const std::string& id) const;
  // Removes the document with this id, or every document of the file with this id (a .jsonl or
  // .csv file holds several), and the uploaded file if it came through the API. Returns the ids
  // removed (empty: no such document).
  std::vector<std::string> remove(const std::string& id);
  size_t queued() const;

 private:
  struct Job;
  void run();
  void work(Job& job);

  CurrentGraph current_;
  size_t max_queued_, keep_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Job>> queue_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  std::deque<std::string> finished_order_;
  std::mutex write_mutex_;  // one writer of the collection from this process at a time
  bool stop_ = false;
  std::thread worker_;
};

// The file name an upload is stored under: its last path component, if that is a plain name
// (no control characters, not "." or "..", at most 255 bytes). Throws ragrt::Error otherwise.
std::string safe_upload_name(const std::string& name);

}  // namespace ragrt::server
