// Unit tests of the Jinja interpreter behind ragrt::ChatTemplate: every construct of the supported
// subset, whitespace control, undefined handling, error messages with line numbers, and loading
// templates from tokenizer_config.json. The expected strings of the Construct table are what
// @huggingface/jinja 0.5.11 renders for the same template and variables (the parity goldens in
// tests/golden/chat_templates cover whole chat templates).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "ragrt/chat_template.h"
#include "ragrt/error.h"

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

std::string render(const std::string& source, const std::string& vars_json = "{}") {
  ragrt::ChatTemplate t(source, json::object(), "t.jinja");
  return t.render(std::vector<ordered_json>{}, ordered_json(), false, ordered_json::parse(vars_json));
}

// The message of the ragrt::Error that `f` throws, checking its kind.
template <class F>
std::string error_of(F&& f, ragrt::ErrorKind kind) {
  try {
    f();
  } catch (const ragrt::Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "expected a ragrt::Error";
  return "";
}

struct ConstructCase {
  const char* name;
  const char* source;
  const char* vars;
  const char* expected;  // nullptr when rendering fails
  const char* error;     // the oracle's message, which ours must carry
};

// Generated with @huggingface/jinja 0.5.11 (Template(source).render({messages: [], add_generation_prompt:
// false, tools: null, documents: null, ...vars})); a lone surrogate it produced is written as U+FFFD,
// the bytes Node writes for it.
const ConstructCase kConstructs[] = {
    {"text",
     R"j(Hello
)j",
     R"j({})j",
     R"j(Hello)j", nullptr},
    {"print-values2",
     R"j({{ 1 }}|{{ 1.0 }}|{{ 1.5 }}|{{ -0.0 }}|{{ true }}|{{ none }}|{{ undefined_x }}|{{ 'a' }}|{{ [1, 'a', none, 2.0] }}|{{ {'k': 'v', 'n': [1]} }}|{{ 0.1 + 0.2 }}|{{ 1000000.0 * 1000000.0 * 1000000.0 * 1000.0 }}|{{ 1 / 3 }})j",
     R"j({})j",
     R"j(1|1.0|1.5|-0.0|true|||a|[1, "a", null, 2]|{"k": "v", "n": [1]}|0.30000000000000004|1e+21|0.3333333333333333)j", nullptr},
    {"arithmetic",
     R"j({{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 1 / 4 }} {{ 3 * 1.5 }} {{ 10 - 2.5 }} {{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 2 ** 3 ** 2 }} {{ -x }} {{ 1 / 0 }})j",
     R"j({"x": 4})j",
     R"j(3 -4 1 -1 1024 0.5 0.25 4.5 7.5 7 9 64 -4 Infinity)j", nullptr},
    {"concat",
     R"j({{ 'a' ~ 1 ~ 2.0 ~ true }} {{ 'ab' + 'cd' }} {{ 1 + 'a' }} {{ 'n=' ~ [1, 'x'] }} {{ 'd=' ~ {'a': 1} }})j",
     R"j({})j",
     R"j(a12true abcd 1a n=1,x d=[object Map])j", nullptr},
    {"compare",
     R"j({{ 1 == 1.0 }} {{ 1 == '1' }} {{ 'a' in 'abc' }} {{ 'z' not in ['a'] }} {{ 'k' in {'k': 1} }} {{ x in undefined_y }} {{ 2 > 1 and 1 >= 1 }} {{ not 0 }} {{ [] or 'empty' }} {{ {} or 'empty' }} {{ none == undefined_z }} {{ [1] == [1] }} {{ l == l }} {{ 1 != 2 }})j",
     R"j({"x": 1, "l": [1]})j",
     R"j(true true true true true false true true empty empty true false true true)j", nullptr},
    {"tests",
     R"j({{ x is defined }} {{ y is undefined }} {{ none is none }} {{ 'a' is string }} {{ 1 is number }} {{ 1.5 is integer }} {{ {} is mapping }} {{ [] is iterable }} {{ 'a' is iterable }} {{ {} is iterable }} {{ [] is sequence }} {{ true is boolean }} {{ false is false }} {{ 3 is odd }} {{ 4 is even }} {{ 'abc' is lower }} {{ 'ABC' is upper }} {{ x is not none }} {{ range is callable }} {{ none is defined }})j",
     R"j({"x": 1})j",
     R"j(true true true true true false true true true false true true true true true true true true true true)j", nullptr},
    {"ternary",
     R"j({{ 'yes' if x else 'no' }} [{{ 'shown' if false }}] {{ 'a' if false else 'b' if false else 'c' }})j",
     R"j({"x": 0})j",
     R"j(no [] c)j", nullptr},
    {"slicing",
     R"j({{ 'hello'[1:] }} {{ 'hello'[::-1] }} {{ 'hello'[:2] }} {{ [1,2,3,4][-2:] }} {{ [1,2,3][::2] }} {{ 'héllo😀'[-1] }} {{ 'héllo😀'[1:3] }} {{ [1,2,3][5:] }} {{ [1,2,3,4][3:0:-1] }})j",
     R"j({})j",
     R"j(ello olleh he [3, 4] [1, 3] � él [] [4, 3, 2])j", nullptr},
    {"member-access",
     R"j({{ d.a }} {{ d['b'][0] }} [{{ d.missing.deeper }}] {{ l[-1] }} {{ l.0 }} [{{ l[9] }}] {{ d['items'] }})j",
     R"j({"d": {"a": 1, "b": [2], "items": "data wins"}, "l": [1, 2, 3]})j",
     R"j(1 2 [] 3 1 [] data wins)j", nullptr},
    {"if-elif-else",
     R"j({% for n in [1, 2, 3] %}{% if n == 1 %}one{% elif n == 2 %}two{% else %}many{% endif %},{% endfor %})j",
     R"j({})j",
     R"j(one,two,many,)j", nullptr},
    {"loop-variables",
     R"j({% for x in ['a','b','c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.previtem }}{{ loop.nextitem }};{% endfor %})j",
     R"j({})j",
     R"j(10truefalse332b;21falsefalse321ac;32falsetrue310b;)j", nullptr},
    {"for-else",
     R"j({% for x in [] %}x{% else %}empty{% endfor %}|{% for x in [1] %}{{ x }}{% else %}empty{% endfor %})j",
     R"j({})j",
     R"j(empty|1)j", nullptr},
    {"for-items",
     R"j({% for k, v in d.items() %}{{ k }}={{ v }},{% endfor %}|{% for k in d %}{{ k }}{% endfor %}|{% for k, v in d|items %}{{ v }}{% endfor %})j",
     R"j({"d": {"b": 1, "a": 2}})j",
     R"j(b=1,a=2,|ba|12)j", nullptr},
    {"for-filter",
     R"j({% for x in range(10) if x is odd %}{{ x }}{{ loop.index }},{% endfor %})j",
     R"j({})j",
     R"j(11,32,53,74,95,)j", nullptr},
    {"break-continue",
     R"j({% for x in range(10) %}{% if x == 5 %}{% break %}{% endif %}{% if x is odd %}{% continue %}{% endif %}{{ x }}{% endfor %}|{% for x in [1, 2] %}a{% continue %}{% else %}else-ran{% endfor %})j",
     R"j({})j",
     R"j(024|else-ran)j", nullptr},
    {"namespace",
     R"j({% set ns = namespace(total=0, found=false) %}{% for x in [1,2,3] %}{% set ns.total = ns.total + x %}{% if x == 2 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.total }} {{ ns.found }} {{ ns }})j",
     R"j({})j",
     R"j(6 true {"total": 6, "found": true})j", nullptr},
    {"scoping",
     R"j({% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{{ x }}{% endfor %}{{ x }}{% if true %}{% set x = 3 %}{% endif %}{{ x }})j",
     R"j({})j",
     R"j(213)j", nullptr},
    {"block-set",
     R"j({% set greeting %}Hi {{ name }}!{% endset %}[{{ greeting }}])j",
     R"j({"name": "Ann"})j",
     R"j([Hi Ann!])j", nullptr},
    {"tuple-set",
     R"j({% set a, b = [1, 2] %}{{ b }}{{ a }}{% set t = (1, 2) %}{{ t|length }})j",
     R"j({})j",
     R"j(212)j", nullptr},
    {"macro",
     R"j({% macro greet(name, punct='!') %}Hello {{ name }}{{ punct }}{% endmacro %}{{ greet('Ann') }} {{ greet('Bob', punct='?') }} {{ greet(name='Cy') }})j",
     R"j({})j",
     R"j(Hello Ann! Hello Bob? Hello Cy!)j", nullptr},
    {"macro-caller-scope",
     R"j({% macro show() %}{{ v }}{% endmacro %}{% set v = 'outer' %}{% for v in ['loop'] %}{{ show() }}{% endfor %} {{ show() }})j",
     R"j({})j",
     R"j(loop outer)j", nullptr},
    {"call-block",
     R"j({% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}inner{% endcall %})j",
     R"j({})j",
     R"j(<b>inner</b>)j", nullptr},
    {"filter-block",
     R"j({% filter upper %}shout {{ 'it' }}{% endfilter %})j",
     R"j({})j",
     R"j(SHOUT IT)j", nullptr},
    {"whitespace-control",
     R"j(a  {{- 'b' -}}  c
{%- if true %}
  d
{%- endif %}
  {{ 'e' }}  {#- x #}
 f)j",
     R"j({})j",
     R"j(abc  d  e f)j", nullptr},
    {"trim-lstrip-blocks",
     R"j(<ul>
    {% for x in [1, 2] %}
    <li>{{ x }}</li>
    {% endfor %}
</ul>
  {{ 'kept indent' }}
)j",
     R"j({})j",
     R"j(<ul>
    <li>1</li>
    <li>2</li>
</ul>
  kept indent)j", nullptr},
    {"comments",
     R"j(a{# comment #}b {#- stripped -#} c {# multi
line #}d)j",
     R"j({})j",
     R"j(abc d)j", nullptr},
    {"generation-tags",
     R"j(a {% generation %}b{% endgeneration %} c {%- generation -%} d)j",
     R"j({})j",
     R"j(a b cd)j", nullptr},
    {"string-filters",
     R"j({{ '  x  '|trim }}|{{ 'hello wORLD-x_y'|title }}|{{ 'hello World'|capitalize }}|{{ 'ABC'|lower }}|{{ 'abc'|upper }}|{{ 'abc'|length }}|{{ '42'|int + 1 }}|{{ '1.5'|float }}|{{ 'x'|int }}|{{ 'a

b'|indent }}|{{ 'a
b'|indent(2, first=true) }}|{{ 'a-b-c'|replace('-', '+') }}|{{ 'abc'|join('.') }}|{{ 'ß'|upper }}|{{ 'ΣΑΣ ΟΔΟΣ'|lower }})j",
     R"j({})j",
     R"j(x|Hello WORLD-X_y|Hello World|abc|ABC|3|43|1.5|0|a

    b|  a
  b|a+b+c|a.b.c|SS|σας οδος)j", nullptr},
    {"list-filters",
     R"j({{ [3,1,2]|sort|join(',') }}|{{ ['b','A','a']|sort }}|{{ [3,1,2]|sort(reverse=true) }}|{{ [1,2]|length }}|{{ [1,2,3]|first }}{{ [1,2,3]|last }}|{{ [1,2,3]|reverse|list }}|{{ [1,1,2,1.0]|unique|list }}|{{ [1, none, 'a', 2.5]|join }}|{{ [1, 'a']|string }}|{{ users|map(attribute='name')|join(', ') }}|{{ users|map(attribute='age', default=0)|list }}|{{ users|selectattr('admin')|map(attribute='name')|list }}|{{ users|rejectattr('admin')|length }}|{{ users|selectattr('name', 'equalto', 'Bo')|list|length }}|{{ users|sort(attribute='name', reverse=true)|map(attribute='name')|join }})j",
     R"j({"users": [{"name": "Al", "admin": true, "age": 30}, {"name": "Bo", "admin": false}, {"name": "Cy"}]})j",
     R"j(1,2,3|["A", "a", "b"]|[3, 2, 1]|2|13|[3, 2, 1]|[1, 2]|1a2.5|[1, "a"]|Al, Bo, Cy|[30, 0, 0]|["Al"]|2|1|CyBoAl)j", nullptr},
    {"number-filters",
     R"j({{ -3|abs }} {{ -2.5|abs }} {{ 3.7|int }} {{ -3.7|int }} {{ 3|float }} {{ 5|string ~ 'x' }} {{ 2.0|string }} {{ true|int }} {{ true|string }})j",
     R"j({})j",
     R"j(3 2.5 3 -4 3.0 5x 2.0 1 true)j", nullptr},
    {"dict-filters",
     R"j({{ d|items|list }} {{ d|length }} {{ d|dictsort }} {{ d|dictsort(reverse=true) }} {{ d.keys()|list }} {{ d.values()|list }} {{ d|tojson }})j",
     R"j({"d": {"b": 1, "a": 2}})j",
     R"j([["b", 1], ["a", 2]] 2 [["a", 2], ["b", 1]] [["b", 1], ["a", 2]] ["b", "a"] [1, 2] {"b": 1, "a": 2})j", nullptr},
    {"default-filter",
     R"j({{ undefined_x|default('dflt') }}|{{ ''|default('empty', true) }}|{{ ''|default('unused') }}|{{ none|default('n') }}|{{ none|default('n', true) }})j",
     R"j({})j",
     R"j(dflt|empty|||n)j", nullptr},
    {"tojson",
     R"j({{ obj|tojson }}|{{ obj|tojson(indent=2) }}|{{ s|tojson }}|{{ 'é😀'|tojson(ensure_ascii=true) }}|{{ {'b': 1, 'a': 2, 'B': 3, '_': 4}|tojson(sort_keys=true) }}|{{ [1, [2, 3], {}]|tojson(separators=(',', ':')) }}|{{ [[], {}]|tojson(indent=2) }}|{{ undefined_x|tojson }}|{{ 1.0|tojson }})j",
     R"j({"obj": {"name": "x", "list": [1, 2.5, true, null], "nested": {"k": "v"}}, "s": "é😀\"\\\n\t\u0001/"})j",
     R"j({"name": "x", "list": [1, 2.5, true, null], "nested": {"k": "v"}}|{
  "name": "x",
  "list": [
    1,
    2.5,
    true,
    null
  ],
  "nested": {
    "k": "v"
  }
}|"é😀\"\\\n\t\u0001/"|"\u00e9\ud83d\ude00"|{"_": 4, "a": 2, "b": 1, "B": 3}|[1,[2,3],{}]|[
  [],
  {}
]|null|1)j", nullptr},
    {"string-methods",
     R"j({{ 'Hello'.startswith('He') }} {{ 'Hello'.endswith(('x','lo')) }} {{ ' a b  c '.split() }} {{ 'a,b,c'.split(',', 1) }} {{ 'a b c'.split(none, 1) }} [{{ '  pad  '.strip() }}] [{{ 'xxhixx'.strip('x') }}] [{{ '
x
'.lstrip('
') }}] {{ 'aaa'.replace('a', 'b', 2) }} {{ 'AbC'.upper() }} {{ 'AbC'.lower() }} {{ 'hello world'.title() }} {{ 'abc'.length }} {{ 'x'.capitalize() }})j",
     R"j({})j",
     R"j(true true ["a", "b", "c"] ["a", "b,c"] ["a", "b c"] [pad] [xxhixx] [x
] bba ABC abc Hello World 3 X)j", nullptr},
    {"dict-methods",
     R"j({{ d.get('a') }} {{ d.get('zz', 'dflt') }} [{{ d.get('zz') }}] {{ d.values()|list }} {{ d.items()|list }})j",
     R"j({"d": {"a": 1}})j",
     R"j(1 dflt [] [1] [["a", 1]])j", nullptr},
    {"range",
     R"j({{ range(3)|list }} {{ range(1, 10, 3)|list }} {{ range(5, 0, -2)|list }} {{ range(0)|list }})j",
     R"j({})j",
     R"j([0, 1, 2] [1, 4, 7] [5, 3, 1] [])j", nullptr},
    {"literals",
     R"j({{ 'tab\there' }} {{ "q\"uote" }} {{ '\u00e9\x41' }} {{ 'con' 'cat' }} {{ True }} {{ False }} {{ None }}|{{ (1, 2)|length }} {{ [1, 2,][1] }})j",
     R"j({})j",
     R"j(tab	here q"uote éA concat true false |2 2)j", nullptr},
    {"unicode",
     R"j({{ '😀a'|length }} {{ '中文'|length }} {{ '😀a'[0]|length }})j",
     R"j({})j",
     R"j(3 2 1)j", nullptr},
    {"strftime",
     R"j({{ strftime_now('%Y-%m-%d %H:%M %b %B %% %j') }})j",
     R"j({"strftime_now": "2024-03-05T07:08:09"})j",
     R"j(2024-03-05 07:08 Mar March % %j)j", nullptr},
    {"undefined",
     R"j([{{ undefined_x }}] [{{ undefined_x.attr }}] {% if undefined_x %}t{% else %}f{% endif %} {{ undefined_x is defined }})j",
     R"j({})j",
     R"j([] [] f false)j", nullptr},
    {"error-raise",
     R"j(line1
{{ raise_exception('boom: ' ~ x) }})j",
     R"j({"x": 1})j",
     nullptr, R"j(boom: 1)j"},
    {"error-undefined-method",
     R"j({{ 'x'.nope() }})j",
     R"j({})j",
     nullptr, R"j(Cannot call something that is not a function: got UndefinedValue)j"},
    {"error-type",
     R"j(

{{ 1 - 'a' }})j",
     R"j({})j",
     nullptr, R"j(Unknown operator "-" between IntegerValue and StringValue)j"},
    {"error-undefined-arith",
     R"j({{ undefined_x + 1 }})j",
     R"j({})j",
     nullptr, R"j(Cannot perform operation + on undefined values)j"},
    {"error-unknown-filter",
     R"j({{ [1]|count }})j",
     R"j({})j",
     nullptr, R"j(Unknown ArrayValue filter: count)j"},
    {"error-unknown-test",
     R"j({{ 1.5 is float }})j",
     R"j({})j",
     nullptr, R"j(Unknown test: float)j"},
    {"error-filter-on-undefined",
     R"j({{ undefined_x|length }})j",
     R"j({})j",
     nullptr, R"j(Cannot apply filter "length" to type: UndefinedValue)j"},
    {"error-null-concat",
     R"j({{ 'a' ~ none }})j",
     R"j({})j",
     nullptr, R"j(Cannot perform operation on null values)j"},
    {"error-tuple-print",
     R"j({{ (1, 2) }})j",
     R"j({})j",
     nullptr, R"j(Cannot convert to JSON: TupleValue)j"},
    {"error-string-compare",
     R"j({{ 'a' < 'b' }})j",
     R"j({})j",
     nullptr, R"j(Unknown operator "<" between StringValue and StringValue)j"},
};

TEST(JinjaConstructs, RenderLikeTheOracle) {
  for (const auto& c : kConstructs) {
    SCOPED_TRACE(c.name);
    if (c.expected) {
      try {
        EXPECT_EQ(render(c.source, c.vars), c.expected);
      } catch (const ragrt::Error& e) {
        ADD_FAILURE() << "unexpected error: " << e.what();
      }
    } else {
      std::string message = error_of([&] { render(c.source, c.vars); }, ragrt::ErrorKind::kInvalidArgument);
      EXPECT_NE(message.find(c.error), std::string::npos) << message;
    }
  }
}

TEST(JinjaErrors, SyntaxErrorsNameSourceLineAndColumn) {
  struct Case {
    const char* source;
    const char* message;
  };
  const Case cases[] = {
      {"a\n{% if x %}b", "t.jinja:2:12: Unexpected end of template: missing {% endif %}"},
      {"ok\n  {% include 'x' %}", "t.jinja:2:6: Unknown statement type: include"},
      {"{{ a ; b }}", "t.jinja:1:6: Unexpected character: ;"},
      {"{{ 'abc }}", "t.jinja:1:11: Unexpected end of input"},
      {"{{ a ", "t.jinja:1:6: Unexpected end of input"},
      {"{{ '\\q' }}", "t.jinja:1:5: Unexpected escaped character: q"},
      {"é {{ ; }}", "t.jinja:1:6: Unexpected character: ;"},
      {"{% for x in xs %}\n{{ x }",
       "t.jinja:2:6: Parser Error: Expected closing expression token. CloseCurlyBracket !== CloseExpression."},
      {"{% for x in xs %}{% else %}", "t.jinja:1:28: Unexpected end of template: missing {% endfor %}"},
      {"{% macro m(a=1, b) %}{% endmacro %}", "t.jinja:1:18: Non-default argument follows default argument"},
      {"{{ x | }}", "t.jinja:1:8: Unexpected token: CloseExpression"},
      {"{# open comment", "t.jinja:1:1: Missing end of comment tag"},
  };
  for (const auto& c : cases) {
    std::string message = error_of([&] { ragrt::ChatTemplate t(c.source, json::object(), "t.jinja"); },
                                   ragrt::ErrorKind::kInvalidModel);
    EXPECT_EQ(message, c.message) << c.source;
  }
}

TEST(JinjaErrors, RuntimeErrorsNameTheTemplateLine) {
  EXPECT_EQ(error_of([] { render("line1\n{{ raise_exception('boom') }}"); }, ragrt::ErrorKind::kInvalidArgument),
            "t.jinja:2: boom");
  // Inside a macro the line is where the failing expression is, not where the macro was called.
  EXPECT_EQ(error_of([] { render("{% macro m() %}\n\n{{ 1 - 'a' }}{% endmacro %}\n{{ m() }}"); },
                     ragrt::ErrorKind::kInvalidArgument),
            "t.jinja:3: Unknown operator \"-\" between IntegerValue and StringValue");
  EXPECT_EQ(error_of([] { render("{% for x in 5 %}{% endfor %}"); }, ragrt::ErrorKind::kInvalidArgument),
            "t.jinja:1: Expected iterable or object type in for loop: got IntegerValue");
  EXPECT_EQ(error_of([] { render("{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{{ r(0) }}"); },
                     ragrt::ErrorKind::kInvalidArgument),
            "t.jinja:1: Maximum call stack size exceeded");
  EXPECT_EQ(error_of([] { render("{{ x }}", R"({"true": 1})"); }, ragrt::ErrorKind::kInvalidArgument),
            "t.jinja: Variable already declared: true");
}

TEST(JinjaVariables, ToolsAndDocumentsAreNoneWhenAbsent) {
  ragrt::ChatTemplate t("{{ tools is none }} {{ tools is defined }} {{ documents is none }} {{ add_generation_prompt }}");
  std::vector<json> messages;
  EXPECT_EQ(t.render(messages, json::array(), true), "true true true true");
  EXPECT_EQ(t.render(messages, json(), false), "true true true false");
  EXPECT_EQ(t.render(messages, json::array({{{"type", "function"}}}), false), "false true true false");
  // `extra` may replace the standard variables, as apply_chat_template's extra options do.
  EXPECT_EQ(t.render(messages, json::array(), false, {{"documents", "docs"}, {"add_generation_prompt", 1}}),
            "true true false 1");
}

TEST(JinjaVariables, SpecialTokensAreStringsOrAddedTokens) {
  ragrt::ChatTemplate t("{{ bos_token }}|{{ eos_token }}|{{ pad_token is defined }}|{{ unk_token is defined }}",
                        {{"bos_token", "<s>"}, {"eos_token", {{"content", "</s>"}, {"lstrip", false}}}, {"pad_token", nullptr},
                         {"unk_token", ""}});
  EXPECT_EQ(t.render(std::vector<json>{}, json::array(), false), "<s>|</s>|false|false");
  error_of([] { ragrt::ChatTemplate bad("x", {{"bos_token", 5}}); }, ragrt::ErrorKind::kInvalidArgument);
}

TEST(JinjaVariables, DictKeysKeepTheirOrderWithOrderedJson) {
  ragrt::ChatTemplate t("{{ messages[0] | tojson }}");
  auto ordered = ordered_json::parse(R"({"role": "user", "b": 1, "a": 2, "10": 3, "2": 4})");
  // JavaScript enumerates array-index keys first, in numeric order.
  EXPECT_EQ(t.render(std::vector<ordered_json>{ordered}, ordered_json(), false),
            R"({"2": 4, "10": 3, "role": "user", "b": 1, "a": 2})");
  EXPECT_EQ(t.render(std::vector<json>{json::parse(ordered.dump())}, json(), false),
            R"({"2": 4, "10": 3, "a": 2, "b": 1, "role": "user"})");
}

TEST(JinjaVariables, IntegralFloatsAreIntegersAsAfterJsonParse) {
  EXPECT_EQ(render("{{ a }} {{ b }} {{ a is integer }} {{ c|tojson }}", R"({"a": 2.0, "b": 2.5, "c": [1.0, -0.0]})"),
            "2 2.5 true [1, 0]");
}

TEST(JinjaGlobals, StrftimeNowReadsTheClockUnlessFixed) {
  EXPECT_EQ(render("{{ strftime_now('%d %b %Y') }}", R"({"strftime_now": "2024-07-26T10:05:00"})"), "26 Jul 2024");
  EXPECT_EQ(render("{{ strftime_now('%Y') }}").size(), 4u);
  error_of([] { render("x", R"({"strftime_now": "yesterday"})"); }, ragrt::ErrorKind::kInvalidArgument);
}

TEST(JinjaRender, IsSafeFromSeveralThreads) {
  ragrt::ChatTemplate t("{% for m in messages %}{{ m.content|upper }}{% endfor %}");
  std::vector<std::thread> threads;
  std::vector<std::string> results(4);
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 200; ++k) {
        results[i] = t.render(std::vector<json>{{{"role", "user"}, {"content", "abc" + std::to_string(i)}}}, json(), false);
      }
    });
  }
  for (auto& th : threads) th.join();
  for (size_t i = 0; i < results.size(); ++i) EXPECT_EQ(results[i], "ABC" + std::to_string(i));
}

class ChatTemplateConfig : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ragrt_chat_template_" + std::to_string(::getpid()) + "_" +
                                        testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& json_text) {
    fs::path p = dir_ / "tokenizer_config.json";
    std::ofstream(p) << json_text;
    return p;
  }
  fs::path dir_;
};

TEST_F(ChatTemplateConfig, ReadsAStringTemplateAndSpecialTokens) {
  auto p = write(R"({"chat_template": "{{ bos_token }}{{ messages[0].content }}{{ eos_token }}{{ cls_token is defined }}",
                     "bos_token": {"__type": "AddedToken", "content": "<s>"}, "eos_token": "</s>", "cls_token": null})");
  auto t = ragrt::ChatTemplate::from_tokenizer_config(p);
  EXPECT_EQ(t.render(std::vector<json>{{{"role", "user"}, {"content", "hi"}}}, json(), false), "<s>hi</s>false");
}

TEST_F(ChatTemplateConfig, PicksANamedTemplateFromAList) {
  auto p = write(R"({"chat_template": [{"name": "default", "template": "D"}, {"name": "tool_use", "template": "T"}]})");
  EXPECT_EQ(ragrt::ChatTemplate::from_tokenizer_config(p).source(), "D");
  EXPECT_EQ(ragrt::ChatTemplate::from_tokenizer_config(p, "tool_use").source(), "T");
  std::string message = error_of([&] { ragrt::ChatTemplate::from_tokenizer_config(p, "rag"); }, ragrt::ErrorKind::kNotFound);
  EXPECT_NE(message.find("no template named \"rag\" (available: default, tool_use)"), std::string::npos) << message;
}

TEST_F(ChatTemplateConfig, ErrorsNameTheFileAndField) {
  std::string message = error_of([&] { ragrt::ChatTemplate::from_tokenizer_config(dir_ / "missing.json"); },
                                 ragrt::ErrorKind::kNotFound);
  EXPECT_NE(message.find("missing.json"), std::string::npos) << message;
  message = error_of([&] { ragrt::ChatTemplate::from_tokenizer_config(write(R"({"eos_token": "x"})")); },
                     ragrt::ErrorKind::kNotFound);
  EXPECT_NE(message.find("tokenizer_config.json: chat_template is missing"), std::string::npos) << message;
  message = error_of([&] { ragrt::ChatTemplate::from_tokenizer_config(write("{not json")); }, ragrt::ErrorKind::kInvalidModel);
  EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
  message = error_of([&] { ragrt::ChatTemplate::from_tokenizer_config(write(R"({"chat_template": "x", "eos_token": 3})")); },
                     ragrt::ErrorKind::kInvalidModel);
  EXPECT_NE(message.find("tokenizer_config.json: eos_token must be a string"), std::string::npos) << message;
  message = error_of([&] { ragrt::ChatTemplate::from_tokenizer_config(write(R"({"chat_template": "{% if %}"})")); },
                     ragrt::ErrorKind::kInvalidModel);
  EXPECT_NE(message.find("tokenizer_config.json: chat_template:1:"), std::string::npos) << message;
}

TEST(ChatTemplateShared, Qwen3RendersAConversation) {
  fs::path config = fs::path(RAGRT_SHARED_DIR) / "models" / "tokenizers" / "qwen3-bpe" / "tokenizer_config.json";
  if (!fs::exists(config)) GTEST_SKIP() << config << " is not available";
  auto t = ragrt::ChatTemplate::from_tokenizer_config(config);
  std::vector<json> messages = {{{"role", "user"}, {"content", "你好"}}};
  EXPECT_EQ(t.render(messages, json::array(), true, {{"enable_thinking", false}}),
            "<|im_start|>user\n你好<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
}

}  // namespace
