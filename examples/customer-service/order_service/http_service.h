#pragma once
// The routes of ragrt-order-service (see main.cpp for the API), its API-key check and its
// one-line-per-request log, on a cpp-httplib server.
#include <filesystem>
#include <string>

#include <httplib.h>

namespace order_service {

// Serves GET /orders/{id} from `db` and GET /healthz. A non-empty `api_key` must come with every
// request but /healthz, as `Authorization: Bearer KEY` or `X-Api-Key: KEY`.
void configure(httplib::Server& server, const std::filesystem::path& db, const std::string& api_key);

}  // namespace order_service
