#pragma once
// What the PostgreSQL backend must know about a statement before the server sees it, read by a
// small lexer that follows PostgreSQL's lexical rules (standard_conforming_strings on, which the
// backend enforces on every connection): '…' and E'…' strings, "…" identifiers, $tag$…$tag$
// strings, -- and nested /* */ comments, and :: casts are never mistaken for parameters or
// statement ends.
//
//   - :name parameters become $1..$n (the same name twice is the same $k), so that arguments are
//     bound by libpq, never spliced. `x::text` is a cast, `:x::text` a parameter with a cast. An
//     array slice a[i:j] reads as parameter :j; write a[i : j].
//   - One statement: what follows the first top-level ';' may only be blanks, comments and ';'
//     (else `more_statements`). The statement is returned without it, so that it can be wrapped
//     in a subquery.
//   - The first keyword (a query starts with select, with, values or table), the names written
//     right before '(' (possible function calls: the read_only_query check looks them up) and
//     the runs of operator characters (user-written operators can run any function).
#include <string>
#include <string_view>
#include <vector>

namespace ragrt::tools {

struct PgStatement {
  std::string sql;                       // :name → $k, cut before the first top-level ';'
  std::vector<std::string> parameters;   // $k is parameters[k - 1], without the ':'
  std::string first_keyword;             // lower case; "" for an empty statement
  std::vector<std::string> called;       // identifiers before '(' (unquoted ones lower-cased)
  std::vector<std::string> operators;    // runs of + - * / < > = ~ ! @ # % ^ & | ` ?
  std::string positional;                // the first $n written in the text ("" when none)
  bool unicode_identifier = false;       // a U&"…" identifier, whose name the lexer cannot read
  bool more_statements = false;          // something other than blanks after the first ';'
};

// Throws ragrt::Error (kInvalidArgument) for an unterminated string, quoted identifier or comment. `named_parameters`: rewrite :name (operator-written queries);
// false keeps ':' as it is (model-written SQL has no parameters).
PgStatement scan_pg_statement(std::string_view sql, bool named_parameters);

}  // namespace ragrt::tools
