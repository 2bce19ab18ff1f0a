// .pdf loader (poppler-cpp) on PDFs written by the test itself.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include <fmt/format.h>

#include "ingest/ingest_test_util.h"

namespace ragrt::ingest::test {
namespace {

using ::testing::HasSubstr;

// A minimal PDF 1.4: one page per entry of `pages` (each entry: the lines of that page, drawn in
// Helvetica 12pt, one standard-14 font that needs no embedding), an Info dictionary with `title`
// when it is not empty, and a cross-reference table with the real byte offsets of the objects.
std::string make_pdf(const std::vector<std::vector<std::string>>& pages, const std::string& title) {
  std::vector<std::string> objects;  // objects[i] is object number i + 1, without "N 0 obj"
  const size_t page_count = pages.size();
  // 1: catalog, 2: page tree, 3: font, then per page: page object and its content stream.
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  std::string kids;
  for (size_t i = 0; i < page_count; ++i) kids += fmt::format("{} 0 R ", 4 + 2 * i);
  objects.push_back(fmt::format("<< /Type /Pages /Kids [{}] /Count {} >>", kids, page_count));
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  for (size_t i = 0; i < page_count; ++i) {
    objects.push_back(fmt::format(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
        "/Contents {} 0 R >>",
        5 + 2 * i));
    std::string stream = "BT /F1 12 Tf 72 720 Td 14 TL\n";
    for (const auto& line : pages[i]) stream += "(" + line + ") Tj T*\n";
    stream += "ET";
    objects.push_back(fmt::format("<< /Length {} >>\nstream\n{}\nendstream", stream.size(), stream));
  }
  size_t info = 0;
  if (!title.empty()) {
    objects.push_back("<< /Title (" + title + ") /Producer (ragrt test) >>");
    info = objects.size();
  }
  std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += fmt::format("{} 0 obj\n{}\nendobj\n", i + 1, objects[i]);
  }
  const size_t xref = pdf.size();
  pdf += fmt::format("xref\n0 {}\n0000000000 65535 f \n", objects.size() + 1);
  for (size_t off : offsets) pdf += fmt::format("{:010d} 00000 n \n", off);
  pdf += fmt::format("trailer\n<< /Size {} /Root 1 0 R{} >>\nstartxref\n{}\n%%EOF\n", objects.size() + 1,
                     info ? fmt::format(" /Info {} 0 R", info) : std::string(), xref);
  return pdf;
}

class IngestPdf : public ScratchDir {};

TEST_F(IngestPdf, TwoPagesWithRangesAndTitle) {
  const auto file = write("report.pdf", make_pdf({{"Alpha page one text.", "Second line of page one."},
                                                  {"Bravo page two words."}},
                                                 "Quarterly Report"));
  const Document doc = load_one(file);
  EXPECT_EQ(doc.title, "Quarterly Report");
  EXPECT_EQ(doc.metadata.at("format"), "pdf");
  EXPECT_EQ(doc.source, file.string());
  ASSERT_EQ(doc.pages.size(), 2u);
  const Page& p1 = doc.pages[0];
  const Page& p2 = doc.pages[1];
  EXPECT_EQ(p1.number, 1);
  EXPECT_EQ(p2.number, 2);
  EXPECT_EQ(p1.begin, 0u);
  EXPECT_LT(p1.begin, p1.end);
  EXPECT_LE(p1.end, p2.begin);
  EXPECT_EQ(p2.end, doc.text.size());
  EXPECT_EQ(doc.text.substr(p1.end, p2.begin - p1.end), "\n\n");
  const std::string page1 = doc.text.substr(p1.begin, p1.end - p1.begin);
  const std::string page2 = doc.text.substr(p2.begin, p2.end - p2.begin);
  EXPECT_THAT(page1, HasSubstr("Alpha page one text."));
  EXPECT_THAT(page1, HasSubstr("Second line of page one."));
  EXPECT_EQ(page2, "Bravo page two words.");
  const size_t bravo = doc.text.find("Bravo");
  EXPECT_GE(bravo, p2.begin);
  EXPECT_LT(bravo, p2.end);
  EXPECT_TRUE(valid_utf8(doc.text));
}

TEST_F(IngestPdf, NonAsciiTextAndTitlesComeOutAsUtf8) {
  // WinAnsi bytes in the content stream (octal escapes), a PDFDocEncoding title and a UTF-16BE one.
  const auto text_pdf = make_pdf({{"caf\\351 na\\357ve \\223quoted\\224"}}, "R\\351sum\\351 \\(draft\\)");
  const Document doc = load_one(write("latin.pdf", text_pdf));
  EXPECT_EQ(doc.text, "caf\xC3\xA9 na\xC3\xAFve \xE2\x80\x9Cquoted\xE2\x80\x9D");
  EXPECT_EQ(doc.title, "R\xC3\xA9sum\xC3\xA9 (draft)");
  const Document utf16 =
      load_one(write("utf16.pdf", make_pdf({{"x"}}, "\\376\\377\\000A\\000\\351\\116\\055")));
  EXPECT_EQ(utf16.title, "A\xC3\xA9\xE4\xB8\xAD");
}

TEST_F(IngestPdf, NoInfoTitleFallsBackToFileName) {
  const Document doc = load_one(write("untitled.pdf", make_pdf({{"Only page."}}, "")));
  EXPECT_EQ(doc.title, "untitled.pdf");
  ASSERT_EQ(doc.pages.size(), 1u);
  EXPECT_EQ(doc.text, "Only page.");
}

TEST_F(IngestPdf, EmptyPageHasAnEmptyRange) {
  const Document doc = load_one(write("gap.pdf", make_pdf({{"First."}, {}, {"Third."}}, "")));
  ASSERT_EQ(doc.pages.size(), 3u);
  EXPECT_EQ(doc.pages[1].begin, doc.pages[1].end);
  EXPECT_EQ(doc.text.substr(doc.pages[2].begin), "Third.");
  EXPECT_EQ(doc.text, "First.\n\nThird.");
}

TEST_F(IngestPdf, CorruptFileNamesIt) {
  std::mt19937 rng(7);
  std::string junk(4096, '\0');
  for (char& c : junk) c = static_cast<char>(rng() & 0xFF);
  const auto file = write("corrupt.pdf", junk);
  EXPECT_THAT(error_message([&] { load_one(file); }), HasSubstr(file.string()));
  // A PDF header followed by garbage is not readable either.
  const auto truncated = write("truncated.pdf", "%PDF-1.4\n1 0 obj\n<< /Type");
  EXPECT_THAT(error_message([&] { load_one(truncated); }), HasSubstr(truncated.string()));
}

TEST_F(IngestPdf, MissingFileNamesIt) {
  EXPECT_THAT(error_message([&] { load_one(dir_ / "none.pdf"); }), HasSubstr("none.pdf"));
}

}  // namespace
}  // namespace ragrt::ingest::test
