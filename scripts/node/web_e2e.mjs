// The web page in headless Chromium (Debian's, driven by playwright-core): load it, ask a
// question, wait for the streamed answer, open its first citation and its trace, take a
// screenshot. Prints one JSON line with what it saw; the C++ test asserts on it.
//   node web_e2e.mjs URL QUESTION SCREENSHOT.png
import { chromium } from "playwright-core";

const [url, question, screenshot] = process.argv.slice(2);
if (!url || !question || !screenshot) {
  console.error("usage: node web_e2e.mjs URL QUESTION SCREENSHOT.png");
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.RAGRT_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  await page.goto(url);
  const title = await page.title();
  await page.fill("#question", question);
  // Count how often the answer's text changes while it streams in.
  await page.evaluate(() => {
    window.__updates = 0;
    new MutationObserver(() => { window.__updates++; })
      .observe(document.getElementById("log"), { childList: true, subtree: true, characterData: true });
  });
  await page.click("#send");
  const answer = page.locator(".msg.assistant").last();
  await answer.locator("button[data-trace]").waitFor({ timeout: 60000 });
  const answerText = await answer.evaluate((el) => el.firstChild ? el.innerText : "");
  const citationButtons = await answer.locator(".cite").count();
  let passage = "";
  if (citationButtons > 0) {
    await answer.locator(".cite").first().click();
    await page.locator("#passage").waitFor({ state: "visible" });
    passage = await page.locator("#passage-where").innerText() + "\n" + await page.locator("#passage-text").innerText();
    await page.keyboard.press("Escape");
  }
  await answer.locator("button[data-trace]").click();
  await page.locator("#trace-body .span").first().waitFor({ timeout: 10000 });
  const spans = await page.locator("#trace-body .span").allInnerTexts();
  await page.screenshot({ path: screenshot, fullPage: true });
  const updates = await page.evaluate(() => window.__updates);
  console.log(JSON.stringify({ title, answer: answerText, citation_buttons: citationButtons, passage, spans, updates,
                               console_errors: consoleErrors }));
} finally {
  await browser.close();
}
