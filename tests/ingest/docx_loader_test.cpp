// .docx loader (libzip + libxml2) on archives built by the test with libzip.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include <zip.h>

#include "ingest/ingest_test_util.h"

namespace ragrt::ingest::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// Writes a zip archive holding `members` (name -> bytes) to `path`.
void write_zip(const fs::path& path, const std::map<std::string, std::string>& members) {
  int err = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  ASSERT_NE(archive, nullptr) << "zip_open error " << err;
  for (const auto& [name, bytes] : members) {
    // libzip reads the buffer at zip_close; `members` outlives that.
    zip_source_t* source = zip_source_buffer(archive, bytes.data(), bytes.size(), 0);
    ASSERT_NE(source, nullptr);
    ASSERT_GE(zip_file_add(archive, name.c_str(), source, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8), 0)
        << zip_strerror(archive);
  }
  ASSERT_EQ(zip_close(archive), 0);
}

const char* const kContentTypes =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>)";

std::string document_xml(const std::string& body) {
  return R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>)" +
         body + "<w:sectPr/></w:body></w:document>";
}

std::string core_xml(const std::string& title) {
  return R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>)" +
         title + "</dc:title><dc:creator>someone</dc:creator></cp:coreProperties>";
}

std::string paragraph(const std::string& runs, const std::string& style = "") {
  std::string props;
  if (!style.empty()) {
    // Real headings carry tab stops in their properties; w:tab there is a stop, not text.
    props = "<w:pPr><w:pStyle w:val=\"" + style +
            "\"/><w:tabs><w:tab w:val=\"left\" w:pos=\"720\"/></w:tabs><w:rPr><w:b/></w:rPr></w:pPr>";
  }
  return "<w:p>" + props + runs + "</w:p>";
}

std::string run(const std::string& text) { return "<w:r><w:t xml:space=\"preserve\">" + text + "</w:t></w:r>"; }

class IngestDocx : public ScratchDir {
 protected:
  fs::path write_docx(const std::string& name, const std::string& body, const std::string& title) {
    std::map<std::string, std::string> members = {{"[Content_Types].xml", kContentTypes},
                                                  {"word/document.xml", document_xml(body)}};
    if (!title.empty()) members["docProps/core.xml"] = core_xml(title);
    const fs::path path = dir_ / name;
    write_zip(path, members);
    return path;
  }
};

const std::string kBody =
    paragraph(run("Overview"), "Heading1") +
    paragraph(run("First ") + run("run") +
              "<w:del w:id=\"1\" w:author=\"x\"><w:r><w:delText>DELETED</w:delText></w:r>"
              "<w:r><w:t>ALSO-DELETED</w:t></w:r></w:del>" +
              "<w:r><w:tab/><w:t>after tab</w:t><w:br/><w:t>next line</w:t></w:r>") +
    "<w:tbl><w:tblPr><w:tblW w:w=\"0\"/></w:tblPr><w:tr><w:tc><w:tcPr/>" + paragraph(run("Cell A")) +
    "</w:tc><w:tc>" + paragraph(run("Cell B")) + "</w:tc></w:tr></w:tbl>" +
    paragraph(run("Details"), "Heading2") + paragraph(run("Body &amp; two."));

TEST_F(IngestDocx, TextSectionsAndCoreTitle) {
  const auto file = write_docx("memo.docx", kBody, " Memo Title ");
  const Document doc = load_one(file);
  EXPECT_EQ(doc.text,
            "Overview\n\n"
            "First run\tafter tab\nnext line\n\n"
            "Cell A Cell B\n\n"
            "Details\n\n"
            "Body & two.");
  EXPECT_THAT(doc.text, Not(HasSubstr("DELETED")));
  EXPECT_EQ(doc.title, "Memo Title");
  EXPECT_EQ(doc.metadata.at("format"), "docx");
  EXPECT_THAT(section_paths(doc), ElementsAre("Overview", "Overview > Details"));
  ASSERT_EQ(doc.sections.size(), 2u);
  EXPECT_EQ(doc.sections[0].begin, 0u);
  EXPECT_EQ(doc.sections[0].end, doc.text.size());
  EXPECT_EQ(doc.sections[1].begin, doc.text.find("Details"));
  EXPECT_EQ(doc.sections[1].end, doc.text.size());
}

TEST_F(IngestDocx, TitleFallsBackToTitleStyleThenHeadingThenFileName) {
  const Document styled =
      load_one(write_docx("a.docx", paragraph(run("Intro"), "Heading1") + paragraph(run("Doc Name"), "Title"), ""));
  EXPECT_EQ(styled.title, "Doc Name");
  const Document heading = load_one(write_docx("b.docx", paragraph(run("text")) + paragraph(run("Intro"), "heading 2"), ""));
  EXPECT_EQ(heading.title, "Intro");
  EXPECT_THAT(section_paths(heading), ElementsAre("Intro"));
  const Document plain = load_one(write_docx("c.docx", paragraph(run("just text")), ""));
  EXPECT_EQ(plain.title, "c.docx");
  EXPECT_EQ(plain.text, "just text");
  EXPECT_TRUE(plain.sections.empty());
}

TEST_F(IngestDocx, HeadingSectionStartsAtItsTextAfterALeadingTab) {
  const Document doc = load_one(
      write_docx("t.docx", paragraph("x") + paragraph("<w:r><w:tab/><w:t>Tabbed</w:t></w:r>", "Heading1"), ""));
  ASSERT_EQ(doc.sections.size(), 1u);
  EXPECT_EQ(doc.sections[0].path, "Tabbed");
  EXPECT_EQ(doc.text.substr(doc.sections[0].begin), "Tabbed");
}

TEST_F(IngestDocx, MovedFromTextIsNotDuplicated) {
  const Document doc = load_one(write_docx(
      "m.docx",
      "<w:p><w:moveFrom w:id=\"1\" w:author=\"a\"><w:r><w:t>moved</w:t></w:r></w:moveFrom>" + run("stay") +
          "</w:p><w:p><w:moveTo w:id=\"2\" w:author=\"a\"><w:r><w:t>moved</w:t></w:r></w:moveTo></w:p>",
      ""));
  EXPECT_EQ(doc.text, "stay\n\nmoved");
}

TEST_F(IngestDocx, OutlineLevelMakesAHeading) {
  const Document doc = load_one(write_docx(
      "o.docx", "<w:p><w:pPr><w:outlineLvl w:val=\"0\"/></w:pPr>" + run("Top") + "</w:p>" + paragraph(run("x")) +
                    "<w:p><w:pPr><w:outlineLvl w:val=\"1\"/></w:pPr>" + run("Inner") + "</w:p>",
      ""));
  EXPECT_THAT(section_paths(doc), ElementsAre("Top", "Top > Inner"));
}

TEST_F(IngestDocx, ZipWithoutDocumentXmlNamesTheFile) {
  const fs::path path = dir_ / "notword.docx";
  write_zip(path, {{"[Content_Types].xml", kContentTypes}, {"xl/workbook.xml", "<workbook/>"}});
  const std::string msg = error_message([&] { load_one(path); });
  EXPECT_THAT(msg, HasSubstr(path.string()));
  EXPECT_THAT(msg, HasSubstr("word/document.xml"));
}

TEST_F(IngestDocx, NonZipFileNamesIt) {
  const auto file = write("fake.docx", "this is plain text, not a zip archive");
  EXPECT_THAT(error_message([&] { load_one(file); }), HasSubstr(file.string()));
}

TEST_F(IngestDocx, MalformedDocumentXmlNamesTheFile) {
  const fs::path path = dir_ / "broken.docx";
  write_zip(path, {{"word/document.xml", "<w:document><w:body><w:p>"}});
  const std::string msg = error_message([&] { load_one(path); });
  EXPECT_THAT(msg, HasSubstr(path.string()));
}

TEST_F(IngestDocx, InflatedSizeIsLimited) {
  const fs::path path = write_docx("big.docx", paragraph(run(std::string(5000, 'a'))), "");
  LoaderOptions options;
  options.max_file_bytes = 4000;  // the archive is small, document.xml inflates past the limit
  ASSERT_LT(fs::file_size(path), options.max_file_bytes);
  const std::string msg = error_message([&] { load_one(path, options); });
  EXPECT_THAT(msg, HasSubstr(path.string()));
  EXPECT_THAT(msg, HasSubstr("word/document.xml"));
}

}  // namespace
}  // namespace ragrt::ingest::test
