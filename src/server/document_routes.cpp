// Documents through the API and the page: POST /v1/documents (multipart upload, indexed by a
// background job), GET /v1/jobs/{id} (its progress), DELETE /v1/documents/{id}; and GET / (the
// chat page).
#include "ragrt/error.h"
#include "server/http_error.h"
#include "server/index_jobs.h"
#include "server/server_context.h"

namespace ragrt::server {

extern const char* const kWebPage;

void handle_documents_upload(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!req.is_multipart_form_data())
    bad_request("file", "send documents as multipart/form-data with one or more parts named 'file'");
  std::vector<UploadedFile> files;
  for (const auto& [field, part] : req.files) {
    if (field != "file") bad_request(field, "unknown form field '{}' (expected 'file')", field);
    files.push_back({part.filename, part.content});
  }
  if (files.empty()) bad_request("file", "no files: send one or more parts named 'file'");
  std::string id;
  try {
    id = ctx.jobs->submit(files);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kInvalidArgument) bad_request("file", "{}", e.what());
    if (e.kind() == ErrorKind::kRuntime) throw HttpError(429, "rate_limit_error", e.what(), "", "index_queue_full");
    throw;
  }
  reply_json(res, 202, *ctx.jobs->status(id));
}

void handle_job(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1].str();
  auto status = ctx.jobs->status(id);
  if (!status) throw HttpError(404, "not_found_error", fmt::format("no job '{}' (finished jobs are kept for a while)", id), "id");
  reply_json(res, 200, *status);
}

void handle_document_delete(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1].str();
  const std::vector<std::string> removed = ctx.jobs->remove(id);
  if (removed.empty()) throw HttpError(404, "not_found_error", fmt::format("no document '{}'", id), "id");
  reply_json(res, 200, {{"id", id}, {"object", "document"}, {"deleted", true}, {"documents", removed}});
}

void handle_page(ServerContext&, const httplib::Request&, httplib::Response& res) {
  // Everything the page needs is inline; nothing else may load or frame it.
  res.set_header("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data:; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
                 "frame-ancestors 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_content(kWebPage, "text/html; charset=utf-8");
}

}  // namespace ragrt::server
