#pragma once
// The orders database behind ragrt-order-service: made once from an SQL script, then only read,
// so the `sql` tool can open the same file read-only while the service runs.
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace order_service {

// A mistake the operator fixes before starting again (a wrong path, a broken script): the message
// says what is wrong and what to do.
struct SetupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Creates `db` from the statements in `script` when `db` does not exist or is empty. The database
// is built under a temporary name and renamed into place, so a reader never opens half of it and
// a failed script leaves nothing behind. Returns whether it created `db`. Throws SetupError.
bool seed_if_missing(const std::filesystem::path& db, const std::filesystem::path& script);

// Throws SetupError unless `db` opens read-only and has the orders table this service reads.
void check_database(const std::filesystem::path& db);

// "12345" for "12345" or "#12345" (customers write the '#'); nullopt unless the rest is 1 to 20
// of [A-Za-z0-9-].
std::optional<std::string> parse_order_id(std::string_view raw);

// The order as GET /orders/{id} returns it, or nullopt when there is none. Opens `db` read-only
// for this call only. Throws std::runtime_error when the database cannot be read.
std::optional<nlohmann::ordered_json> find_order(const std::filesystem::path& db, const std::string& order_id);

}  // namespace order_service
