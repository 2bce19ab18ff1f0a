#include "server/index_jobs.h"

#include <fstream>
#include <random>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "ragrt/error.h"
#include "text/utf8.h"

namespace ragrt::server {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string new_id() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  return fmt::format("job-{:016x}", rng());
}

std::string iso_time(std::chrono::system_clock::time_point t) {
  return fmt::format("{:%FT%TZ}", std::chrono::time_point_cast<std::chrono::seconds>(t));
}

fs::path uploads_folder(const ComponentGraph& g) { return g.config().collection / "uploads"; }

}  // namespace

struct IndexJobs::Job {
  std::string id;
  std::vector<std::string> files;  // stored names
  std::string status = "queued";
  IndexProgress progress;
  std::vector<IndexFailure> failures;
  std::string error;
  std::chrono::system_clock::time_point created = std::chrono::system_clock::now();
  std::optional<std::chrono::system_clock::time_point> finished;
};

std::string safe_upload_name(const std::string& name) {
  std::string base = name;
  if (const size_t slash = base.find_last_of("/\\"); slash != std::string::npos) base = base.substr(slash + 1);
  RAGRT_THROW_IF_NOT_KIND(!base.empty() && base != "." && base != ".." && base.size() <= 255,
                          ErrorKind::kInvalidArgument, "file name '{}' is not a usable file name", text::from_utf8_lossy(name));
  text::require_valid_utf8(base, "file name");
  for (unsigned char c : base)
    RAGRT_THROW_IF_NOT_KIND(c >= 0x20 && c != 0x7f, ErrorKind::kInvalidArgument,
                            "file name '{}' contains a control character", base);
  return base;
}

IndexJobs::IndexJobs(CurrentGraph current, size_t max_queued, size_t keep)
    : current_(std::move(current)), max_queued_(max_queued), keep_(keep), worker_([this] { run(); }) {}

IndexJobs::~IndexJobs() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

std::string IndexJobs::submit(const std::vector<UploadedFile>& files) {
  RAGRT_THROW_IF_NOT_KIND(!files.empty(), ErrorKind::kInvalidArgument, "no files: send them as multipart field 'file'");
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(safe_upload_name(f.name));
  {
    std::lock_guard lock(mutex_);
    RAGRT_THROW_IF_NOT_KIND(queue_.size() < max_queued_, ErrorKind::kRuntime,
                            "the indexing queue is full ({} jobs waiting): try again when one finished", queue_.size());
  }
  auto graph = current_();
  const fs::path dir = uploads_folder(*graph);
  fs::create_directories(dir);
  for (size_t i = 0; i < files.size(); ++i) {
    // Written next to the target and renamed over it, so a job indexing the previous version
    // never reads half a file.
    const fs::path target = dir / names[i];
    const fs::path partial = dir / ("." + names[i] + ".part");
    {
      std::ofstream out(partial, std::ios::binary | std::ios::trunc);
      out.write(files[i].content.data(), static_cast<std::streamsize>(files[i].content.size()));
      RAGRT_THROW_IF_NOT_KIND(out.good(), ErrorKind::kIo, "{}: cannot write the upload", partial.string());
    }
    fs::rename(partial, target);
  }
  auto job = std::make_shared<Job>();
  job->id = new_id();
  job->files = names;
  job->progress.files_total = names.size();
  {
    std::lock_guard lock(mutex_);
    jobs_[job->id] = job;
    queue_.push_back(job);
  }
  cv_.notify_all();
  spdlog::info("index job {}: {} file(s) queued", job->id, names.size());
  return job->id;
}

void IndexJobs::run() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      job = queue_.front();
      queue_.pop_front();
      job->status = "running";
    }
    work(*job);
    std::lock_guard lock(mutex_);
    job->finished = std::chrono::system_clock::now();
    finished_order_.push_back(job->id);
    while (finished_order_.size() > keep_) {
      jobs_.erase(finished_order_.front());
      finished_order_.pop_front();
    }
  }
}

void IndexJobs::work(Job& job) {
  try {
    std::lock_guard write(write_mutex_);
    auto graph = current_();
    auto kb = KnowledgeBase::open(graph->config(), /*writer=*/true);
    const fs::path dir = uploads_folder(*graph);
    std::vector<fs::path> paths;
    for (const auto& name : job.files) paths.push_back(dir / name);
    IndexOptions options;
    options.on_progress = [&](const IndexProgress& p) {
      std::lock_guard lock(mutex_);
      job.progress = p;
    };
    IndexReport report = index_paths(*kb, paths, options);
    std::lock_guard lock(mutex_);
    job.progress = report.totals;
    job.failures = report.failures;
    job.status = report.failures.size() == paths.size() ? "failed" : "succeeded";
    spdlog::info("index job {}: {} ({} documents, {} chunks, {} failed files)", job.id, job.status,
                 report.totals.documents, report.totals.chunks, report.failures.size());
  } catch (const std::exception& e) {
    std::lock_guard lock(mutex_);
    job.status = "failed";
    job.error = e.what();
    spdlog::error("index job {}: {}", job.id, e.what());
  }
}

std::optional<json> IndexJobs::status(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  const Job& j = *it->second;
  json errors = json::array();
  for (const auto& f : j.failures) errors.push_back({{"file", f.file.filename().string()}, {"message", f.reason}});
  if (!j.error.empty()) errors.push_back({{"file", ""}, {"message", j.error}});
  json out = {{"id", j.id},
              {"object", "index.job"},
              {"status", j.status},
              {"files", j.files},
              {"files_total", j.progress.files_total},
              {"files_done", j.progress.files_done},
              {"documents", j.progress.documents},
              {"chunks", j.progress.chunks},
              {"errors", errors},
              {"created_at", iso_time(j.created)}};
  if (j.finished) out["finished_at"] = iso_time(*j.finished);
  return out;
}

std::vector<std::string> IndexJobs::remove(const std::string& id) {
  std::lock_guard write(write_mutex_);
  auto graph = current_();
  auto kb = KnowledgeBase::open(graph->config(), /*writer=*/true);
  std::vector<std::string> removed;
  for (const DocumentInfo& d : kb->collection().store().documents()) {
    auto file = d.metadata.find("file");
    if (d.id == id || (file != d.metadata.end() && file->second == id)) removed.push_back(d.id);
  }
  if (removed.empty()) return removed;
  kb->collection().begin();
  try {
    for (const auto& doc : removed) kb->collection().remove_document(doc);
    kb->collection().commit();
  } catch (...) {
    kb->collection().rollback();
    throw;
  }
  kb->collection().save_vectors();
  // An uploaded file goes too, so that re-indexing the uploads folder does not bring it back.
  if (id.find_first_of("/\\") == std::string::npos && id != "." && id != "..") {
    std::error_code ec;
    fs::remove(uploads_folder(*graph) / id, ec);
  }
  spdlog::info("removed {} document(s) for '{}'", removed.size(), id);
  return removed;
}

size_t IndexJobs::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

}  // namespace ragrt::server
