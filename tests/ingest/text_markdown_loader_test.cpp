// .txt and .md loaders, markdown_headings and sections_from_headings.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ingest/heading_sections.h"
#include "ingest/ingest_test_util.h"
#include "ingest/markdown_loader.h"

namespace ragrt::ingest::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace std::string_literals;

class IngestTxt : public ScratchDir {};

TEST_F(IngestTxt, KeepsBytesExactly) {
  const auto file = write("notes.txt", "a\0b\r\nc\xC3\xA9  \n\n"s);
  const Document doc = load_one(file);
  EXPECT_EQ(doc.text, "a\0b\r\nc\xC3\xA9  \n\n"s);
  EXPECT_EQ(doc.id, "doc");
  EXPECT_EQ(doc.source, file.string());
  EXPECT_EQ(doc.title, "notes.txt");
  EXPECT_EQ(doc.metadata.at("format"), "txt");
  EXPECT_TRUE(doc.sections.empty());
  EXPECT_TRUE(doc.pages.empty());
}

TEST_F(IngestTxt, DropsTheByteOrderMarkOnly) {
  const auto file = write("bom.txt", "\xEF\xBB\xBFhello\xEF\xBB\xBFworld");
  // Only the leading BOM is a byte order mark; a later U+FEFF is text.
  EXPECT_EQ(load_one(file).text, "hello\xEF\xBB\xBFworld");
}

TEST_F(IngestTxt, EmptyFileGivesAnEmptyDocument) {
  const Document doc = load_one(write("empty.txt", ""));
  EXPECT_EQ(doc.text, "");
  EXPECT_EQ(doc.title, "empty.txt");
}

TEST_F(IngestTxt, InvalidUtf8NamesFileAndByteOffset) {
  const auto file = write("latin1.txt", "abc\xE9 def");
  const std::string msg = error_message([&] { load_one(file); });
  EXPECT_THAT(msg, HasSubstr(file.string()));
  EXPECT_THAT(msg, HasSubstr("byte offset 3"));
}

TEST_F(IngestTxt, InvalidUtf8OffsetCountsTheByteOrderMark) {
  // The offset must point into the file the user opens, BOM included.
  const auto file = write("bom_bad.txt", "\xEF\xBB\xBF" "ab\xFF");
  const std::string msg = error_message([&] { load_one(file); });
  EXPECT_THAT(msg, HasSubstr(file.string()));
  EXPECT_THAT(msg, HasSubstr("byte offset 5"));
}

TEST_F(IngestTxt, TruncatedSequenceAtTheEndIsInvalid) {
  const auto file = write("cut.txt", "ok \xE5\x8C");
  EXPECT_THAT(error_message([&] { load_one(file); }), HasSubstr("byte offset 3"));
}

TEST_F(IngestTxt, MissingFileNamesIt) {
  const auto file = dir_ / "absent.txt";
  const std::string msg = error_message([&] { load_one(file); });
  EXPECT_THAT(msg, HasSubstr(file.string()));
}

TEST_F(IngestTxt, OversizeFileNamesItAndTheLimit) {
  const auto file = write("big.txt", "0123456789");
  LoaderOptions options;
  options.max_file_bytes = 9;
  const std::string msg = error_message([&] { load_one(file, options); });
  EXPECT_THAT(msg, HasSubstr(file.string()));
  EXPECT_THAT(msg, HasSubstr("max_file_bytes"));
  options.max_file_bytes = 10;  // exactly at the limit is fine
  EXPECT_EQ(load_one(file, options).text, "0123456789");
}

TEST_F(IngestTxt, FolderIsNotAFile) {
  fs::create_directories(dir_ / "folder.txt");
  EXPECT_THAT(error_message([&] { load_one(dir_ / "folder.txt"); }), HasSubstr("folder.txt"));
}

// ---------------------------------------------------------------------------------------------

TEST(IngestMarkdownHeadings, AtxHeadings) {
  const std::string text =
      "# One\n"
      "## Two ##\n"
      "### Three #not closing\n"
      "  #### Indented four\n"
      "##### \n"           // empty heading: no section
      "#hashtag\n"         // not a heading
      "####### seven\n"    // too many #
      "    # code\n"       // indented code
      "###### Six\\#\n";
  const auto h = markdown_headings(text);
  ASSERT_EQ(h.size(), 5u);
  EXPECT_EQ(h[0].level, 1);
  EXPECT_EQ(h[0].title, "One");
  EXPECT_EQ(h[0].begin, 0u);
  EXPECT_EQ(h[1].level, 2);
  EXPECT_EQ(h[1].title, "Two");
  EXPECT_EQ(h[1].begin, text.find("## Two"));
  EXPECT_EQ(h[2].title, "Three #not closing");
  EXPECT_EQ(h[3].level, 4);
  EXPECT_EQ(h[3].title, "Indented four");
  EXPECT_EQ(h[3].begin, text.find("  ####"));
  EXPECT_EQ(h[4].level, 6);
  EXPECT_EQ(h[4].title, "Six\\#");
}

TEST(IngestMarkdownHeadings, SetextHeadingsTakeTheWholeParagraph) {
  const std::string text =
      "Intro text.\n"
      "\n"
      "Big\n"
      "Title\n"
      "=====\n"
      "body\n"
      "\n"
      "Sub\n"
      "  ---  \n"
      "\n"
      "---\n"  // a thematic break after a blank line, not a heading
      "\n"
      "- list item\n"
      "---\n";  // list items are not setext content
  const auto h = markdown_headings(text);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].level, 1);
  EXPECT_EQ(h[0].title, "Big Title");
  EXPECT_EQ(h[0].begin, text.find("Big"));
  EXPECT_EQ(h[1].level, 2);
  EXPECT_EQ(h[1].title, "Sub");
  EXPECT_EQ(h[1].begin, text.find("Sub"));
}

TEST(IngestMarkdownHeadings, FencedCodeAndFrontMatterAreIgnored) {
  const std::string text =
      "---\n"
      "title: Front\n"
      "# not a heading\n"
      "---\n"
      "```bash\n"
      "# a shell comment\n"
      "````\n"  // a longer closing fence closes
      "# Real\n"
      "~~~~\n"
      "## still code\n"
      "~~~\n"  // too short to close a ~~~~ fence
      "## still code too\n"
      "~~~~\n"
      "## After\n"
      "```\n"
      "# unclosed fence runs to the end\n";
  const auto h = markdown_headings(text);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].title, "Real");
  EXPECT_EQ(h[1].title, "After");
}

TEST(IngestMarkdownHeadings, FrontMatterOnlyAtTheStart) {
  // A "---" block later in the file is a thematic break / setext underline, not front matter.
  const auto h = markdown_headings("Para\n---\n# H\n---\n");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].title, "Para");
  EXPECT_EQ(h[1].title, "H");
  // An unclosed front-matter block is not front matter.
  const auto h2 = markdown_headings("---\nkey: v\n# Heading\n");
  ASSERT_EQ(h2.size(), 1u);
  EXPECT_EQ(h2[0].title, "Heading");
}

TEST(IngestMarkdownHeadings, CrLfLines) {
  const std::string text = "# A\r\nbody\r\n\r\nB\r\n---\r\n";
  const auto h = markdown_headings(text);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].title, "A");
  EXPECT_EQ(h[1].title, "B");
  EXPECT_EQ(h[1].begin, text.find("B\r"));
}

TEST(IngestHeadingSections, NestAndCloseAtSameOrHigherLevel) {
  const std::vector<Heading> headings = {{1, 0, "A"}, {2, 10, "B"}, {3, 20, "C"}, {2, 30, "D"}, {1, 40, "E"},
                                         {3, 50, "F"}};
  const auto s = sections_from_headings(headings, 60);
  ASSERT_EQ(s.size(), 6u);
  EXPECT_EQ(s[0].path, "A");
  EXPECT_EQ(s[0].end, 40u);
  EXPECT_EQ(s[1].path, "A > B");
  EXPECT_EQ(s[1].end, 30u);
  EXPECT_EQ(s[2].path, "A > B > C");
  EXPECT_EQ(s[2].end, 30u);
  EXPECT_EQ(s[3].path, "A > D");
  EXPECT_EQ(s[3].end, 40u);
  EXPECT_EQ(s[4].path, "E");
  EXPECT_EQ(s[4].end, 60u);
  EXPECT_EQ(s[5].path, "E > F");  // a skipped level still nests
  EXPECT_EQ(s[5].begin, 50u);
  EXPECT_EQ(s[5].end, 60u);
}

class IngestMarkdown : public ScratchDir {};

TEST_F(IngestMarkdown, SectionsTitleAndUnchangedText) {
  const std::string text =
      "---\n"
      "title: Front matter title\n"
      "---\n"
      "Intro paragraph.\n"
      "\n"
      "# Alpha\n"
      "\n"
      "Text under alpha.\n"
      "\n"
      "## Beta\n"
      "Some text.\n"
      "```python\n"
      "# comment in code\n"
      "```\n"
      "Setext Gamma\n"
      "------------\n"
      "\n"
      "### Delta ###\n"
      "\n"
      "Top Two\n"
      "=======\n"
      "last line";
  const auto file = write("guide.md", "\xEF\xBB\xBF" + text);
  const Document doc = load_one(file);
  EXPECT_EQ(doc.text, text);
  EXPECT_EQ(doc.title, "Alpha");
  EXPECT_EQ(doc.metadata.at("format"), "markdown");
  EXPECT_THAT(section_paths(doc), ElementsAre("Alpha", "Alpha > Beta", "Alpha > Setext Gamma",
                                              "Alpha > Setext Gamma > Delta", "Top Two"));
  const auto& s = doc.sections;
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s[0].begin, text.find("# Alpha"));
  EXPECT_EQ(s[0].end, text.find("Top Two"));
  EXPECT_EQ(s[1].begin, text.find("## Beta"));
  EXPECT_EQ(s[1].end, text.find("Setext Gamma"));
  EXPECT_EQ(s[2].begin, text.find("Setext Gamma"));
  EXPECT_EQ(s[3].begin, text.find("### Delta"));
  EXPECT_EQ(s[3].end, text.find("Top Two"));
  EXPECT_EQ(s[4].begin, text.find("Top Two"));
  EXPECT_EQ(s[4].end, text.size());
}

TEST_F(IngestMarkdown, NoHeadingTitleIsTheFileName) {
  const Document doc = load_one(write("plain.markdown", "just text\n"));
  EXPECT_EQ(doc.title, "plain.markdown");
  EXPECT_TRUE(doc.sections.empty());
}

TEST_F(IngestMarkdown, InvalidUtf8NamesFile) {
  const auto file = write("bad.md", "# T\n\xC0\xAF");
  const std::string msg = error_message([&] { load_one(file); });
  EXPECT_THAT(msg, HasSubstr(file.string()));
  EXPECT_THAT(msg, HasSubstr("byte offset 4"));
}

}  // namespace
}  // namespace ragrt::ingest::test
