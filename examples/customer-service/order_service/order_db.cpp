#include "order_db.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>

namespace order_service {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct Finalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Db = std::unique_ptr<sqlite3, CloseDb>;
using Statement = std::unique_ptr<sqlite3_stmt, Finalize>;

constexpr const char* kOrderQuery =
    "SELECT order_id, status, carrier, tracking_number, shipping_method, placed_at, shipped_at, "
    "estimated_delivery, delivered_at, total_cents, currency, items FROM orders WHERE order_id = ?1";

// sqlite3_open_v2 hands back a handle even when it fails (it holds the message), so the handle is
// owned before the result is looked at.
Db open(const fs::path& path, int flags, int& rc) {
  sqlite3* raw = nullptr;
  rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  return Db(raw);
}

std::string message_of(sqlite3* db) { return db ? sqlite3_errmsg(db) : "out of memory"; }

Db open_read_only(const fs::path& path) {
  int rc = 0;
  Db db = open(path, SQLITE_OPEN_READONLY, rc);
  if (rc != SQLITE_OK) throw std::runtime_error("cannot open " + path.string() + ": " + message_of(db.get()));
  // Another process may be seeding or the sql tool reading: wait a little rather than fail.
  sqlite3_busy_timeout(db.get(), 2000);
  return db;
}

std::optional<std::string> text_at(sqlite3_stmt* s, int column) {
  if (sqlite3_column_type(s, column) == SQLITE_NULL) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, column)));
}

json or_null(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

// The sentence an agent can quote as is, e.g. "In transit with UPS, tracking 1Z999AA10123456784;
// estimated delivery 2026-11-28". Parts whose column is NULL are left out.
std::string status_text(const std::string& status, const std::optional<std::string>& carrier,
                        const std::optional<std::string>& tracking, const std::optional<std::string>& method,
                        const std::optional<std::string>& estimated, const std::optional<std::string>& delivered) {
  const std::string with = carrier ? " with " + *carrier : "";
  const std::string tracking_part = tracking ? ", tracking " + *tracking : "";
  const std::string due = estimated ? "; estimated delivery " + *estimated : "";
  if (status == "processing") return "Being prepared in our warehouse; no tracking number yet" + due;
  if (status == "shipped")
    return "Shipped" + with + (method ? " by " + *method + " delivery" : "") + tracking_part + due;
  if (status == "in_transit") return "In transit" + with + tracking_part + due;
  if (status == "out_for_delivery") return "Out for delivery" + with + " today" + tracking_part;
  if (status == "delivered")
    return "Delivered" + (carrier ? " by " + *carrier : "") +
           (delivered ? " on " + delivered->substr(0, 10) : "") + tracking_part;
  if (status == "delayed")
    return "Delayed" + with + tracking_part + (estimated ? "; it was due on " + *estimated : "") +
           "; a new delivery date follows by email as soon as the carrier gives one";
  if (status == "cancelled") return "Cancelled before it shipped; the payment is refunded in full";
  if (status == "refunded") return "Refunded to the original payment method";
  return "Status: " + status;
}

// The same sentence in Chinese, e.g. "运输中，承运商UPS，运单号1Z999AA10123456784；预计送达2026-11-27".
std::string status_text_zh(const std::string& status, const std::optional<std::string>& carrier,
                           const std::optional<std::string>& tracking, const std::optional<std::string>& method,
                           const std::optional<std::string>& estimated, const std::optional<std::string>& delivered) {
  const std::string with = carrier ? "，承运商" + *carrier : "";
  const std::string tracking_part = tracking ? "，运单号" + *tracking : "";
  const std::string due = estimated ? "；预计送达" + *estimated : "";
  if (status == "processing") return "仓库备货中，暂无运单号" + due;
  if (status == "shipped")
    return "已发货" + with + (method ? (*method == "express" ? "，加急配送" : "，标准配送") : "") + tracking_part + due;
  if (status == "in_transit") return "运输中" + with + tracking_part + due;
  if (status == "out_for_delivery") return "派送中" + with + "，今天送达" + tracking_part;
  if (status == "delivered")
    return "已签收" + (delivered ? "，签收日期" + delivered->substr(0, 10) : "") + with + tracking_part;
  if (status == "delayed")
    return "已延误" + with + tracking_part + (estimated ? "；原定" + *estimated + "送达" : "") +
           "；承运商给出新的送达日期后，我们会邮件通知您";
  if (status == "cancelled") return "已在发货前取消，款项全额退还";
  if (status == "refunded") return "已退款至原支付方式";
  return "状态：" + status;
}

// "59.90 EUR" from 5990 cents.
std::string money(sqlite3_int64 cents, const std::string& currency) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lld.%02lld %s", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100), currency.c_str());
  return buf;
}

json items_of(const std::string& order_id, const std::string& text) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) throw std::runtime_error("order " + order_id + ": items is not a JSON array");
  json items = json::array();
  for (const json& item : parsed) {
    if (!item.is_object()) throw std::runtime_error("order " + order_id + ": an item is not a JSON object");
    items.push_back({{"name", item.value("name", "")}, {"quantity", item.value("quantity", 1)}});
  }
  return items;
}

std::string read_script(const fs::path& script) {
  std::error_code ec;
  if (!fs::is_regular_file(script, ec))
    throw SetupError("cannot read --seed " + script.string() +
                     ": not a file; give the SQL script, e.g. examples/customer-service/data/customers.sql");
  std::ifstream in(script, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) throw SetupError("cannot read --seed " + script.string() + ": check its permissions");
  return text.str();
}

}  // namespace

bool seed_if_missing(const fs::path& db, const fs::path& script) {
  std::error_code ec;
  if (fs::exists(db, ec) && fs::file_size(db, ec) > 0) return false;
  const std::string sql = read_script(script);

  // A name of this process's own, so two services started at once do not write one file.
  fs::path tmp = db;
  tmp += ".tmp-" + std::to_string(::getpid());
  fs::remove(tmp, ec);
  auto fail = [&](const std::string& message) {
    fs::remove(tmp, ec);
    return SetupError(message);
  };
  {
    int rc = 0;
    Db out = open(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, rc);
    if (rc != SQLITE_OK)
      throw fail("cannot create --db " + db.string() + " (" + message_of(out.get()) +
                 "): check that its folder exists and is writable");
    char* error = nullptr;
    // One transaction: much faster than one per statement, and an error leaves nothing half-done.
    rc = sqlite3_exec(out.get(), ("BEGIN;\n" + sql + "\n;COMMIT;").c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
      std::string what = error ? error : message_of(out.get());
      sqlite3_free(error);
      throw fail("--seed " + script.string() + " failed: " + what + "; fix the script (" + db.string() +
                 " was not created)");
    }
  }
  fs::rename(tmp, db, ec);
  if (ec) throw fail("cannot rename " + tmp.string() + " to " + db.string() + ": " + ec.message());
  return true;
}

void check_database(const fs::path& db) {
  std::error_code ec;
  if (!fs::exists(db, ec))
    throw SetupError("--db " + db.string() +
                     " does not exist: give --seed examples/customer-service/data/customers.sql to create it");
  Db conn;
  try {
    conn = open_read_only(db);
  } catch (const std::runtime_error& e) {
    throw SetupError(std::string(e.what()) + ": check the --db path and its permissions");
  }
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(conn.get(), kOrderQuery, -1, &raw, nullptr);
  Statement s(raw);
  if (rc != SQLITE_OK)
    throw SetupError("--db " + db.string() + " is not an orders database (" + message_of(conn.get()) +
                     "): give a database made from customers.sql, or a new path with --seed");
}

std::optional<std::string> parse_order_id(std::string_view raw) {
  if (!raw.empty() && raw.front() == '#') raw.remove_prefix(1);
  if (raw.empty() || raw.size() > 20) return std::nullopt;
  for (char c : raw) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return std::nullopt;
  }
  return std::string(raw);
}

std::optional<json> find_order(const fs::path& db, const std::string& order_id) {
  Db conn = open_read_only(db);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(conn.get(), kOrderQuery, -1, &raw, nullptr) != SQLITE_OK)
    throw std::runtime_error("cannot query " + db.string() + ": " + message_of(conn.get()));
  Statement s(raw);
  sqlite3_bind_text(s.get(), 1, order_id.c_str(), static_cast<int>(order_id.size()), SQLITE_TRANSIENT);
  int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) throw std::runtime_error("cannot read order " + order_id + ": " + message_of(conn.get()));

  const std::string status = text_at(s.get(), 1).value_or("");
  const auto carrier = text_at(s.get(), 2), tracking = text_at(s.get(), 3), method = text_at(s.get(), 4);
  const auto estimated = text_at(s.get(), 7), delivered = text_at(s.get(), 8);
  json order;
  order["order_id"] = text_at(s.get(), 0).value_or(order_id);
  order["status"] = status;
  order["status_text"] = status_text(status, carrier, tracking, method, estimated, delivered);
  order["status_text_zh"] = status_text_zh(status, carrier, tracking, method, estimated, delivered);
  order["carrier"] = or_null(carrier);
  order["tracking_number"] = or_null(tracking);
  order["shipping_method"] = or_null(method);
  order["placed_at"] = or_null(text_at(s.get(), 5));
  order["shipped_at"] = or_null(text_at(s.get(), 6));
  order["estimated_delivery"] = or_null(estimated);
  order["delivered_at"] = or_null(delivered);
  order["items"] = items_of(order_id, text_at(s.get(), 11).value_or("[]"));
  order["total"] = money(sqlite3_column_int64(s.get(), 9), text_at(s.get(), 10).value_or("EUR"));
  return order;
}

}  // namespace order_service
