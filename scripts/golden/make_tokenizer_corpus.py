#!/usr/bin/env python3
"""Writes tests/data/tokenizer_corpus.jsonl, the texts every tokenizer parity golden is made from.

    python3 scripts/golden/make_tokenizer_corpus.py            # rewrites the committed corpus

One JSON object per line:
  {"name": N, "text": T}                      a text encoded on its own
  {"name": N, "text": A, "pair": B}           a pair, encoded with encode_pair(A, B)
  {"name": N, "hex": H, "error_offset": K}    bytes that are not valid UTF-8; K is the byte offset
                                              of the first invalid sequence (where a strict
                                              decoder stops), which the tokenizer's error names.
The entries are written by hand below (plus a few generated runs); keep names unique and stable,
goldens refer to them. After editing, regenerate the goldens:
  node scripts/golden/make_tokenizer_goldens.mjs
"""
import json
import os
import sys
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "data", "tokenizer_corpus.jsonl")

entries = []


def add(name, text):
    entries.append({"name": name, "text": text})


def add_pair(name, a, b):
    entries.append({"name": name, "text": a, "pair": b})


def add_bytes(name, data):
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        entries.append({"name": name, "hex": data.hex(), "error_offset": e.start})
        return
    raise SystemExit(f"{name}: bytes are valid UTF-8, they belong in a text entry")


# --- English prose ---------------------------------------------------------------------------
add("en-hello", "Hello world")
add("en-hello-lower", "hello world")
add("en-hello-comma", "Hello, world!")
add("en-fox", "The quick brown fox jumps over the lazy dog.")
add("en-fox-caps", "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG")
add("en-question", "What is retrieval-augmented generation, and why does it help?")
add("en-rag", "Retrieval-augmented generation combines a search index with a language model: the "
    "retriever finds passages, and the generator writes an answer grounded in them.")
add("en-weather", "It was a bright cold day in April, and the clocks were striking thirteen.")
add("en-dialogue", "\"Are you coming?\" she asked. \"Not yet,\" he replied, \"give me five minutes.\"")
add("en-list", "Ingredients: flour, sugar, eggs, butter; optional: vanilla, salt.")
add("en-semicolon", "First; second: third - fourth -- fifth --- sixth.")
add("en-parens", "The model (a transformer) was trained [on 2T tokens] {approximately}.")
add("en-title", "A Tale Of Two Cities")
add("en-camel", "camelCaseIdentifier and PascalCaseName and snake_case_name and SCREAMING_SNAKE_CASE")
add("en-hyphen", "state-of-the-art, well-known, mother-in-law, re-enter, e-mail")
add("en-abbrev", "Dr. Smith met Mr. and Mrs. Jones at 5 p.m. on Jan. 3rd, i.e. yesterday, etc.")
add("en-ordinal", "1st 2nd 3rd 4th 21st 102nd 1000th")
add("en-initials", "J.R.R. Tolkien and C.S. Lewis wrote in the U.K.")
add("en-single-letter", "a")
add("en-single-upper", "A")
add("en-two-words", "ab cd")
add("en-repeat", "the the the the the the the the")
add("en-mixed-case", "hElLo WoRlD, HeLLo wOrLd")
add("en-unknownish", "xyzzy plugh qwfp zxcvbnm qazwsx")
add("en-rare", "Zyzzyva quixotic sphygmomanometer floccinaucinihilipilification")
add("en-pangram2", "Pack my box with five dozen liquor jugs.")
add("en-news", "WASHINGTON (Reuters) - The Senate voted 51-49 on Tuesday to approve the measure, "
    "sending it to the House.")
add("en-recipe", "Preheat the oven to 350°F (175°C). Whisk 2 eggs with ½ cup of milk.")
add("en-poem", "Two roads diverged in a yellow wood,\nAnd sorry I could not travel both\n"
    "And be one traveler, long I stood")
add("en-quote-curly", "\u201cSmart quotes\u201d and \u2018single ones\u2019 and \u00abguillemets\u00bb")
add("en-ellipsis", "Wait\u2026 what? Well... I guess so....")
add("en-dash", "pages 10\u201320 \u2014 see also \u2212 minus")
add("en-bullets", "\u2022 first item\n\u2022 second item\n\u25e6 nested item")
add("en-trailing-space", "trailing space ")
add("en-leading-space", " leading space")
add("en-both-spaces", "  both sides  ")
add("en-sentence-long", "In the beginning the Universe was created. This has made a lot of people very "
    "angry and been widely regarded as a bad move. Many races believe that it was created by some "
    "sort of god, though the Jatravartid people of Viltvodle VI believe that the entire Universe "
    "was in fact sneezed out of the nose of a being called the Great Green Arkleseizure.")
add("en-instructions", "Step 1: Open the file.\nStep 2: Edit line 42.\nStep 3: Save and close.")
add("en-markdown", "# Title\n\n## Section\n\n- **bold** and _italic_ and `code`\n- [link](http://x.io)\n\n> quote")
add("en-table", "| name | score |\n|------|-------|\n| ann  |  9.5  |\n| bob  | 10.0  |")
add("en-email-body", "Hi team,\n\nPlease find attached the Q3 report.\n\nBest,\nAlice")
add("en-hashtags", "#MachineLearning #NLP @user_name $AAPL %CPU &amp; ^caret")
add("en-ampersand", "R&D, AT&T, Q&A, rock&roll")
add("en-slash", "and/or, either/or, 24/7, w/o, n/a")
add("en-hello-world-title", "Hello World")
add("en-inst", "[INST] What is the capital of France? [/INST] Paris.")
add("en-inst-tight", "[INST]hi[/INST]")

# --- apostrophes and contractions ------------------------------------------------------------
add("apos-basic", "it's we're they've I'm you'll he'd can't don't won't")
add("apos-caps", "IT'S WE'RE THEY'VE I'M YOU'LL HE'D CAN'T DON'T WON'T")
add("apos-mixed", "It'S We'Re They'lL I'm YOU'll")
add("apos-possessive", "James's car, the dogs' bowls, O'Brien's pub, Mary's")
add("apos-start", "'s 're 've 'm 'll 'd 't 'LL 'S")
add("apos-curly", "it\u2019s we\u2019re I\u2019m don\u2019t")
add("apos-quotes", "'single' \"double\" ''two'' `backtick` \u00b4acute\u00b4")
add("apos-rocknroll", "rock 'n' roll, '90s, ol' man, y'all'd've")
add("apos-double", "''''")
add("apos-space", "don ' t it ' s")

# --- Chinese ---------------------------------------------------------------------------------
add("zh-hello", "你好，世界！")
add("zh-sentence", "检索增强生成结合了搜索引擎和语言模型。")
add("zh-long", "自然语言处理是计算机科学领域与人工智能领域中的一个重要方向。它研究能实现人与计算机之间"
    "用自然语言进行有效通信的各种理论和方法。自然语言处理是一门融语言学、计算机科学、数学于一体的科学。")
add("zh-punct", "“你好”，他说。《红楼梦》是一部小说；（注释）【重要】……——")
add("zh-numbers", "今天是2024年5月1日，气温25度，价格为￥99.50元。")
add("zh-traditional", "這是繁體中文的句子，臺灣與香港使用。")
add("zh-single", "中")
add("zh-two", "中文")
add("zh-question", "什么是向量数据库？它如何工作？")
add("zh-poem", "床前明月光，\n疑是地上霜。\n举头望明月，\n低头思故乡。")
add("zh-spaces", "我 爱 你 们")
add("zh-rare", "𠀀𠀁𪚥龘靐齉")
add("zh-idiom", "画蛇添足、守株待兔、亡羊补牢")
add("zh-ideographic-space", "你好\u3000世界\u3000！")
add("zh-fullwidth", "ＡＢＣ１２３ａｂｃ！？")

# --- mixed English / Chinese -----------------------------------------------------------------
add("mix-basic", "我喜欢machine learning和deep learning。")
add("mix-spaced", "我喜欢 machine learning 和 deep learning 。")
add("mix-brand", "iPhone 15 Pro的价格是7999元，比Samsung Galaxy S24贵。")
add("mix-code", "使用Python的requests库发送HTTP请求：requests.get(url)")
add("mix-question", "What does 人工智能 mean? 它的意思是 artificial intelligence.")
add("mix-rag", "RAG（检索增强生成）系统包括retriever和generator两部分。")
add("mix-numbers", "GPT-4有1.76万亿参数？No, 这只是传言。")
add("mix-ja-zh-en", "東京Tokyo北京Beijing서울Seoul")
add("mix-tight", "abc中文def日本語ghi한국어jkl")
add("mix-url", "请访问https://example.com/路径?查询=值获取更多信息")

# --- Japanese / Korean -----------------------------------------------------------------------
add("ja-hello", "こんにちは世界")
add("ja-sentence", "私は東京に住んでいます。毎日電車で会社に行きます。")
add("ja-katakana", "コンピューター、インターネット、スマートフォン")
add("ja-halfwidth", "ｺﾝﾋﾟｭｰﾀｰ ｶﾞｷﾞｸﾞ")
add("ja-mixed", "今日はAIについて話しましょう！ChatGPTを使ったことがありますか？")
add("ja-dakuten-combining", "\u304b\u3099\u304d\u3099\u304f\u3099")
add("ko-hello", "안녕하세요 세계")
add("ko-sentence", "저는 서울에 살고 있습니다. 한국어를 배우고 있어요.")
add("ko-jamo", "\u1100\u1161\u11a8 \u1112\u1161\u11ab\u1100\u1173\u11af")
add("ko-compat-jamo", "ㄱㄴㄷ ㅏㅑㅓ ㅋㅋㅋ")
add("ko-mixed", "K-pop 그룹 BTS의 노래는 전 세계적으로 인기가 있다.")

# --- Arabic / Hebrew / other scripts ---------------------------------------------------------
add("ar-hello", "مرحبا بالعالم")
add("ar-sentence", "اللغة العربية هي إحدى أكثر اللغات انتشاراً في العالم.")
add("ar-harakat", "اَلْعَرَبِيَّةُ لُغَةٌ جَمِيلَةٌ")
add("ar-digits", "الرقم ٠١٢٣٤٥٦٧٨٩ و 0123456789")
add("ar-mixed", "The word كتاب means book.")
add("he-hello", "שלום עולם")
add("he-niqqud", "בְּרֵאשִׁית בָּרָא אֱלֹהִים")
add("he-rtl-marks", "abc \u200fשלום\u200e def \u202bembedded\u202c")
add("ru-sentence", "Съешь же ещё этих мягких французских булок, да выпей чаю.")
add("el-sentence", "Γαζέες καὶ μυρτιὲς δὲν θὰ βρῶ πιὰ στὸ χρυσαφὶ ξέφωτο.")
add("hi-sentence", "नमस्ते दुनिया, यह एक परीक्षण है।")
add("th-sentence", "ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ")
add("vi-sentence", "Tiếng Việt có nhiều dấu thanh: à á ả ã ạ ằ ắ ẳ ẵ ặ")
add("ta-sentence", "தமிழ் ஒரு பழமையான மொழி")
add("am-sentence", "ሰላም ዓለም")
add("ka-sentence", "გამარჯობა მსოფლიო")

# --- emoji -----------------------------------------------------------------------------------
add("emoji-single", "😀")
add("emoji-text", "I love pizza 🍕 and tacos 🌮!")
add("emoji-run", "😀😃😄😁😆😅😂🤣")
add("emoji-zwj-family", "👨\u200d👩\u200d👧\u200d👦")
add("emoji-zwj-professions", "👩\u200d💻 👨\u200d🚀 🧑\u200d🍳")
add("emoji-skin-tones", "👍🏻 👍🏼 👍🏽 👍🏾 👍🏿")
add("emoji-flags", "🇺🇸 🇨🇳 🇯🇵 🇩🇪 🇫🇷 🇧🇷")
add("emoji-flag-tag", "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f Scotland")
add("emoji-keycap", "1\ufe0f\u20e3 #\ufe0f\u20e3 *\ufe0f\u20e3")
add("emoji-variation", "\u2764\ufe0f \u2764 \u263a\ufe0f \u263a\ufe0e")
add("emoji-rainbow-flag", "🏳\ufe0f\u200d🌈")
add("emoji-mixed-zh", "今天天气很好☀️，我们去公园吧🌳！")
add("emoji-between-words", "hello😀world")
add("emoji-symbols", "★☆♠♣♥♦ ✓✗ ☎ ⌘ ⌥ ⇧ ⏎")
add("emoji-heart-hands", "🫶🏽🫠🥹")

# --- accents: precomposed vs combining, compatibility forms ---------------------------------
add("acc-precomposed", "café naïve résumé façade jalapeño Zürich")
add("acc-combining", "cafe\u0301 nai\u0308ve re\u0301sume\u0301 fac\u0327ade jalapen\u0303o Zu\u0308rich")
add("acc-mixed-forms", "\u00e9 e\u0301 \u00c5 A\u030a \u212b")
add("acc-stacked", "e\u0301\u0302\u0303\u0304 a\u0328\u0301 q\u0307\u0323")
add("acc-upper", "ÉCOLE ÀÉÎÕÜ ÇÑ ØÆŒ ß ẞ")
add("acc-vietnamese", "Nguyễn Thị Minh Khai, Hà Nội, Việt Nam")
add("acc-polish", "Zażółć gęślą jaźń")
add("acc-ligatures", "\ufb01nance \ufb02ow \ufb00 \u0132 \u01c6")
add("acc-superscripts", "x\u00b2 + y\u00b3 = z\u2074, H\u2082O, 10\u207b\u00b3")
add("acc-fractions", "\u00bd \u00bc \u00be \u2153 \u215e")
add("acc-roman", "\u216b \u2160\u2161\u2162 \u217b")
add("acc-circled", "\u2460\u2461\u2462 \u24b6\u24b7 \u3251")
add("acc-math-letters", "\U0001d400\U0001d401\U0001d402 \U0001d49c \U0001d538")
add("acc-width", "\uff21\uff22\uff23 \uff41\uff42\uff43 \uff10\uff11\uff12")
add("acc-turkish", "İstanbul ıI iİ DİYARBAKIR")
add("acc-greek-final", "ΟΔΟΣ ΣΊΣΥΦΟΣ")
add("acc-kelvin-ohm", "\u212a \u2126 \u00b5 \u03bc")
add("acc-only-combining", "\u0301\u0302")
add("acc-combining-after-space", "a \u0301b")
add("acc-hangul-nfd", unicodedata.normalize("NFD", "한국어 텍스트"))

# --- control characters and invisible formatting -------------------------------------------
add("ctrl-nul", "a\x00b")
add("ctrl-bell-esc", "ring\x07 \x1b[31mred\x1b[0m")
add("ctrl-del", "del\x7fete")
add("ctrl-c1", "next\x85line and \x9b csi")
add("ctrl-zwsp", "zero\u200bwidth\u200cnon\u200djoiner")
add("ctrl-bom", "\ufeffbyte order mark")
add("ctrl-soft-hyphen", "hy\u00adphen\u00ad")
add("ctrl-line-sep", "line\u2028separator\u2029paragraph")
add("ctrl-word-joiner", "word\u2060joiner\u2063sep")
add("ctrl-all-low", "".join(chr(c) for c in range(1, 32)))
add("ctrl-private-use", "private \ue000\uf8ff use")
add("ctrl-replacement-char", "replacement \ufffd char")
add("ctrl-noncharacter", "non\ufffechar\uffff")
add("ctrl-mixed", "\x01start\tmiddle\x02end\x03")

# --- whitespace ------------------------------------------------------------------------------
add("ws-space", " ")
add("ws-spaces", "     ")
add("ws-tab", "\t")
add("ws-tabs", "a\tb\t\tc\t\t\td")
add("ws-newline", "\n")
add("ws-newlines", "line1\nline2\n\nline4\n\n\n")
add("ws-crlf", "windows\r\nline\r\nendings\r\n")
add("ws-cr", "old\rmac\rendings")
add("ws-mixed", " \t \n \r\n \x0b \x0c ")
add("ws-runs", "a  b   c    d     e")
add("ws-trailing-newline", "ends with newline\n")
add("ws-leading-newlines", "\n\n\nstarts with newlines")
add("ws-nbsp", "non\u00a0breaking\u00a0space")
add("ws-ideographic", "ideographic\u3000space")
add("ws-unicode-spaces", "en\u2002em\u2003thin\u2009hair\u200anarrow\u202fmath\u205fogham\u1680end")
add("ws-only-mixed", "\u00a0\u3000 \t")
add("ws-indent", "    indented four\n        indented eight\n\tindented tab")
add("ws-space-newline", "word \nword\n word \n \n")
add("ws-space-before-punct", "hello , world . ok !")

# --- numbers ---------------------------------------------------------------------------------
add("num-simple", "0 1 2 3 4 5 6 7 8 9")
add("num-big", "1234567890 12345678901234567890")
add("num-commas", "1,000,000 and 3.14159 and -42 and +7 and 1e-10")
add("num-date", "2024-05-01T12:34:56Z 05/01/2024 1.5.2024")
add("num-phone", "+1 (555) 123-4567, ext. 89")
add("num-money", "$1,299.99 €50 £20 ¥1000 ₹500")
add("num-version", "v1.2.3-beta.4+build.567")
add("num-mixed-alnum", "abc123def456 A1B2C3 3D 4K 5G")
add("num-percent", "50% 99.9% 0.01%")
add("num-fullwidth", "１２３４５")
add("num-arabic-indic", "٣٤٥")
add("num-devanagari", "१२३४")
add("num-ip", "192.168.0.1 ::1 2001:db8::ff00:42:8329")
add("num-hex", "0xDEADBEEF 0b1010 0o777")
add("num-single", "7")

# --- punctuation -----------------------------------------------------------------------------
add("punct-run", "!!!???...,,,;;;:::")
add("punct-mixed", "?!?! !? ?!")
add("punct-symbols", "@#$%^&*()_+-=[]{}|\\:;\"'<>,./?~`")
add("punct-brackets", "((())) [[[]]] {{{}}} <<<>>>")
add("punct-stars", "*** ___ ~~~ ### === --- +++")
add("punct-single", ".")
add("punct-dashes", "-- --- ---- \u2013\u2013 \u2014\u2014")
add("punct-unicode", "\u00bf\u00a1 \u00a7\u00b6 \u2020\u2021 \u2030 \u203d \u2e18")
add("punct-cjk", "\u3001\u3002\u300c\u300d\u300e\u300f\uff08\uff09\uff1a\uff1b")
add("punct-arrows", "-> => <- <= != == === !== && ||")

# --- URLs, paths, emails ---------------------------------------------------------------------
add("url-simple", "https://www.example.com")
add("url-query", "https://example.com/search?q=hello+world&lang=en#results")
add("url-in-text", "See https://github.com/huggingface/tokenizers for details.")
add("url-unicode", "https://例え.jp/パス and http://xn--r8jz45g.jp")
add("url-email", "Contact alice.smith+tag@example.co.uk or bob@例子.中国")
add("url-path", "/usr/local/bin/python3 C:\\Program Files\\App\\app.exe ~/.config/ragrt.yaml")
add("url-long", "https://example.com/" + "/".join(["segment%d" % i for i in range(20)]) + "?x=" + "a" * 40)
add("url-ftp", "ftp://user:pass@ftp.example.org:2121/pub/file.tar.gz")

# --- code ------------------------------------------------------------------------------------
add("code-python", "def add(a, b):\n    return a + b\n\nprint(add(1, 2))  # 3\n")
add("code-cpp", "#include <vector>\nint main() {\n  std::vector<int> v{1, 2, 3};\n  return v.size() > 2 ? 0 : 1;\n}\n")
add("code-json", "{\"name\": \"ragrt\", \"version\": [0, 1, 0], \"ok\": true, \"none\": null}")
add("code-html", "<div class=\"box\"><p>Hello&nbsp;<b>world</b></p></div>")
add("code-shell", "cd /tmp && ls -la | grep '\\.txt$' > out.log 2>&1 || echo \"fail\"")
add("code-regex", "^(?:[a-z0-9!#$%&'*+/=?^_`{|}~-]+)@(?:[a-z0-9-]+\\.)+[a-z]{2,}$")
add("code-sql", "SELECT id, name FROM users WHERE age >= 18 AND name LIKE 'A%' ORDER BY id DESC;")
add("code-js", "const f = (x) => x ?? 0; let s = `template ${f(1)}`;")
add("code-rust", "fn main() -> Result<(), Box<dyn Error>> { println!(\"{:?}\", vec![1u8; 3]); Ok(()) }")
add("code-tabs", "\tif (x) {\n\t\ty = 1;\n\t}\n")
add("code-yaml", "server:\n  port: 8080\n  hosts:\n    - a.example\n    - b.example\n")
add("code-diff", "--- a/file.txt\n+++ b/file.txt\n@@ -1,2 +1,2 @@\n-old line\n+new line\n")

# --- special-token strings inside text -------------------------------------------------------
add("special-cls-sep", "[CLS] hello world [SEP]")
add("special-cls-tight", "[CLS]hello[SEP]world[SEP]")
add("special-lowercase", "[cls] [sep] [mask] [pad] [unk]")
add("special-mask", "The capital of France is [MASK].")
add("special-pad-unk", "[PAD] [UNK] [PAD][PAD]")
add("special-im", "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>")
add("special-im-tight", "hello<|im_end|>world")
add("special-im-partial", "<|im_sta <|im_end| im_end|> <|im_end")
add("special-endoftext", "first document<|endoftext|>second document")
add("special-endoftext-spaced", "end <|endoftext|> start")
add("special-s", "<s> hello </s>")
add("special-s-tight", "<s>hello</s></s><s>")
add("special-eos-text", "This ends here.</s>")
add("special-pad-mask", "<pad> <mask> <unk>")
add("special-mask-spaced", "The answer is  <mask>  maybe.")
add("special-think", "<think>Let me think about it.</think>The answer is 42.")
add("special-tool", "<tool_call>{\"name\": \"search\"}</tool_call>")
add("special-fim", "<|fim_prefix|>def f():<|fim_suffix|>\n<|fim_middle|>")
add("special-extra-id", "The <extra_id_0> walks in <extra_id_1> park")
add("special-byte-token-literal", "<0x41> <0xE4><0xB8><0xAD> <0x0A>")
add("special-only-cls", "[CLS]")
add("special-only-im", "<|im_start|>")
add("special-only-s", "</s>")
add("special-brackets-near", "[[CLS]] <<s>> <|<|im_end|>|>")
add("special-vision", "<|vision_start|><|image_pad|><|vision_end|>")
add("special-pad-token", "<|PAD_TOKEN|><|PAD_TOKEN|>")

# --- the empty string and one-character texts -----------------------------------------------
add("empty", "")
add("char-space-a", " a")
add("char-a-space", "a ")
add("char-newline-a", "\na")
add("char-digit-letter", "9a")
add("char-apostrophe", "'")
add("char-underscore", "_")
add("char-backslash", "\\")
add("char-metaspace", "\u2581")
add("char-metaspace-text", "\u2581hello \u2581\u2581world\u2581")
add("char-gpt2-g", "\u0120hello \u010a")

# --- very long words and long texts ---------------------------------------------------------
add("long-a", "a" * 150)
add("long-word-repeat", "pneumonoultramicroscopicsilicovolcanoconiosis" * 3)
add("long-alnum", "".join("abcdefghij"[i % 10] + str(i % 7) for i in range(70)))
add("long-digits", "".join(str(i % 10) for i in range(160)))
add("long-zh-run", "人工智能机器学习深度学习自然语言处理计算机视觉" * 10)
add("long-emoji-run", "😀🎉🚀" * 40)
add("long-punct-run", "-" * 120 + "=" * 30)
add("long-spaces", "x" + " " * 130 + "y")
add("long-newlines", "\n" * 60 + "z")
add("long-camel", "".join(w.capitalize() for w in ("very long identifier made of many words that keep going "
                                                     "well past one hundred characters without any spaces at all").split()))
add("long-base64", "QmFzZTY0IGVuY29kZWQgdGV4dCB0aGF0IGlzIHF1aXRlIGxvbmcgYW5kIGhhcyBubyBzcGFjZXMgYXQgYWxs"
    "SGVsbG8gV29ybGQgMTIzNDU2Nzg5MCBhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5eg==")
add("long-accented-word", "\u00e9" * 60 + "e\u0301" * 60)
add("long-paragraph", (
    "Large language models are trained on vast amounts of text and can generate fluent prose, but they "
    "sometimes state falsehoods with confidence. Retrieval-augmented generation addresses this by "
    "fetching relevant documents from an index at query time and supplying them to the model as "
    "context. The retriever is usually a dense embedding model paired with an approximate nearest "
    "neighbour index, optionally followed by a cross-encoder reranker that scores each candidate "
    "passage against the query. The generator then conditions on the top passages. Evaluation looks "
    "at both retrieval quality (recall@k, MRR, nDCG) and answer quality (faithfulness, relevance). "
    "Tokenization matters throughout: the embedder, the reranker and the generator each have their "
    "own vocabulary, and every one of them must split text exactly as it did during training, or "
    "quality silently degrades."))
add("long-mixed-paragraph", (
    "在信息检索领域，RAG（Retrieval-Augmented Generation）是一种将检索与生成结合的方法。"
    "First, documents are split into chunks of 200-500 tokens; 然后，每个chunk都会被编码成向量并存入向量数据库。"
    "At query time, the question is embedded and the top-k chunks (k=5 by default) are retrieved. "
    "最后，大语言模型根据这些上下文生成答案。😀 This works well for FAQ、文档问答和客服场景。"))
add("long-code", "\n".join("    x_%d = compute(x_%d, weight=%d.%d)  # step %d" % (i, i - 1, i, i * 7 % 10, i)
                           for i in range(1, 16)))
add("long-repeated-sentence", "The cat sat on the mat. " * 20)

# --- texts that exercise specific test-tokenizer features -----------------------------------
add("feat-slashes", "a/b/c //double/ trailing/")
add("feat-pipes", "col1|col2||col4|")
add("feat-digits-letters", "abc123 456def 7g8h9i 00:11:22")
add("feat-caps-split", "HelloWorldFooBar XMLHttpRequest iOS")
add("feat-dots", "a.b.c...d. .e")
add("feat-dashes-words", "well-known--thing - x -y z-")
add("feat-word-boundaries", "foo bar\tbaz\nqux")
add("feat-mask-lstrip", "Fill   <mask>   here")
add("feat-hello-world-mid", "Say Hello World twice: hello world, HELLO WORLD.")
add("feat-added-inside-word", "prefix<mask>suffix and x[INST]y")
add("feat-single-word", "token tokens retoken token. (token)")
add("feat-strip-both", "   padded on both sides\t\n")
add("feat-nfkc-space", "a\u00a0\u00a0b\u2003c")

# --- pairs -----------------------------------------------------------------------------------
add_pair("pair-qa", "What is the capital of France?", "Paris is the capital and most populous city of France.")
add_pair("pair-short", "hello", "world")
add_pair("pair-zh", "什么是人工智能？", "人工智能是计算机科学的一个分支。")
add_pair("pair-mixed", "What is RAG?", "RAG（检索增强生成）combines retrieval with generation.")
add_pair("pair-empty-first", "", "only the second sequence")
add_pair("pair-empty-second", "only the first sequence", "")
add_pair("pair-both-empty", "", "")
add_pair("pair-long-first", (
    "Large language models are trained on vast amounts of text and can generate fluent prose, but they "
    "sometimes state falsehoods with confidence. Retrieval-augmented generation addresses this by "
    "fetching relevant documents from an index at query time."), "Is this true?")
add_pair("pair-long-second", "Summarize:", (
    "The retriever is usually a dense embedding model paired with an approximate nearest neighbour index, "
    "optionally followed by a cross-encoder reranker that scores each candidate passage against the "
    "query. The generator then conditions on the top passages and writes an answer."))
add_pair("pair-long-both", "The cat sat on the mat. " * 8, "The dog lay on the rug. " * 8)
add_pair("pair-special", "[CLS] query [SEP]", "<s> passage </s> <|endoftext|>")
add_pair("pair-emoji", "👨\u200d👩\u200d👧 family?", "Yes 👍🏽!")
add_pair("pair-whitespace", "  spaced  ", "\ttabbed\n")
add_pair("pair-accents", "cafe\u0301", "caf\u00e9")
add_pair("pair-code", "def f(x):", "    return x * 2")
add_pair("pair-numbers", "2024-05-01", "1,234.56")
add_pair("pair-mask", "The answer is <mask>.", "[INST] hello [/INST]")
add_pair("pair-newlines", "line one\nline two", "\n\n")

# --- bytes that are not valid UTF-8 ----------------------------------------------------------
add_bytes("invalid-lone-continuation", b"abc\x80def")
add_bytes("invalid-truncated-end", b"hello \xe4\xb8")
add_bytes("invalid-truncated-middle", b"x\xe4\xb8y")
add_bytes("invalid-overlong-slash", b"a\xc0\xafb")
add_bytes("invalid-overlong-nul", b"\xe0\x80\x80")
add_bytes("invalid-surrogate", b"ok \xed\xa0\x80 no")
add_bytes("invalid-ff", b"\xff")
add_bytes("invalid-fe-after-text", "中文".encode() + b"\xfe")
add_bytes("invalid-too-large", b"max \xf4\x90\x80\x80")
add_bytes("invalid-four-byte-truncated", "😀".encode()[:3] + b" tail")


def escape_invisible(line):
    # Keep the file readable (raw CJK, emoji) but escape characters that editors and line splitters
    # mangle: controls, format characters, line/paragraph separators, unusual spaces.
    out = []
    for ch in line:
        cat = unicodedata.category(ch)
        if (cat in ("Cc", "Cf", "Zl", "Zp", "Co", "Cn", "Mn", "Me") or (cat == "Zs" and ch != " ")
                or ch in "\ufffd\u2581"):
            cp = ord(ch)
            if cp > 0xFFFF:
                cp -= 0x10000
                out.append("\\u%04x\\u%04x" % (0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF)))
            else:
                out.append("\\u%04x" % cp)
        else:
            out.append(ch)
    return "".join(out)


def main():
    names = set()
    for e in entries:
        if e["name"] in names:
            raise SystemExit("duplicate corpus name: " + e["name"])
        names.add(e["name"])
    lines = [escape_invisible(json.dumps(e, ensure_ascii=False)) for e in entries]
    for line, e in zip(lines, entries):
        assert json.loads(line) == e, e["name"]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    singles = sum(1 for e in entries if "text" in e and "pair" not in e)
    pairs = sum(1 for e in entries if "pair" in e)
    invalid = sum(1 for e in entries if "hex" in e)
    print(f"{OUT}: {len(entries)} entries ({singles} texts, {pairs} pairs, {invalid} invalid UTF-8)",
          file=sys.stderr)


if __name__ == "__main__":
    main()
