// .html loader (libxml2): visible text, layout, entities, encodings, title and sections.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ingest/ingest_test_util.h"

namespace ragrt::ingest::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class IngestHtml : public ScratchDir {
 protected:
  // Every section starts at its heading's text (the last element of its path).
  static void expect_sections_start_at_headings(const Document& doc) {
    for (const auto& s : doc.sections) {
      const auto sep = s.path.rfind(" > ");
      const std::string heading = sep == std::string::npos ? s.path : s.path.substr(sep + 3);
      ASSERT_LE(s.begin, doc.text.size());
      EXPECT_EQ(doc.text.substr(s.begin, heading.size()), heading) << s.path;
      EXPECT_LE(s.end, doc.text.size());
      EXPECT_LT(s.begin, s.end);
    }
  }
};

const char* const kPage = R"(<!DOCTYPE html>
<html><head><title>  Page &amp;
 Title </title><style>body { color: red }</style><script>var x = "scripted";</script></head>
<body>
<h1>Main Heading</h1>
<p>First <b>bold</b>para&nbsp;graph with &lt;tags&gt; &eacute;&#x4E2D;.</p>
<div>Block one</div><div>Block two</div>
<p>Line<br>break</p>
<ul><li>item one</li><li>item two</li></ul>
<table><tr><td>cell A</td><td>cell B</td></tr><tr><th>cell C</th><td>cell D</td></tr></table>
<pre>  keep   spaces
    and lines</pre>
<script>document.write("written")</script>
<noscript>no script text</noscript>
<div hidden>secret</div>
<template><p>templated</p></template>
<h2>  <a href="#x">Sub</a>
   Heading </h2>
<p>Sub   text
spans lines</p>
<h3>Deeper</h3><p>deep text</p>
<h2>Second Sub</h2>
<p>end</p>
</body></html>
)";

TEST_F(IngestHtml, VisibleTextLayout) {
  const Document doc = load_one(write("page.html", kPage));
  const std::string& t = doc.text;
  EXPECT_EQ(doc.metadata.at("format"), "html");
  for (const char* hidden : {"scripted", "color", "written", "no script text", "secret", "templated", "Page"}) {
    EXPECT_THAT(t, Not(HasSubstr(hidden)));
  }
  EXPECT_THAT(t, HasSubstr("First boldpara\xC2\xA0graph with <tags> \xC3\xA9\xE4\xB8\xAD."));
  EXPECT_THAT(t, HasSubstr("Block one\nBlock two"));
  EXPECT_THAT(t, HasSubstr("Line\nbreak"));
  EXPECT_THAT(t, HasSubstr("item one\nitem two"));
  EXPECT_THAT(t, HasSubstr("cell A cell B\ncell C cell D"));
  EXPECT_THAT(t, HasSubstr("  keep   spaces\n    and lines"));
  EXPECT_THAT(t, HasSubstr("Sub text spans lines"));
  EXPECT_THAT(t, HasSubstr("Main Heading\n\nFirst"));
  EXPECT_EQ(t.substr(0, 12), "Main Heading");
  EXPECT_EQ(t.substr(t.size() - 3), "end");  // trailing whitespace trimmed
  EXPECT_TRUE(valid_utf8(t));
}

TEST_F(IngestHtml, TitleAndSections) {
  const Document doc = load_one(write("page.html", kPage));
  EXPECT_EQ(doc.title, "Page & Title");
  EXPECT_THAT(section_paths(doc), ElementsAre("Main Heading", "Main Heading > Sub Heading",
                                              "Main Heading > Sub Heading > Deeper", "Main Heading > Second Sub"));
  expect_sections_start_at_headings(doc);
  ASSERT_EQ(doc.sections.size(), 4u);
  EXPECT_EQ(doc.sections[0].begin, 0u);
  EXPECT_EQ(doc.sections[0].end, doc.text.size());
  EXPECT_EQ(doc.sections[1].end, doc.text.find("Second Sub"));
  EXPECT_EQ(doc.sections[2].end, doc.text.find("Second Sub"));
  EXPECT_EQ(doc.sections[3].end, doc.text.size());
}

TEST_F(IngestHtml, BlockElementsSeparateWords) {
  const Document doc =
      load_one(write("blocks.htm", "<div>one</div><div>two</div><p>three</p><p>four</p><section>five</section>"
                                   "<span>six</span><span>seven</span><li>eight</li>nine"));
  EXPECT_EQ(doc.text, "one\ntwo\n\nthree\n\nfour\n\nfive\n\nsixseven\neight\nnine");
}

TEST_F(IngestHtml, TitleFallsBackToFirstH1ThenFileName) {
  const Document with_h1 = load_one(write("a.html", "<body><h2>Second level</h2><h1> First\n one </h1></body>"));
  EXPECT_EQ(with_h1.title, "First one");
  expect_sections_start_at_headings(with_h1);
  const Document none = load_one(write("b.html", "<body><p>no headings</p></body>"));
  EXPECT_EQ(none.title, "b.html");
  EXPECT_EQ(none.text, "no headings");
  // An svg <title> is a tooltip, not the page's title.
  const Document svg = load_one(write("c.html", "<body><svg><title>tooltip</title></svg><h1>Real</h1></body>"));
  EXPECT_EQ(svg.title, "Real");
  EXPECT_THAT(svg.text, Not(HasSubstr("tooltip")));
}

TEST_F(IngestHtml, HeadingInlineAfterText) {
  // A heading that follows inline text still starts its own block, and its section at its text.
  const Document doc = load_one(write("inline.html", "<body>lead text<h2>Topic</h2>after</body>"));
  EXPECT_EQ(doc.text, "lead text\n\nTopic\n\nafter");
  ASSERT_EQ(doc.sections.size(), 1u);
  EXPECT_EQ(doc.sections[0].begin, doc.text.find("Topic"));
}

TEST_F(IngestHtml, PreDropsOnlyTheLineBreakAfterItsTag) {
  const Document doc = load_one(write("pre.html", "<p>x</p><pre>\n  code\n\n  more\n</pre><p>y</p>"));
  EXPECT_EQ(doc.text, "x\n\n  code\n\n  more\n\ny");
}

TEST_F(IngestHtml, SectionStartsAtTheHeadingTextAfterALeadingBreak) {
  const Document doc = load_one(write("br.html", "<p>x</p><h2><br>Title</h2><p>y</p>"));
  ASSERT_EQ(doc.sections.size(), 1u);
  EXPECT_EQ(doc.text.substr(doc.sections[0].begin, 5), "Title");
}

TEST_F(IngestHtml, MetaCharsetLatin1DecodesToUtf8) {
  const Document doc = load_one(write(
      "latin1.html", "<html><head><meta charset=\"iso-8859-1\"><title>R\xE9sum\xE9</title></head>"
                     "<body><p>caf\xE9 cr\xE8me</p></body></html>"));
  EXPECT_EQ(doc.text, "caf\xC3\xA9 cr\xC3\xA8me");
  EXPECT_EQ(doc.title, "R\xC3\xA9sum\xC3\xA9");
}

TEST_F(IngestHtml, HttpEquivWindows1252) {
  const Document doc = load_one(write(
      "cp1252.html", "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">"
                     "</head><body><p>\x93quoted\x94 \x80</p></body></html>"));
  EXPECT_EQ(doc.text, "\xE2\x80\x9Cquoted\xE2\x80\x9D \xE2\x82\xAC");
}

TEST_F(IngestHtml, Utf8WithBom) {
  const Document doc = load_one(write("bom.html", "\xEF\xBB\xBF<p>\xE4\xB8\xAD\xE6\x96\x87</p>"));
  EXPECT_EQ(doc.text, "\xE4\xB8\xAD\xE6\x96\x87");
}

TEST_F(IngestHtml, EmptyAndWhitespaceFiles) {
  EXPECT_EQ(load_one(write("empty.html", "")).text, "");
  const Document blank = load_one(write("blank.html", " \n\t "));
  EXPECT_EQ(blank.text, "");
  EXPECT_EQ(blank.title, "blank.html");
}

TEST_F(IngestHtml, MissingFileNamesIt) {
  EXPECT_THAT(error_message([&] { load_one(dir_ / "gone.html"); }), HasSubstr("gone.html"));
}

}  // namespace
}  // namespace ragrt::ingest::test
