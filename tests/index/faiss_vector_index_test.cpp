#include "index/faiss_vector_index.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numeric>
#include <random>
#include <thread>
#include <unordered_set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ragrt/error.h"
#include "ragrt/vector_index.h"
#include "ragrt/vector_store.h"

namespace ragrt::index {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr size_t kDim = 32;

// n unit vectors of kDim, fixed seed: row i is [i * kDim, (i + 1) * kDim).
std::vector<float> unit_vectors(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> out(n * kDim);
  for (size_t i = 0; i < n; ++i) {
    float* row = out.data() + i * kDim;
    double norm = 0;
    for (size_t j = 0; j < kDim; ++j) {
      row[j] = normal(rng);
      norm += double(row[j]) * row[j];
    }
    for (size_t j = 0; j < kDim; ++j) row[j] = static_cast<float>(row[j] / std::sqrt(norm));
  }
  return out;
}

// Unit vectors around 50 fixed topic centres (noise of norm about 1 around unit centres), the
// shape embeddings have. Uniform random points in 32 dimensions have no clusters, which leaves
// IVF's k-means nothing to exploit (recall@10 0.86 at nprobe 8 of 16 there, 0.99 here).
std::vector<float> clustered_unit_vectors(size_t n, uint32_t seed) {
  auto centres = unit_vectors(50, 4242);
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> out(n * kDim);
  for (size_t i = 0; i < n; ++i) {
    size_t centre = rng() % 50;
    double norm = 0;
    for (size_t j = 0; j < kDim; ++j) {
      float x = centres[centre * kDim + j] + 0.18f * normal(rng);
      out[i * kDim + j] = x;
      norm += double(x) * x;
    }
    for (size_t j = 0; j < kDim; ++j) out[i * kDim + j] = static_cast<float>(out[i * kDim + j] / std::sqrt(norm));
  }
  return out;
}

std::span<const float> row(const std::vector<float>& vectors, size_t i) {
  return std::span<const float>(vectors).subspan(i * kDim, kDim);
}

double dot(std::span<const float> a, std::span<const float> b) {
  double sum = 0;
  for (size_t j = 0; j < a.size(); ++j) sum += double(a[j]) * b[j];
  return sum;
}

// A set of stored vectors with the exact answers to compare the index with.
struct Corpus {
  std::vector<int64_t> ids;
  std::vector<float> vectors;

  explicit Corpus(std::vector<float> v) : vectors(std::move(v)) {
    for (size_t i = 0; i < vectors.size() / kDim; ++i) ids.push_back(1000 + 3 * static_cast<int64_t>(i));  // not positions
  }
  Corpus(size_t n, uint32_t seed) : Corpus(unit_vectors(n, seed)) {}
  Corpus prefix(size_t n) const {
    return Corpus(std::vector<float>(vectors.begin(), vectors.begin() + n * kDim));
  }
  std::span<const float> vector_of(int64_t id) const {
    auto at = std::find(ids.begin(), ids.end(), id);
    return row(vectors, static_cast<size_t>(at - ids.begin()));
  }
  void add_to(VectorIndex& index, size_t begin, size_t end) const {
    index.add(std::span<const int64_t>(ids).subspan(begin, end - begin),
              std::span<const float>(vectors).subspan(begin * kDim, (end - begin) * kDim));
  }
  void add_to(VectorIndex& index) const { add_to(index, 0, ids.size()); }
  // Exact top-k by cosine among ids not in `removed`.
  std::vector<ScoredId> brute_force(std::span<const float> query, size_t k,
                                    const std::unordered_set<int64_t>& removed = {}) const {
    std::vector<ScoredId> all;
    for (size_t i = 0; i < ids.size(); ++i) {
      if (!removed.count(ids[i])) all.push_back({ids[i], dot(query, row(vectors, i))});
    }
    std::sort(all.begin(), all.end(), [](const ScoredId& a, const ScoredId& b) { return a.score > b.score; });
    all.resize(std::min(k, all.size()));
    return all;
  }
};

std::vector<int64_t> ids_of(const std::vector<ScoredId>& results) {
  std::vector<int64_t> out;
  for (const auto& r : results) out.push_back(r.id);
  return out;
}

// Mean over queries of |found ∩ true top-k| / k.
double recall_at(const VectorIndex& index, const Corpus& corpus, const std::vector<float>& queries, size_t k,
                 const std::unordered_set<int64_t>& removed = {}) {
  size_t n = queries.size() / kDim;
  double hits = 0;
  for (size_t q = 0; q < n; ++q) {
    auto truth = ids_of(corpus.brute_force(row(queries, q), k, removed));
    auto found = ids_of(index.search(row(queries, q), k));
    std::unordered_set<int64_t> true_set(truth.begin(), truth.end());
    for (auto id : found) hits += true_set.count(id);
  }
  return hits / double(n * k);
}

FaissVectorIndex& faiss_of(VectorIndex& index) { return dynamic_cast<FaissVectorIndex&>(index); }

void expect_exact(const VectorIndex& index, const Corpus& corpus, const std::vector<float>& queries, size_t k,
                  const std::unordered_set<int64_t>& removed = {}) {
  for (size_t q = 0; q < queries.size() / kDim; ++q) {
    auto expected = corpus.brute_force(row(queries, q), k, removed);
    auto found = index.search(row(queries, q), k);
    ASSERT_EQ(ids_of(found), ids_of(expected)) << "query " << q;
    for (size_t i = 0; i < found.size(); ++i) EXPECT_NEAR(found[i].score, expected[i].score, 1e-5);
  }
}

void expect_none_of(const VectorIndex& index, const std::vector<float>& queries, size_t k,
                    const std::unordered_set<int64_t>& removed) {
  for (size_t q = 0; q < queries.size() / kDim; ++q) {
    for (const auto& r : index.search(row(queries, q), k)) EXPECT_FALSE(removed.count(r.id)) << r.id;
  }
}

class FaissVectorIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(RAGRT_TEST_WORK_DIR) / "faiss_vector_index" /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path file() const { return dir_ / "vectors.faiss"; }

  fs::path dir_;
};

TEST_F(FaissVectorIndexTest, FlatTopKIsTheExactCosineRankingWithOurIds) {
  Corpus corpus(500, 1);
  auto index = make_vector_index("Flat", kDim);
  corpus.add_to(*index);
  EXPECT_EQ(index->size(), 500u);
  EXPECT_EQ(index->dim(), kDim);
  expect_exact(*index, corpus, unit_vectors(20, 2), 10);
  EXPECT_EQ(index->description(), "faiss Flat (dim 32, 500 vectors)");
}

TEST_F(FaissVectorIndexTest, NormalizesWhatItIsGivenSoScoresAreCosines) {
  auto v = unit_vectors(3, 3);
  std::vector<float> scaled(v.begin(), v.begin() + 2 * kDim);
  for (size_t j = 0; j < kDim; ++j) scaled[j] *= 7.f, scaled[kDim + j] *= 0.01f;
  scaled.resize(3 * kDim, 0.f);  // id 3: the zero vector
  std::vector<int64_t> ids = {1, 2, 3};
  auto index = make_vector_index("Flat", kDim);
  index->add(ids, scaled);
  std::vector<float> query(row(v, 0).begin(), row(v, 0).end());
  for (auto& x : query) x *= -3.f;  // opposite direction, other length
  auto results = index->search(query, 3);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].id, 3);  // the zero vector stays zero: score 0 beats the negative ones
  EXPECT_NEAR(results[0].score, 0.0, 1e-6);
  EXPECT_EQ(results[2].id, 1);
  EXPECT_NEAR(results[2].score, -1.0, 1e-5);
  EXPECT_NEAR(results[1].score, -dot(row(v, 0), row(v, 1)), 1e-5);
}

TEST_F(FaissVectorIndexTest, ReAddingAnIdReplacesItsVector) {
  for (const char* factory : {"Flat", "HNSW32"}) {
    SCOPED_TRACE(factory);
    Corpus corpus(200, 4);
    auto index = make_vector_index(factory, kDim);
    corpus.add_to(*index);
    auto replacement = unit_vectors(1, 5);
    int64_t id = corpus.ids[17];
    auto old_vector = corpus.vector_of(id);
    index->add(std::span<const int64_t>(&id, 1), replacement);
    EXPECT_EQ(index->size(), 200u);
    auto top = index->search(replacement, 1);
    ASSERT_EQ(top.size(), 1u);
    EXPECT_EQ(top[0].id, id);
    EXPECT_NEAR(top[0].score, 1.0, 1e-5);
    // The old vector is gone: its own query finds the id once, scored against the new vector.
    auto near_old = index->search(old_vector, 200);
    auto entry = std::find_if(near_old.begin(), near_old.end(), [&](const ScoredId& r) { return r.id == id; });
    ASSERT_NE(entry, near_old.end());
    EXPECT_NEAR(entry->score, dot(old_vector, replacement), 1e-5);
    EXPECT_EQ(std::count_if(near_old.begin(), near_old.end(), [&](const ScoredId& r) { return r.id == id; }), 1);
  }
}

TEST_F(FaissVectorIndexTest, TheLastVectorOfAnIdWithinOneAddWins) {
  auto v = unit_vectors(2, 6);
  std::vector<int64_t> ids = {9, 9};
  auto index = make_vector_index("Flat", kDim);
  index->add(ids, v);
  EXPECT_EQ(index->size(), 1u);
  auto top = index->search(row(v, 1), 2);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_NEAR(top[0].score, 1.0, 1e-5);
}

TEST_F(FaissVectorIndexTest, FlatRemoveIsHonoured) {
  Corpus corpus(400, 7);
  auto index = make_vector_index("Flat", kDim);
  corpus.add_to(*index);
  std::unordered_set<int64_t> removed;
  std::vector<int64_t> to_remove;
  for (size_t i = 0; i < corpus.ids.size(); i += 2) to_remove.push_back(corpus.ids[i]);
  to_remove.push_back(5);  // not present: ignored
  index->remove(to_remove);
  removed.insert(to_remove.begin(), to_remove.end());
  EXPECT_EQ(index->size(), 200u);
  expect_exact(*index, corpus, unit_vectors(20, 8), 10, removed);
  // A removed vector's own query does not find it.
  auto top = index->search(corpus.vector_of(corpus.ids[0]), 5);
  EXPECT_NE(top[0].id, corpus.ids[0]);
}

TEST_F(FaissVectorIndexTest, EmptyIndexAndZeroKGiveNothing) {
  auto index = make_vector_index("HNSW32", kDim);
  auto q = unit_vectors(1, 9);
  EXPECT_THAT(index->search(q, 10), IsEmpty());
  Corpus corpus(5, 10);
  corpus.add_to(*index);
  EXPECT_THAT(index->search(q, 0), IsEmpty());
  EXPECT_EQ(index->search(q, 50).size(), 5u);  // never the -1 padding faiss returns past the end
  index->remove(corpus.ids);
  EXPECT_EQ(index->size(), 0u);
  EXPECT_THAT(index->search(q, 10), IsEmpty());
}

TEST_F(FaissVectorIndexTest, HnswRecallAgainstBruteForce) {
  Corpus corpus(2000, 11);
  auto index = make_vector_index("HNSW32", kDim);
  corpus.add_to(*index);
  auto queries = unit_vectors(100, 12);
  EXPECT_GE(recall_at(*index, corpus, queries, 10), 0.9);
  EXPECT_GE(recall_at(*index, corpus, queries, 100), 0.9);  // efSearch grows with k
  EXPECT_EQ(index->search(row(queries, 0), 300).size(), 300u);
}

TEST_F(FaissVectorIndexTest, HnswRemovalUsesTombstonesThatSearchNeverReturns) {
  Corpus corpus(2000, 13);
  auto index = make_vector_index("HNSW32", kDim);
  corpus.add_to(*index);
  std::vector<int64_t> to_remove(corpus.ids.begin(), corpus.ids.begin() + 300);  // 15%: below rebuild
  index->remove(to_remove);
  std::unordered_set<int64_t> removed(to_remove.begin(), to_remove.end());
  EXPECT_EQ(faiss_of(*index).tombstones(), 300u);
  EXPECT_EQ(index->size(), 1700u);
  EXPECT_THAT(index->description(), HasSubstr("300 removed awaiting rebuild"));
  // Queries at the removed vectors themselves: the hardest case for a filter.
  std::vector<float> at_removed(corpus.vectors.begin(), corpus.vectors.begin() + 50 * kDim);
  expect_none_of(*index, at_removed, 20, removed);
  auto queries = unit_vectors(100, 14);
  expect_none_of(*index, queries, 20, removed);
  EXPECT_GE(recall_at(*index, corpus, queries, 10, removed), 0.9);
  EXPECT_EQ(index->search(row(queries, 0), 1700).size(), 1700u);
}

TEST_F(FaissVectorIndexTest, HnswRebuildsAfterManyRemovalsAndStaysCorrect) {
  Corpus corpus(2000, 15);
  auto index = make_vector_index("HNSW32", kDim);
  corpus.add_to(*index);
  std::unordered_set<int64_t> removed;
  for (size_t batch = 0; batch < 6; ++batch) {  // 6 x 100 = 30% > 25%
    std::vector<int64_t> ids(corpus.ids.begin() + batch * 100, corpus.ids.begin() + (batch + 1) * 100);
    index->remove(ids);
    removed.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(faiss_of(*index).tombstones(), 0u);  // rebuilt when the 26th percent went
  EXPECT_EQ(index->size(), 1400u);
  auto queries = unit_vectors(100, 16);
  expect_none_of(*index, queries, 20, removed);
  std::vector<float> at_removed(corpus.vectors.begin(), corpus.vectors.begin() + 50 * kDim);
  expect_none_of(*index, at_removed, 20, removed);
  EXPECT_GE(recall_at(*index, corpus, queries, 10, removed), 0.9);
  // Ids survive the rebuild: a kept vector finds itself under its own id.
  auto top = index->search(corpus.vector_of(corpus.ids[1500]), 1);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].id, corpus.ids[1500]);
  EXPECT_NEAR(top[0].score, 1.0, 1e-5);
}

TEST_F(FaissVectorIndexTest, IvfSearchesItsBufferExactlyUntilTrainedThenKeepsRecall) {
  Corpus corpus(clustered_unit_vectors(2000, 17));
  auto index = make_vector_index("IVF16,Flat", kDim);
  auto& ivf = faiss_of(*index);
  EXPECT_EQ(ivf.training_threshold(), 39u * 16);
  corpus.add_to(*index, 0, 300);
  EXPECT_FALSE(ivf.trained());
  EXPECT_EQ(index->size(), 300u);
  EXPECT_THAT(index->description(), HasSubstr("searched exactly until 624 arrive"));
  auto queries = clustered_unit_vectors(30, 18);
  Corpus first = corpus.prefix(300);
  expect_exact(*index, first, queries, 10);
  std::vector<int64_t> gone = {corpus.ids[0], corpus.ids[1]};
  index->remove(gone);
  EXPECT_EQ(index->size(), 298u);
  expect_exact(*index, first, queries, 10, {gone.begin(), gone.end()});

  corpus.add_to(*index, 0, 2000);  // re-adds the removed two as well
  EXPECT_TRUE(ivf.trained());
  EXPECT_EQ(index->size(), 2000u);
  EXPECT_GE(recall_at(*index, corpus, clustered_unit_vectors(100, 19), 10), 0.9);  // nprobe 8 of 16 lists
  std::vector<int64_t> removed(corpus.ids.begin() + 100, corpus.ids.begin() + 400);
  index->remove(removed);
  EXPECT_EQ(index->size(), 1700u);
  expect_none_of(*index, std::vector<float>(corpus.vectors.begin() + 100 * kDim, corpus.vectors.begin() + 150 * kDim),
                 20, {removed.begin(), removed.end()});
}

// faiss's IndexIDMap maps IVF results through a table that remove_ids compacts while IVF keeps the
// old positions, so a requested IDMap around IVF must not be kept.
TEST_F(FaissVectorIndexTest, IdMapAroundIvfStillMapsIdsRightAfterRemoval) {
  Corpus corpus(1000, 20);
  auto index = make_vector_index("IDMap,IVF16,Flat", kDim);
  corpus.add_to(*index);
  ASSERT_TRUE(faiss_of(*index).trained());
  index->remove(std::vector<int64_t>(corpus.ids.begin(), corpus.ids.begin() + 50));
  for (size_t i : {100, 500, 999}) {
    auto top = index->search(row(corpus.vectors, i), 1);
    ASSERT_EQ(top.size(), 1u);
    EXPECT_EQ(top[0].id, corpus.ids[i]);
  }
}

// An index that both trains and cannot remove: buffer first, then positions with tombstones,
// rebuilt from the decoded PQ codes.
TEST_F(FaissVectorIndexTest, HnswPqBuffersThenTrainsThenRemovesByTombstones) {
  Corpus corpus(clustered_unit_vectors(10000, 31));
  auto index = make_vector_index("HNSW32,PQ8", kDim);
  auto& hnsw_pq = faiss_of(*index);
  EXPECT_EQ(hnsw_pq.training_threshold(), 39u * 256);
  corpus.add_to(*index, 0, 1000);
  EXPECT_FALSE(hnsw_pq.trained());
  std::vector<int64_t> early(corpus.ids.begin(), corpus.ids.begin() + 10);
  index->remove(early);  // from the buffer
  expect_exact(*index, corpus.prefix(1000), clustered_unit_vectors(10, 32), 10, {early.begin(), early.end()});
  corpus.add_to(*index, 1000, 10000);
  EXPECT_TRUE(hnsw_pq.trained());
  EXPECT_EQ(index->size(), 9990u);
  std::vector<int64_t> removed_ids(corpus.ids.begin(), corpus.ids.begin() + 3000);
  index->remove(removed_ids);
  std::unordered_set<int64_t> removed(removed_ids.begin(), removed_ids.end());
  EXPECT_EQ(hnsw_pq.tombstones(), 0u);  // 2990 of 9990 is over a quarter: rebuilt
  EXPECT_EQ(index->size(), 7000u);
  expect_none_of(*index, std::vector<float>(corpus.vectors.begin(), corpus.vectors.begin() + 50 * kDim), 20, removed);
  for (size_t i : {3000, 6000, 9999}) {  // kept vectors still find themselves under their ids
    auto top = ids_of(index->search(row(corpus.vectors, i), 5));
    EXPECT_NE(std::find(top.begin(), top.end(), corpus.ids[i]), top.end()) << i;
  }
}

TEST_F(FaissVectorIndexTest, PqSearchesItsBufferExactlyUntilTrainedThenKeepsRecall) {
  Corpus corpus(12000, 21);
  auto index = make_vector_index("PQ4", kDim);
  auto& pq = faiss_of(*index);
  EXPECT_EQ(pq.training_threshold(), 39u * 256);
  corpus.add_to(*index, 0, 5000);
  EXPECT_FALSE(pq.trained());
  expect_exact(*index, corpus.prefix(5000), unit_vectors(20, 22), 10);
  corpus.add_to(*index, 5000, 12000);
  EXPECT_TRUE(pq.trained());
  EXPECT_EQ(index->size(), 12000u);
  // 4-byte codes for 32 floats are coarse: recall@10 is 0.26 here (PQ8: 0.54), chance is 0.001.
  EXPECT_GE(recall_at(*index, corpus, unit_vectors(100, 23), 10), 0.2);
}

TEST_F(FaissVectorIndexTest, SaveAndLoadGiveIdenticalResultsForEveryKind) {
  struct Case {
    const char* factory;
    size_t count;
    size_t removed;
  };
  for (auto c : {Case{"Flat", 500, 50}, Case{"HNSW32", 1000, 100}, Case{"IVF16,Flat", 300, 20},
                 Case{"IVF16,Flat", 1000, 100}, Case{"PQ4", 10000, 100}, Case{"IDMap,Flat", 200, 10}}) {
    SCOPED_TRACE(std::string(c.factory) + " with " + std::to_string(c.count));
    Corpus corpus(c.count, 24);
    auto index = make_vector_index(c.factory, kDim);
    corpus.add_to(*index);
    index->remove(std::vector<int64_t>(corpus.ids.begin(), corpus.ids.begin() + c.removed));
    index->save(file());
    EXPECT_FALSE(fs::exists(fs::path(file()) += ".tmp"));
    auto loaded = load_vector_index(file());
    EXPECT_EQ(loaded->size(), index->size());
    EXPECT_EQ(loaded->description(), index->description());
    EXPECT_EQ(faiss_of(*loaded).trained(), faiss_of(*index).trained());
    EXPECT_EQ(faiss_of(*loaded).tombstones(), faiss_of(*index).tombstones());
    auto queries = unit_vectors(20, 25);
    for (size_t q = 0; q < 20; ++q) {
      auto expected = index->search(row(queries, q), 10);
      auto found = loaded->search(row(queries, q), 10);
      ASSERT_EQ(ids_of(found), ids_of(expected));
      for (size_t i = 0; i < found.size(); ++i) EXPECT_EQ(found[i].score, expected[i].score);
    }
    // The loaded index keeps working: replacing and removing still take effect.
    auto replacement = unit_vectors(1, 26);
    int64_t id = corpus.ids.back();
    loaded->add(std::span<const int64_t>(&id, 1), replacement);
    EXPECT_EQ(loaded->search(replacement, 1).at(0).id, id);
    loaded->remove(std::span<const int64_t>(&id, 1));
    EXPECT_EQ(loaded->size(), index->size() - 1);
  }
}

TEST_F(FaissVectorIndexTest, SaveReplacesAnExistingFileAndLeavesNoTemporary) {
  Corpus corpus(100, 27);
  auto index = make_vector_index("Flat", kDim);
  corpus.add_to(*index, 0, 10);
  index->save(file());
  corpus.add_to(*index, 10, 100);
  index->save(file());
  EXPECT_FALSE(fs::exists(fs::path(file()) += ".tmp"));
  EXPECT_EQ(load_vector_index(file())->size(), 100u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);

  try {
    index->save(dir_ / "missing" / "vectors.faiss");
    FAIL() << "saving into a missing folder succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
    EXPECT_THAT(e.what(), HasSubstr("missing"));
  }
}

class CorruptFileTest : public FaissVectorIndexTest {
 protected:
  void SetUp() override {
    FaissVectorIndexTest::SetUp();
    Corpus corpus(300, 28);
    auto index = make_vector_index("HNSW32", kDim);
    corpus.add_to(*index);
    index->save(file());
    std::ifstream in(file(), std::ios::binary);
    bytes_.assign(std::istreambuf_iterator<char>(in), {});
  }
  void write(const std::string& bytes) { std::ofstream(file(), std::ios::binary | std::ios::trunc) << bytes; }
  void expect_rejected(const std::string& why) {
    try {
      load_vector_index(file());
      FAIL() << "loaded a file that is " << why;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInvalidModel);
      EXPECT_THAT(e.what(), HasSubstr(file().string()));
      EXPECT_THAT(e.what(), HasSubstr(why));
      EXPECT_THAT(e.what(), HasSubstr("rebuilt from the document store"));
    }
  }
  std::string bytes_;
};

TEST_F(CorruptFileTest, TruncatedFileIsRejected) {
  write(bytes_.substr(0, bytes_.size() / 2));
  expect_rejected("truncated");
  write(bytes_.substr(0, 20));
  expect_rejected("truncated");
}

TEST_F(CorruptFileTest, FlippedByteIsRejected) {
  for (size_t at : {bytes_.size() / 2, bytes_.size() - 1, size_t{60}}) {
    auto damaged = bytes_;
    damaged[at] ^= 0x10;
    write(damaged);
    expect_rejected("checksum");
  }
}

TEST_F(CorruptFileTest, WrongMagicIsRejected) {
  auto damaged = bytes_;
  damaged.replace(0, 8, "NOTRAGRT");
  write(damaged);
  expect_rejected("magic");
}

TEST_F(CorruptFileTest, OtherFormatVersionIsRejected) {
  auto damaged = bytes_;
  damaged[8] = 9;
  write(damaged);
  expect_rejected("format version 9");
}

TEST_F(FaissVectorIndexTest, MissingFileIsNotFound) {
  try {
    load_vector_index(file());
    FAIL() << "loaded a missing file";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
    EXPECT_THAT(e.what(), HasSubstr(file().string()));
  }
}

void expect_invalid_argument(const std::function<void()>& action, const std::string& mention) {
  try {
    action();
    FAIL() << "no error mentioning " << mention;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr(mention));
  }
}

TEST_F(FaissVectorIndexTest, RejectsBadFactoryStringsAndDimensions) {
  expect_invalid_argument([] { make_vector_index("NoSuchIndex64", kDim); }, "NoSuchIndex64");
  expect_invalid_argument([] { make_vector_index("PQ16", 30); }, "PQ16");
  expect_invalid_argument([] { make_vector_index("Flat", 0); }, "dimension 0");
}

TEST_F(FaissVectorIndexTest, RejectsMismatchedVectorsAndQueries) {
  auto index = make_vector_index("Flat", kDim);
  std::vector<int64_t> ids = {1, 2};
  std::vector<float> short_vectors(2 * kDim - 1, 0.1f);
  expect_invalid_argument([&] { index->add(ids, short_vectors); }, "63 floats for 2 ids");
  std::vector<float> vectors(2 * kDim, 0.1f);
  std::vector<int64_t> negative = {1, -1};
  expect_invalid_argument([&] { index->add(negative, vectors); }, "-1");
  index->add(ids, vectors);
  std::vector<float> query(kDim + 1, 0.1f);
  expect_invalid_argument([&] { index->search(query, 3); }, "33 floats");
  EXPECT_EQ(index->size(), 2u);
}

TEST_F(FaissVectorIndexTest, SearchesRunConcurrentlyWithAddsAndRemoves) {
  Corpus corpus(1000, 29);
  auto index = make_vector_index("HNSW32", kDim);
  corpus.add_to(*index, 0, 500);
  std::unordered_set<int64_t> known(corpus.ids.begin(), corpus.ids.end());
  auto queries = unit_vectors(20, 30);
  std::atomic<bool> done{false};
  std::atomic<size_t> bad{0};
  std::vector<std::thread> searchers;
  for (int t = 0; t < 3; ++t) {
    searchers.emplace_back([&] {
      while (!done) {
        for (size_t q = 0; q < 20; ++q) {
          auto results = index->search(row(queries, q), 10);
          if (results.size() != 10) ++bad;
          for (const auto& r : results) bad += !known.count(r.id);
        }
      }
    });
  }
  for (size_t begin = 500; begin < 1000; begin += 50) {
    corpus.add_to(*index, begin, begin + 50);
    index->remove(std::vector<int64_t>(corpus.ids.begin() + begin - 500, corpus.ids.begin() + begin - 480));
  }
  done = true;
  for (auto& t : searchers) t.join();
  EXPECT_EQ(bad.load(), 0u);
  EXPECT_EQ(index->size(), 800u);
}

// The `exact` vector store: the same contract as faiss Flat (cosine, ids, replace, remove), no file.
TEST_F(FaissVectorIndexTest, ExactStoreRanksLikeFlatAndHonoursReplaceAndRemove) {
  auto store = make_exact_vector_store();
  EXPECT_FALSE(store->persistent());
  EXPECT_EQ(store->fingerprint(), "exact");
  Corpus corpus(500, 11);
  auto index = store->create(kDim);
  corpus.add_to(*index);
  EXPECT_EQ(index->size(), 500u);
  expect_exact(*index, corpus, unit_vectors(20, 12), 10);
  EXPECT_THAT(index->description(), HasSubstr("exact scan"));

  // Scaled and zero vectors: cosine scores, the zero vector scores 0.
  auto v = unit_vectors(2, 13);
  std::vector<float> scaled(v.begin(), v.end());
  for (auto& x : scaled) x *= 5.f;
  scaled.resize(3 * kDim, 0.f);
  std::vector<int64_t> ids = {100000, 100001, 100002};
  index->add(ids, scaled);
  auto top = index->search(row(v, 0), 1);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].id, 100000);
  EXPECT_NEAR(top[0].score, 1.0, 1e-5);

  // Re-adding replaces; within one add the last vector wins.
  std::vector<int64_t> twice = {100000, 100000};
  std::vector<float> two(v.begin(), v.end());
  std::reverse(two.begin(), two.begin() + kDim);
  index->add(twice, two);
  EXPECT_EQ(index->size(), 503u);
  auto both = index->search(row(v, 1), 2);  // 100000 now holds v1, as 100001 does
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(std::unordered_set<int64_t>({both[0].id, both[1].id}), std::unordered_set<int64_t>({100000, 100001}));
  EXPECT_NEAR(both[1].score, 1.0, 1e-5);

  // Removal, including ids that are absent; removed ids never come back.
  std::vector<int64_t> to_remove(corpus.ids.begin(), corpus.ids.begin() + 250);
  to_remove.push_back(123456789);
  index->remove(to_remove);
  EXPECT_EQ(index->size(), 253u);
  expect_none_of(*index, unit_vectors(10, 14), 50, {to_remove.begin(), to_remove.end()});
  EXPECT_THAT(index->search(row(v, 0), 0), IsEmpty());
  EXPECT_THROW(index->search(std::vector<float>(kDim + 1, 1.f), 1), Error);
  EXPECT_THROW(store->create(0), Error);
}

}  // namespace
}  // namespace ragrt::index
