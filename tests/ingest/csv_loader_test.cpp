// read_csv (RFC 4180) and the .csv loader's field rules.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ingest/csv_reader.h"
#include "ingest/ingest_test_util.h"

namespace ragrt::ingest::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(IngestCsvReader, QuotedFieldsHoldCommasNewlinesAndQuotes) {
  const auto rows = read_csv("a,b,c\n\"x, y\",\"line1\nline2\",\"say \"\"hi\"\"\"\nplain,,\"\"\n", "t.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[0].fields, ElementsAre("a", "b", "c"));
  EXPECT_THAT(rows[1].fields, ElementsAre("x, y", "line1\nline2", "say \"hi\""));
  EXPECT_THAT(rows[2].fields, ElementsAre("plain", "", ""));
  EXPECT_EQ(rows[0].line, 1u);
  EXPECT_EQ(rows[1].line, 2u);
  EXPECT_EQ(rows[2].line, 4u);  // the quoted newline moved it down a line
}

TEST(IngestCsvReader, CrLfBlankLinesAndNoFinalNewline) {
  const auto rows = read_csv("h1,h2\r\n\r\nv1,\"q\r\nv\"\r\n\nlast,x", "t.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[0].fields, ElementsAre("h1", "h2"));
  EXPECT_THAT(rows[1].fields, ElementsAre("v1", "q\r\nv"));  // line breaks inside quotes are data
  EXPECT_EQ(rows[1].line, 3u);
  EXPECT_THAT(rows[2].fields, ElementsAre("last", "x"));
  EXPECT_EQ(rows[2].line, 6u);
}

TEST(IngestCsvReader, TrailingCommaMakesAnEmptyLastField) {
  const auto rows = read_csv("a,b,", "t.csv");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].fields, ElementsAre("a", "b", ""));
}

TEST(IngestCsvReader, QuoteInsideUnquotedFieldIsKept) {
  const auto rows = read_csv("5\" disk,ok\n", "t.csv");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].fields, ElementsAre("5\" disk", "ok"));
}

TEST(IngestCsvReader, UnterminatedQuoteNamesItsLine) {
  const std::string msg = error_message([] { read_csv("a,b\nx,y\nz,\"never\nclosed\n", "src.csv"); });
  EXPECT_THAT(msg, HasSubstr("src.csv"));
  EXPECT_THAT(msg, HasSubstr("line 3"));
}

TEST(IngestCsvReader, TextAfterClosingQuoteNamesItsLine) {
  const std::string msg = error_message([] { read_csv("a,b\n\"x\"y,z\n", "src.csv"); });
  EXPECT_THAT(msg, HasSubstr("src.csv"));
  EXPECT_THAT(msg, HasSubstr("line 2"));
}

class IngestCsv : public ScratchDir {};

TEST_F(IngestCsv, RecordsBecomeDocuments) {
  const auto file = write("data/faq.csv",
                          "\xEF\xBB\xBFid,title,text,lang\r\n"
                          "q1,First,\"Hello, world\",en\r\n"
                          "q2,,\"Multi\r\nline \"\"quoted\"\"\",de\r\n");
  LoaderOptions options;
  options.metadata_fields = {"lang", "absent"};
  const auto docs = load(file, options, "data/faq.csv");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].id, "data/faq.csv#q1");
  EXPECT_EQ(docs[0].title, "First");
  EXPECT_EQ(docs[0].text, "Hello, world");
  EXPECT_EQ(docs[0].source, file.string());
  EXPECT_EQ(docs[0].metadata.at("lang"), "en");
  EXPECT_EQ(docs[0].metadata.at("format"), "csv");
  EXPECT_EQ(docs[0].metadata.count("absent"), 0u);
  EXPECT_EQ(docs[1].id, "data/faq.csv#q2");
  EXPECT_EQ(docs[1].title, "faq.csv");  // empty title: the file name
  EXPECT_EQ(docs[1].text, "Multi\r\nline \"quoted\"");
  EXPECT_EQ(docs[1].metadata.at("lang"), "de");
}

TEST_F(IngestCsv, ConfigurableFields) {
  const auto file = write("kb.csv",
                          "key,heading,question,answer,tag\n"
                          "k1,Greeting,How?,Like this.,a\n"
                          "k2,Empty answer,Why?,,b\n");
  LoaderOptions options;
  options.text_fields = {"question", "answer"};
  options.id_field = "key";
  options.title_field = "heading";
  options.metadata_fields = {"tag"};
  const auto docs = load(file, options, "kb.csv");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].id, "kb.csv#k1");
  EXPECT_EQ(docs[0].title, "Greeting");
  EXPECT_EQ(docs[0].text, "How?\n\nLike this.");
  EXPECT_EQ(docs[0].metadata.at("tag"), "a");
  EXPECT_EQ(docs[1].text, "Why?");  // an empty text field adds no stray separator
}

TEST_F(IngestCsv, NoIdColumnUsesRecordNumbers) {
  const auto docs = load(write("n.csv", "text\none\n\ntwo\n"), {}, "n.csv");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].id, "n.csv#1");
  EXPECT_EQ(docs[1].id, "n.csv#2");
}

TEST_F(IngestCsv, UnderscoreIdIsTriedToo) {
  const auto docs = load(write("beir.csv", "_id,text\nd7,hello\n"), {}, "beir.csv");
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].id, "beir.csv#d7");
}

TEST_F(IngestCsv, MissingTextColumnNamesItAndListsPresentOnes) {
  const auto file = write("cols.csv", "id,body,title\n1,x,y\n");
  const std::string msg = error_message([&] { load(file); });
  EXPECT_THAT(msg, HasSubstr(file.string()));
  EXPECT_THAT(msg, HasSubstr("\"text\""));
  EXPECT_THAT(msg, HasSubstr("\"id\", \"body\", \"title\""));
}

TEST_F(IngestCsv, FieldCountMismatchNamesTheLine) {
  const auto file = write("ragged.csv", "id,text\n1,ok\n2,too,many\n");
  const std::string msg = error_message([&] { load(file); });
  EXPECT_THAT(msg, HasSubstr(file.string()));
  EXPECT_THAT(msg, HasSubstr("line 3"));
}

TEST_F(IngestCsv, DuplicateIdNamesTheLineAndId) {
  const auto file = write("dup.csv", "id,text\na,one\nb,two\na,three\n");
  const std::string msg = error_message([&] { load(file); });
  EXPECT_THAT(msg, HasSubstr(file.string()));
  EXPECT_THAT(msg, HasSubstr("line 4"));
  EXPECT_THAT(msg, HasSubstr("\"a\""));
}

TEST_F(IngestCsv, UnterminatedQuoteNamesFileAndLine) {
  const auto file = write("open.csv", "id,text\n1,\"fine\"\n2,\"open\n");
  const std::string msg = error_message([&] { load(file); });
  EXPECT_THAT(msg, HasSubstr(file.string()));
  EXPECT_THAT(msg, HasSubstr("line 3"));
}

TEST_F(IngestCsv, HeaderOnlyAndEmptyFilesGiveNoDocuments) {
  EXPECT_TRUE(load(write("h.csv", "id,text\n")).empty());
  EXPECT_TRUE(load(write("e.csv", "")).empty());
}

TEST_F(IngestCsv, InvalidUtf8NamesFile) {
  const auto file = write("bad.csv", "id,text\n1,caf\xE9\n");
  const std::string msg = error_message([&] { load(file); });
  EXPECT_THAT(msg, HasSubstr(file.string()));
  EXPECT_THAT(msg, HasSubstr("byte offset 13"));
}

TEST_F(IngestCsv, EmptyTextFieldsOptionIsRefused) {
  LoaderOptions options;
  options.text_fields.clear();
  EXPECT_THAT(error_message([&] { load(write("x.csv", "id,text\n1,a\n"), options); }), HasSubstr("text_fields"));
}

}  // namespace
}  // namespace ragrt::ingest::test
