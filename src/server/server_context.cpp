// ServerContext: the settings in force, re-read from the config after each reload.
#include "server/server_context.h"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

namespace ragrt::server {

ServerContext::ServerContext(ServerParams p, std::shared_ptr<LiveGraph> l)
    : started(std::move(p)),
      live(std::move(l)),
      gate(started.max_concurrent, started.max_queue),
      jobs(std::make_unique<IndexJobs>([live = live] { return live->current(); })) {
  auto first = std::make_shared<ServerSettings>();
  first->params = started;
  first->keys = std::make_shared<KeyRing>(started.api_keys);
  settings_ = std::move(first);
  settings_reloads_ = live->status().reloads;
  try {
    file_at_start_ = ServerParams::from_config(live->current()->config());
  } catch (const std::exception&) {
    file_at_start_ = started;  // built from code rather than from the file
  }
}

std::shared_ptr<const ServerSettings> ServerContext::settings() {
  const size_t reloads = live->status().reloads;
  std::lock_guard lock(settings_mutex_);
  if (reloads != settings_reloads_) {
    settings_reloads_ = reloads;
    settings_ = reread(*settings_);
  }
  return settings_;
}

std::shared_ptr<const ServerSettings> ServerContext::reread(const ServerSettings& current) {
  ServerParams file;
  try {
    file = ServerParams::from_config(live->current()->config());
  } catch (const std::exception& e) {
    auto kept = std::make_shared<ServerSettings>(current);
    kept->error = e.what();
    spdlog::error("server: the reloaded `server:` section is not applied, the previous one stays in force: {}",
                  e.what());
    return kept;
  }
  auto next = std::make_shared<ServerSettings>();
  next->params = started;
  next->params.api_keys = file.api_keys;
  next->params.max_messages = file.max_messages;
  next->params.max_prompt_tokens = file.max_prompt_tokens;
  next->params.request_timeout = file.request_timeout;
  next->params.drain_timeout = file.drain_timeout;
  next->keys = std::make_shared<KeyRing>(file.api_keys, current.keys.get());
  auto pending = [&](bool changed, const char* key) {
    if (changed) next->pending_restart.push_back(fmt::format("server.{}", key));
  };
  pending(file.host != file_at_start_.host, "host");
  pending(file.port != file_at_start_.port, "port");
  pending(file.max_body_bytes != file_at_start_.max_body_bytes, "max_body_bytes");
  pending(file.max_upload_bytes != file_at_start_.max_upload_bytes, "max_upload_bytes");
  pending(file.max_concurrent != file_at_start_.max_concurrent, "max_concurrent");
  pending(file.max_queue != file_at_start_.max_queue, "max_queue");
  spdlog::info("server: `server:` settings re-read after a config reload: {} API key(s), max_messages {}, "
               "max_prompt_tokens {}, request_timeout_s {}",
               file.api_keys.size(), file.max_messages, file.max_prompt_tokens, file.request_timeout.count() / 1000.0);
  if (!next->pending_restart.empty()) {
    spdlog::warn("server: {} changed in the config; the listener keeps its start values until a restart",
                 fmt::join(next->pending_restart, ", "));
  }
  return next;
}

}  // namespace ragrt::server
