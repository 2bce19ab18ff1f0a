// loader_for, all_loaders and collect_files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "ingest/ingest_test_util.h"

namespace ragrt::ingest::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(IngestLoaderFor, ExtensionLookupIsCaseInsensitive) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"a.txt", "txt"},       {"a.TXT", "txt"},    {"notes.text", "txt"}, {"README.MD", "markdown"},
      {"x.markdown", "markdown"}, {"p.Html", "html"}, {"p.htm", "html"},    {"p.xhtml", "html"},
      {"r.PDF", "pdf"},       {"t.csv", "csv"},    {"c.jsonl", "jsonl"},  {"c.NDJSON", "jsonl"},
      {"w.docx", "docx"},     {"dir.v2/file.md", "markdown"}};
  for (const auto& [file, name] : cases) {
    const DocumentLoader* loader = loader_for(file);
    ASSERT_NE(loader, nullptr) << file;
    EXPECT_EQ(loader->name(), name) << file;
  }
}

TEST(IngestLoaderFor, UnknownOrMissingExtensionGivesNull) {
  for (const char* file : {"a.doc", "a.json", "a", "Makefile", ".md", "a.md.bak", "a.tx"}) {
    EXPECT_EQ(loader_for(file), nullptr) << file;
  }
}

TEST(IngestLoaderFor, AllLoadersHaveDistinctNamesAndLowerCaseExtensions) {
  std::set<std::string> names, extensions;
  for (const DocumentLoader* loader : all_loaders()) {
    EXPECT_TRUE(names.insert(loader->name()).second) << loader->name();
    for (const auto& ext : loader->extensions()) {
      EXPECT_TRUE(extensions.insert(ext).second) << ext;
      EXPECT_EQ(ext[0], '.');
      for (char c : ext) EXPECT_FALSE(c >= 'A' && c <= 'Z') << ext;
      EXPECT_EQ(loader_for("file" + ext), loader);
    }
  }
  EXPECT_EQ(names, (std::set<std::string>{"txt", "markdown", "html", "pdf", "csv", "jsonl", "docx", "image"}));
}

class IngestCollectFiles : public ScratchDir {};

std::vector<std::string> ids_of(const std::vector<SourceFile>& files) {
  std::vector<std::string> ids;
  for (const auto& f : files) ids.push_back(f.doc_id);
  return ids;
}

TEST_F(IngestCollectFiles, RecursiveSortedHiddenSkipped) {
  write("docs/b.md", "b");
  write("docs/a.txt", "a");
  write("docs/sub/deep/c.html", "c");
  write("docs/sub/z.pdf", "z");
  write("docs/.hidden.txt", "h");
  write("docs/.git/config.txt", "g");
  write("docs/sub/.cache/x.md", "x");
  write("docs/unknown.bin", "u");  // collected; the caller decides what has no loader
  const auto files = collect_files({dir_ / "docs"});
  EXPECT_THAT(ids_of(files), ElementsAre("a.txt", "b.md", "sub/deep/c.html", "sub/z.pdf", "unknown.bin"));
  for (const auto& f : files) {
    EXPECT_TRUE(fs::is_regular_file(f.path)) << f.path;
    EXPECT_EQ(f.path, dir_ / "docs" / fs::path(f.doc_id)) << f.doc_id;
  }
}

TEST_F(IngestCollectFiles, FileGivenDirectlyUsesItsNameAndOrderOfArgumentsIsKept) {
  write("root/x/one.txt", "1");
  const auto file = write("single/two.md", "2");
  const auto files = collect_files({file, dir_ / "root"});
  EXPECT_THAT(ids_of(files), ElementsAre("two.md", "x/one.txt"));
  EXPECT_EQ(files[0].path, file);
}

TEST_F(IngestCollectFiles, TrailingSlashOnTheFolder) {
  write("docs/sub/a.txt", "a");
  const auto files = collect_files({fs::path((dir_ / "docs").string() + "/")});
  EXPECT_THAT(ids_of(files), ElementsAre("sub/a.txt"));
}

TEST_F(IngestCollectFiles, SymlinkedFileKeepsItsNameInTheFolder) {
  const auto target = write("elsewhere/real.txt", "r");
  fs::create_directories(dir_ / "docs");
  fs::create_symlink(target, dir_ / "docs" / "link.txt");
  const auto files = collect_files({dir_ / "docs"});
  EXPECT_THAT(ids_of(files), ElementsAre("link.txt"));
}

TEST_F(IngestCollectFiles, MissingPathNamesIt) {
  const auto missing = dir_ / "nope";
  const std::string msg = error_message([&] { collect_files({missing}); });
  EXPECT_THAT(msg, HasSubstr(missing.string()));
}

TEST_F(IngestCollectFiles, EmptyFolderGivesNothing) {
  fs::create_directories(dir_ / "empty");
  EXPECT_TRUE(collect_files({dir_ / "empty"}).empty());
}

}  // namespace
}  // namespace ragrt::ingest::test
