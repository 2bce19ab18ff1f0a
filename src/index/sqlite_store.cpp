#include "index/sqlite_store.h"

#include <cstdint>
#include <cstring>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "index/keyword_text.h"
#include "ingest/text_region_json.h"
#include "ragrt/error.h"

namespace ragrt::index {

namespace {

// 2 added chunks.regions (OCR line boxes); a version 1 file gains the column when opened.
constexpr int kSchemaVersion = 2;

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents(
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  title TEXT NOT NULL,
  hash TEXT NOT NULL,
  metadata TEXT NOT NULL,
  indexed_at INTEGER NOT NULL DEFAULT (unixepoch()));
CREATE TABLE IF NOT EXISTS chunks(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  doc_id TEXT NOT NULL REFERENCES documents(id),
  idx INTEGER NOT NULL,
  begin_offset INTEGER NOT NULL,
  end_offset INTEGER NOT NULL,
  text TEXT NOT NULL,
  section TEXT NOT NULL,
  page INTEGER NOT NULL,
  page_end INTEGER NOT NULL,
  tokens INTEGER NOT NULL,
  vector BLOB,
  regions TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(title, body, tokenize='porter unicode61 remove_diacritics 2');
)sql";

// Conditions on `c` (chunks) and `d` (documents) for a filter; parameters are bound from `first`.
struct FilterSql {
  std::string where;  // "" or " AND ..."
  std::vector<std::string> params;
};

FilterSql filter_sql(const SearchFilter& f) {
  FilterSql out;
  if (!f.doc_ids.empty()) {
    out.where += " AND c.doc_id IN (";
    for (size_t i = 0; i < f.doc_ids.size(); ++i) {
      out.where += i ? ",?" : "?";
      out.params.push_back(f.doc_ids[i]);
    }
    out.where += ")";
  }
  if (!f.section_prefix.empty()) {
    out.where += " AND substr(c.section, 1, length(?)) = ?";
    out.params.push_back(f.section_prefix);
    out.params.push_back(f.section_prefix);
  }
  for (const auto& [key, value] : f.metadata) {
    out.where += " AND json_extract(d.metadata, ?) = ?";
    std::string path = "$.\"";
    for (char ch : key) {
      if (ch == '"' || ch == '\\') path += '\\';
      path += ch;
    }
    out.params.push_back(path + "\"");
    out.params.push_back(value);
  }
  return out;
}

std::string metadata_json(const std::map<std::string, std::string>& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j.dump();
}

std::map<std::string, std::string> parse_metadata(const std::string& s) {
  std::map<std::string, std::string> out;
  auto j = nlohmann::json::parse(s, nullptr, false);
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it)
    out[it.key()] = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
  return out;
}

std::vector<float> blob_to_vector(std::string_view blob) {
  std::vector<float> v(blob.size() / sizeof(float));
  if (!v.empty()) std::memcpy(v.data(), blob.data(), v.size() * sizeof(float));
  return v;
}

std::string id_list(std::span<const int64_t> ids) {
  std::string s;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(ids[i]);
  }
  return s;
}

}  // namespace

SqliteStore::SqliteStore(const std::filesystem::path& file, bool create) : db_(file, create) {
  if (create) db_.exec(kSchema);
  auto version = meta("schema_version");
  if (!version) {
    if (!create)
      RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "{} is not a ragrt collection (no schema_version)", file.string());
    set_meta("schema_version", std::to_string(kSchemaVersion));
  } else if (*version == "1") {
    // Adding a column with a default rewrites nothing: every chunk indexed before stays.
    db_.exec("BEGIN IMMEDIATE");
    try {
      if (meta("schema_version") == std::optional<std::string>("1")) {
        db_.exec("ALTER TABLE chunks ADD COLUMN regions TEXT NOT NULL DEFAULT ''");
        set_meta("schema_version", std::to_string(kSchemaVersion));
      }
      db_.exec("COMMIT");
    } catch (...) {
      db_.exec("ROLLBACK");
      throw;
    }
  } else if (*version != std::to_string(kSchemaVersion)) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "{} has schema version {}, this ragrt reads version {}: re-index it",
                     file.string(), *version, kSchemaVersion);
  }
}

void SqliteStore::begin() {
  std::lock_guard lock(mu_);
  if (in_transaction_) RAGRT_THROW("{}: a transaction is already open", db_.path().string());
  db_.exec("BEGIN IMMEDIATE");
  in_transaction_ = true;
}

void SqliteStore::commit() {
  std::lock_guard lock(mu_);
  if (!in_transaction_) return;
  db_.exec("COMMIT");
  in_transaction_ = false;
  forget_term_stats();
}

void SqliteStore::rollback() {
  std::lock_guard lock(mu_);
  if (!in_transaction_) return;
  db_.exec("ROLLBACK");
  in_transaction_ = false;
  forget_term_stats();
}

std::optional<std::string> SqliteStore::document_hash(const std::string& doc_id) const {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("SELECT hash FROM documents WHERE id = ?");
  st.bind(1, doc_id);
  if (st.step()) return st.column_text(0);
  return std::nullopt;
}

std::vector<DocumentInfo> SqliteStore::documents() const {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "SELECT d.id, d.source, d.title, d.hash, d.metadata, (SELECT count(*) FROM chunks c WHERE c.doc_id = d.id) "
      "FROM documents d ORDER BY d.id");
  std::vector<DocumentInfo> out;
  while (st.step()) {
    DocumentInfo info;
    info.id = st.column_text(0);
    info.source = st.column_text(1);
    info.title = st.column_text(2);
    info.hash = st.column_text(3);
    info.metadata = parse_metadata(st.column_text(4));
    info.chunks = static_cast<size_t>(st.column_int(5));
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<int64_t> SqliteStore::remove_document_locked(const std::string& doc_id) {
  forget_term_stats();
  std::vector<int64_t> ids;
  {
    auto st = db_.prepare("SELECT id FROM chunks WHERE doc_id = ? ORDER BY id");
    st.bind(1, doc_id);
    while (st.step()) ids.push_back(st.column_int(0));
  }
  auto del_fts = db_.prepare("DELETE FROM chunks_fts WHERE rowid = ?");
  for (int64_t id : ids) {
    del_fts.bind(1, id);
    del_fts.run();
  }
  db_.prepare("DELETE FROM chunks WHERE doc_id = ?").bind(1, doc_id).run();
  db_.prepare("DELETE FROM documents WHERE id = ?").bind(1, doc_id).run();
  return ids;
}

std::vector<int64_t> SqliteStore::remove_document(const std::string& doc_id) {
  std::lock_guard lock(mu_);
  return remove_document_locked(doc_id);
}

std::vector<int64_t> SqliteStore::put_document(const Document& doc, const std::string& hash,
                                               const std::vector<Chunk>& chunks,
                                               const std::vector<std::vector<float>>& vectors) {
  if (!vectors.empty() && vectors.size() != chunks.size())
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "document {}: {} vectors for {} chunks", doc.id, vectors.size(),
                     chunks.size());
  std::lock_guard lock(mu_);
  remove_document_locked(doc.id);
  db_.prepare("INSERT INTO documents(id, source, title, hash, metadata) VALUES (?, ?, ?, ?, ?)")
      .bind(1, doc.id)
      .bind(2, doc.source)
      .bind(3, doc.title)
      .bind(4, hash)
      .bind(5, metadata_json(doc.metadata))
      .run();
  auto ins = db_.prepare(
      "INSERT INTO chunks(doc_id, idx, begin_offset, end_offset, text, section, page, page_end, tokens, vector, "
      "regions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  auto ins_fts = db_.prepare("INSERT INTO chunks_fts(rowid, title, body) VALUES (?, ?, ?)");
  std::vector<int64_t> ids;
  ids.reserve(chunks.size());
  for (size_t i = 0; i < chunks.size(); ++i) {
    const Chunk& c = chunks[i];
    ins.bind(1, doc.id)
        .bind(2, static_cast<int64_t>(c.index))
        .bind(3, static_cast<int64_t>(c.begin))
        .bind(4, static_cast<int64_t>(c.end))
        .bind(5, c.text)
        .bind(6, c.section)
        .bind(7, static_cast<int64_t>(c.page))
        .bind(8, static_cast<int64_t>(c.page_end))
        .bind(9, static_cast<int64_t>(c.tokens))
        .bind(11, c.regions.empty() ? std::string() : ingest::regions_to_json(c.regions).dump());
    if (vectors.empty()) {
      ins.bind_null(10);
    } else {
      ins.bind_blob(10, vectors[i].data(), vectors[i].size() * sizeof(float));
    }
    ins.run();
    int64_t id = db_.last_insert_rowid();
    ids.push_back(id);
    std::string title = c.section.empty() ? doc.title : doc.title + " " + c.section;
    ins_fts.bind(1, id).bind(2, keyword_document_text(title)).bind(3, keyword_document_text(c.text));
    ins_fts.run();
  }
  return ids;
}

std::vector<StoredChunk> SqliteStore::chunks(std::span<const int64_t> ids) const {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "SELECT c.doc_id, c.idx, c.begin_offset, c.end_offset, c.text, c.section, c.page, c.page_end, c.tokens, "
      "d.title, d.source, c.regions FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE c.id = ?");
  std::vector<StoredChunk> out;
  out.reserve(ids.size());
  for (int64_t id : ids) {
    st.bind(1, id);
    if (st.step()) {
      StoredChunk s;
      s.id = id;
      s.chunk.doc_id = st.column_text(0);
      s.chunk.index = static_cast<size_t>(st.column_int(1));
      s.chunk.begin = static_cast<size_t>(st.column_int(2));
      s.chunk.end = static_cast<size_t>(st.column_int(3));
      s.chunk.text = st.column_text(4);
      s.chunk.section = st.column_text(5);
      s.chunk.page = static_cast<int>(st.column_int(6));
      s.chunk.page_end = static_cast<int>(st.column_int(7));
      s.chunk.tokens = static_cast<size_t>(st.column_int(8));
      s.title = st.column_text(9);
      s.source = st.column_text(10);
      s.chunk.regions = ingest::regions_from_json(st.column_text(11));
      out.push_back(std::move(s));
    }
    st.reset();
  }
  return out;
}

std::vector<int64_t> SqliteStore::matching_ids(const SearchFilter& filter, size_t limit) const {
  FilterSql f = filter_sql(filter);
  std::lock_guard lock(mu_);
  auto st = db_.prepare("SELECT c.id FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE 1" + f.where +
                        " ORDER BY c.id LIMIT ?");
  int p = 1;
  for (const auto& s : f.params) st.bind(p++, s);
  st.bind(p, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  std::vector<int64_t> out;
  while (st.step()) out.push_back(st.column_int(0));
  return out;
}

std::vector<int64_t> SqliteStore::filter_ids(std::span<const int64_t> ids, const SearchFilter& filter) const {
  if (ids.empty()) return {};
  if (filter.empty()) {
    // Still drop ids that no longer exist.
    std::lock_guard lock(mu_);
    auto st = db_.prepare("SELECT id FROM chunks WHERE id IN (" + id_list(ids) + ")");
    std::unordered_set<int64_t> present;
    while (st.step()) present.insert(st.column_int(0));
    std::vector<int64_t> out;
    for (int64_t id : ids)
      if (present.count(id)) out.push_back(id);
    return out;
  }
  FilterSql f = filter_sql(filter);
  std::lock_guard lock(mu_);
  auto st = db_.prepare("SELECT c.id FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE c.id IN (" +
                        id_list(ids) + ")" + f.where);
  for (size_t i = 0; i < f.params.size(); ++i) st.bind(static_cast<int>(i + 1), f.params[i]);
  std::unordered_set<int64_t> pass;
  while (st.step()) pass.insert(st.column_int(0));
  std::vector<int64_t> out;
  for (int64_t id : ids)
    if (pass.count(id)) out.push_back(id);
  return out;
}

std::vector<std::pair<int64_t, std::vector<float>>> SqliteStore::vectors(std::span<const int64_t> ids) const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<int64_t, std::vector<float>>> out;
  if (ids.empty()) {
    auto st = db_.prepare("SELECT id, vector FROM chunks WHERE vector IS NOT NULL ORDER BY id");
    while (st.step()) out.emplace_back(st.column_int(0), blob_to_vector(st.column_blob(1)));
    return out;
  }
  auto st = db_.prepare("SELECT vector FROM chunks WHERE id = ? AND vector IS NOT NULL");
  for (int64_t id : ids) {
    st.bind(1, id);
    if (st.step()) out.emplace_back(id, blob_to_vector(st.column_blob(0)));
    st.reset();
  }
  return out;
}

size_t SqliteStore::chunk_count() const {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("SELECT count(*) FROM chunks");
  st.step();
  return static_cast<size_t>(st.column_int(0));
}

std::optional<std::string> SqliteStore::meta(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("SELECT value FROM meta WHERE key = ?");
  st.bind(1, key);
  if (st.step()) return st.column_text(0);
  return std::nullopt;
}

void SqliteStore::set_meta(const std::string& key, const std::string& value) {
  std::lock_guard lock(mu_);
  db_.prepare("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .bind(1, key)
      .bind(2, value)
      .run();
}

void SqliteStore::forget_term_stats() const {
  term_docs_.clear();
  term_docs_total_ = -1;
}

// FTS5 scores every row that matches any OR-ed term, so a query holding "what", "is" or "the"
// scores nearly the whole collection. Such terms have an IDF near zero: leaving them out of the
// match changes scores by a few hundredths while cutting the rows scored by an order of magnitude
// (MS MARCO subset: p50 5.9 ms -> see the index notes; nDCG@10 unchanged to 0.01).
std::vector<std::string> SqliteStore::selective_terms(std::string_view query) const {
  std::vector<std::string> terms = keyword_query_terms(query);
  {
    std::unordered_set<std::string> seen;
    std::erase_if(terms, [&](const std::string& t) { return !seen.insert(t).second; });
  }
  if (terms.size() < 2) return terms;
  auto version = db_.prepare("PRAGMA data_version");
  version.step();
  if (version.column_int(0) != term_docs_version_) {
    forget_term_stats();
    term_docs_version_ = version.column_int(0);
  }
  if (term_docs_total_ < 0) {
    auto st = db_.prepare("SELECT count(*) FROM chunks_fts");
    st.step();
    term_docs_total_ = st.column_int(0);
  }
  std::vector<std::string> kept;
  for (const std::string& t : terms) {
    auto it = term_docs_.find(t);
    if (it == term_docs_.end()) {
      auto st = db_.prepare("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?");
      st.bind(1, fts5_match_expression(std::vector<std::string>{t}));
      st.step();
      if (term_docs_.size() > 100000) term_docs_.clear();  // bound the cache on long-running servers
      it = term_docs_.emplace(t, st.column_int(0)).first;
    }
    // A term no chunk has matches nothing either way; keeping only such terms would find nothing
    // where the common ones match (a collection of one document).
    if (it->second > 0 && it->second * 2 <= term_docs_total_) kept.push_back(t);
  }
  return kept.empty() ? terms : kept;
}

std::vector<ScoredId> SqliteStore::keyword_search(std::string_view query, size_t k, const SearchFilter& filter) const {
  if (k == 0) return {};
  std::lock_guard lock(mu_);
  std::string match = fts5_match_expression(selective_terms(query));
  if (match.empty()) return {};
  FilterSql f = filter_sql(filter);
  std::string sql = "SELECT f.rowid, bm25(chunks_fts) AS r FROM chunks_fts f";
  if (!filter.empty()) sql += " JOIN chunks c ON c.id = f.rowid JOIN documents d ON d.id = c.doc_id";
  sql += " WHERE chunks_fts MATCH ?" + f.where + " ORDER BY r LIMIT ?";
  auto st = db_.prepare(sql);
  int p = 1;
  st.bind(p++, match);
  for (const auto& s : f.params) st.bind(p++, s);
  st.bind(p, static_cast<int64_t>(k));
  std::vector<ScoredId> out;
  while (st.step()) out.push_back({st.column_int(0), -st.column_double(1)});  // FTS5 bm25: lower is better
  return out;
}

}  // namespace ragrt::index
