// Helpers shared by the ingestion tests: a scratch folder per test for the fixture files the tests
// write at run time, loading through the registry, and catching ragrt::Error messages.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "ragrt/error.h"
#include "ragrt/loader.h"
#include "text/utf8.h"

namespace ragrt::ingest::test {

namespace fs = std::filesystem;

// A fresh folder for the running test, removed when the test ends. The pid keeps parallel ctest
// processes (one per test) apart.
class ScratchDir : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           (std::string("ragrt_ingest_") + info->test_suite_name() + "_" + info->name() + "_" +
            std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Writes `bytes` exactly (binary) to dir/relative, creating parent folders.
  fs::path write(const std::string& relative, std::string_view bytes) const {
    const fs::path p = dir_ / relative;
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    EXPECT_TRUE(out.good()) << p;
    return p;
  }

  // Loads `file` with the loader its extension picks (which must exist).
  std::vector<Document> load(const fs::path& file, const LoaderOptions& options = {},
                             const std::string& doc_id = "doc") const {
    const DocumentLoader* loader = loader_for(file);
    if (!loader) {
      ADD_FAILURE() << "no loader for " << file;
      return {};
    }
    return loader->load(file, doc_id, options);
  }

  // The single Document a file loads to.
  Document load_one(const fs::path& file, const LoaderOptions& options = {}) const {
    auto docs = load(file, options);
    if (docs.size() != 1) {
      ADD_FAILURE() << file << " gave " << docs.size() << " documents, expected 1";
      return {};
    }
    return std::move(docs.front());
  }

  fs::path dir_;
};

// The message of the ragrt::Error `f` throws; a test failure (and "") when it throws none.
template <class F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const ragrt::Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw a non-ragrt exception: " << e.what();
    return {};
  }
  ADD_FAILURE() << "no ragrt::Error thrown";
  return {};
}

inline bool valid_utf8(std::string_view s) { return ragrt::text::find_invalid_utf8(s) == ragrt::text::kValidUtf8; }

// `section.path`s in order, for compact expectations.
inline std::vector<std::string> section_paths(const Document& doc) {
  std::vector<std::string> out;
  for (const auto& s : doc.sections) out.push_back(s.path);
  return out;
}

}  // namespace ragrt::ingest::test
