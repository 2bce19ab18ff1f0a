// The pages of bench/ocr.sh and the one scorer both sides go through.
//
//   node bench/ocr_pages.mjs render OUT_DIR [DICTIONARY]
//     Renders the 12 pages below with ImageMagick into OUT_DIR/NN-name.png (.jpg for the two rough
//     scans), each with the text it shows in OUT_DIR/NN-name.txt (one rendered line a line). With
//     DICTIONARY (the recognizer's ppocr_keys_v1.txt) every character must be one the models can
//     output, so the error rate measures recognition and not characters no model could read.
//   node bench/ocr_pages.mjs score OURS.json PEER.json
//     Both files in the shape of `ragrt ocr --json` ({"files":[{"file","pages":[{"seconds","text"}]}]});
//     the first file of each is the warm-up run and is not scored. Each file's truth is the .txt
//     next to it. Prints a per-page table, the totals, and last:
//       RESULT ours_pages_per_s=… peer_pages_per_s=… ratio=… cer_ours=… cer_peer=…
//     CER: edit distance over code points / expected code points, whitespace removed from both.
//
// Pages are A4 at 150 DPI (1240x1754 px), one column, 20-40 px text with the line breaks set here,
// so reading order is unambiguous and the error rate is about recognition, not layout. Five pages
// look scanned: turned by under a degree, blurred and speckled (fixed seed); two of them roughly,
// and saved as JPEG at quality 40. The Chinese receipt writes the yen sign full-width (￥), as
// Chinese print does: the models read a half-width ¥ in a CJK font as ￥ too, a glyph question
// rather than a recognition error.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const LATIN = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
// The Simplified Chinese face of NotoSansCJK-Regular.ttc by its fontconfig name (the file's first
// face is the Japanese one, whose glyphs differ for some characters).
const CJK = 'Noto-Sans-CJK-SC';
const WIDTH = 1240, HEIGHT = 1754, MARGIN = 100;

// Each page: font, optional scan look (skew in degrees, blur sigma, noise strength, JPEG quality),
// and blocks (heading or paragraph) with their pixel size.
const PAGES = [
  { name: 'en-refund-policy', font: LATIN, blocks: [
    [40, 'Refund Policy'],
    [28, 'We want you to be happy with every order. If an item arrives damaged, is not what you ordered, or simply does not fit, you can return it within 30 days of delivery for a full refund.'],
    [28, 'Refunds are issued to the original payment method within 5 to 7 business days after the returned item reaches our warehouse. Shipping fees are refunded only when the return is caused by our mistake.'],
    [28, 'Items marked as final sale, gift cards and opened software cannot be returned. Please keep the original packaging until you are sure you want to keep the product.'],
    [28, 'To start a return, sign in, open Orders and choose Return item. Print the prepaid label, attach it to the parcel and drop it at any post office. You will receive an email as soon as the refund has been approved.'],
    [28, 'Exchanges for a different size or color are free of charge and ship within 2 business days of receiving the original item.'],
  ] },
  { name: 'en-shipping-faq', font: LATIN, blocks: [
    [36, 'Shipping FAQ'],
    [24, 'How long does delivery take? Standard shipping takes 3 to 5 business days within the country. Express shipping arrives in 1 to 2 business days when the order is placed before 2 pm.'],
    [24, 'Can I change my address after ordering? Yes, as long as the order has not been packed. Open your account, choose Orders, select the order and press Edit address. Once a tracking number is shown the address can no longer be changed.'],
    [24, 'Do you ship abroad? We ship to 42 countries. Customs duties and import taxes are paid by the customer and are not included in the price shown at checkout.'],
    [24, 'What if my parcel is lost? Contact support with your order number. If the carrier confirms the loss we send a replacement or refund the order in full.'],
  ] },
  { name: 'en-warranty', font: LATIN, scan: { skew: 0.6, blur: 0.8, noise: 0.4 }, blocks: [
    [40, 'Limited Warranty'],
    [32, 'Every device we sell is covered by a two year limited warranty against defects in materials and workmanship.'],
    [32, 'The warranty does not cover damage caused by accidents, water, misuse or repairs made by anyone other than an authorized service center.'],
    [32, 'To make a claim, send us the serial number, a copy of the receipt and a short description of the fault.'],
    [32, 'We repair or replace the device within 10 business days. A replaced device is covered for the rest of the original warranty period or for 90 days, whichever is longer.'],
    [32, 'This warranty gives you specific legal rights; you may also have other rights that vary from state to state.'],
  ] },
  { name: 'en-terms', font: LATIN, scan: { skew: -0.4, blur: 1.4, noise: 1.0, jpeg: 40 }, blocks: [
    [28, 'Terms of Service, Section 4: Payments'],
    [20, 'All prices are shown in US dollars and include sales tax where it applies. We accept major credit cards, debit cards and bank transfers. Your card is charged when the order ships, not when it is placed.'],
    [20, 'If a payment fails we keep the order for 48 hours and send you an email with a link to try again. After that the order is cancelled automatically and any reserved stock is released.'],
    [20, 'Subscriptions renew every month on the day you first subscribed. You can cancel at any time from your account page; the subscription then ends at the close of the current billing period and no further charges are made.'],
    [20, 'Promotional codes cannot be combined, have no cash value and expire on the date printed on them. We may refuse or cancel orders that appear to abuse a promotion.'],
    [20, 'Questions about a charge on your statement should be sent to billing@example.com within 60 days of the charge.'],
    [28, 'Section 5: Cancellations'],
    [20, 'You may cancel an order free of charge until it has been packed. Orders that have already shipped must be returned following the Refund Policy. Custom and engraved products are made to order and cannot be cancelled once production has started.'],
    [20, 'We may cancel an order if an item is out of stock, if the price shown was clearly wrong, or if we cannot verify the payment. In that case you are told by email and any amount already charged is refunded within 5 business days.'],
  ] },
  { name: 'zh-refund', font: CJK, blocks: [
    [40, '退货与退款政策'],
    [32, '自签收之日起七天内，商品保持完好且不影响二次销售的，可以申请无理由退货。'],
    [32, '退款将在仓库收到退货后的三至五个工作日内原路退回。如因商品质量问题退货，运费由我们承担。'],
    [32, '定制商品、已拆封的软件以及贴身衣物不支持无理由退货，敬请谅解。'],
    [32, '申请退货时，请登录账户，在我的订单中选择需要退回的商品并填写退货原因。审核通过后，请在三天内将商品寄回指定地址，并保留快递单据。'],
    [32, '换货服务免费，同一订单最多可以换货两次。'],
  ] },
  { name: 'zh-shipping', font: CJK, scan: { skew: 0.5, blur: 0.8, noise: 0.4 }, blocks: [
    [36, '配送说明'],
    [28, '订单支付成功后，我们会在二十四小时内安排发货。普通快递一般三到五天送达，偏远地区可能需要更长时间。'],
    [28, '发货后系统会发送短信通知，您可以在我的订单页面查看物流信息。如需修改收货地址，请在发货前联系客服。'],
    [28, '签收时请当面检查包裹，如发现外包装破损，请拒收并及时与我们联系。'],
    [28, '大件商品由物流公司送货上门，送货前会提前电话预约时间。若您不在家，可以约定其他时间再次配送，第二次配送不另收费用。'],
    [28, '节假日期间快递公司运力紧张，配送时间可能延迟一到两天，感谢您的耐心等待。'],
  ] },
  { name: 'zh-account', font: CJK, scan: { skew: 0.3, blur: 1.4, noise: 1.0, jpeg: 40 }, blocks: [
    [32, '账户与安全常见问题'],
    [24, '忘记密码怎么办？在登录页面点击忘记密码，输入注册时使用的手机号，按照短信验证码的提示设置新密码即可。'],
    [24, '如何修改绑定的手机号？进入账户设置，选择安全中心，先验证原手机号，再输入新的手机号并完成验证。'],
    [24, '为了保护您的账户安全，请不要向任何人透露验证码。客服人员不会以任何理由向您索要密码或验证码。'],
    [24, '如果发现账户存在异常登录，请立即修改密码，并联系客服冻结账户。'],
    [24, '可以注销账户吗？可以。注销前请确认没有未完成的订单和退款，账户余额和积分将在注销后清零，且无法恢复。'],
    [24, '一个手机号只能注册一个账户。如需合并两个账户的订单记录，请提供两个账户的注册信息，客服会在三个工作日内处理。'],
  ] },
  { name: 'mixed-order-status', font: CJK, blocks: [
    [36, '订单状态 Order Status'],
    [28, '您的订单 #12345 已于 2024-03-15 发货，快递公司为 SF Express，运单号 SF1048576302。'],
    [28, 'Your order #12345 shipped on March 15, 2024 with SF Express, tracking number SF1048576302.'],
    [28, '预计送达时间为 3 月 18 日。如有疑问，请拨打客服热线 400-820-1234，或发送邮件至 help@example.com。'],
    [28, 'If the parcel has not arrived by March 20, please contact support and quote your order number.'],
  ] },
  { name: 'mixed-faq', font: CJK, scan: { skew: -0.7, blur: 0.8, noise: 0.4 }, blocks: [
    [32, '常见问题 FAQ'],
    [26, '问：可以使用 PayPal 或 Apple Pay 付款吗？答：可以，我们支持 PayPal、Apple Pay、微信支付和支付宝。'],
    [26, '问：发票什么时候开具？答：订单完成后可在 My Orders 页面申请电子发票，一般 1 个工作日内发送到您的邮箱。'],
    [26, 'Q: Do you offer student discounts? A: Yes, students get 10% off after verifying their email address.'],
    [26, '问：VIP 会员有哪些权益？答：VIP 会员每月可领取两张免运费券，并享受 7x24 小时专属客服。'],
    [26, 'Q: Can I pick up my order in a store? A: Yes. Choose Store Pickup at checkout and bring your ID and the pickup code.'],
    [26, '问：商品缺货时多久补货？答：热门商品一般 2 周内补货，您可以点击 Notify me 按钮，到货后我们会通知您。'],
  ] },
  { name: 'en-invoice', font: LATIN, blocks: [
    [36, 'Invoice INV-2024-00817'],
    [28, 'Order number: #48213'],
    [28, 'Order date: 2024-01-07'],
    [28, 'Due date: 2024-02-06'],
    [28, 'Customer ID: C-55902'],
    [28, '3 x Wireless Mouse M220 at $19.99 = $59.97'],
    [28, '1 x USB-C Hub 7-in-1 at $45.50 = $45.50'],
    [28, '2 x Laptop Stand (Aluminium) at $32.00 = $64.00'],
    [28, 'Subtotal: $169.47'],
    [28, 'Shipping: $7.95'],
    [28, 'Tax (8.25%): $13.98'],
    [28, 'Total due: $191.40'],
    [24, 'Please pay by bank transfer to account 0012-3456-7890 and write the invoice number in the reference field.'],
  ] },
  { name: 'zh-receipt', font: CJK, blocks: [
    [36, '购物小票'],
    [28, '订单号：#20240315-0087'],
    [28, '下单时间：2024年3月15日 14:32'],
    [28, '无线蓝牙耳机 1 件 ￥299.00'],
    [28, '手机保护壳 2 件 ￥39.90'],
    [28, '快充数据线 3 条 ￥25.50'],
    [28, '商品合计：￥456.30'],
    [28, '优惠券：-￥50.00'],
    [28, '运费：￥0.00'],
    [28, '实付金额：￥406.30'],
    [24, '如需退换货，请在 7 天内凭本小票及订单号 #20240315-0087 联系客服，电话 021-6208-3311。'],
  ] },
  { name: 'en-notice', font: LATIN, blocks: [
    [40, 'Service Notice'],
    [22, 'Scheduled maintenance will take place on Saturday, June 8, 2024 from 01:00 to 05:00 UTC. During this window the mobile app and the website may be unavailable for up to 30 minutes.'],
    [22, 'Orders placed before 00:45 UTC will be processed normally. Payments made during maintenance are queued and confirmed by email once the systems are back online.'],
    [30, 'What you need to do'],
    [22, 'Nothing. Your saved carts, addresses and loyalty points are not affected. If you see error code E-503 after 05:30 UTC, clear your browser cache or reinstall the app (version 4.12.0 or later).'],
    [22, 'For urgent help call +1 (800) 555-0199, available 24 hours a day, 7 days a week.'],
    [30, 'Why we do this'],
    [22, 'The update moves our order database to new servers in two regions, so that a failure in one data center no longer stops checkout. It also adds support for saved payment methods in 12 more countries.'],
    [22, 'We schedule maintenance for the hours with the fewest orders and announce it at least 7 days ahead on this page and on status.example.com.'],
  ] },
];

// Wrapping by estimated advance widths (em fractions, on the wide side so no line overflows; the
// rendered widths are checked afterwards): CJK and full-width forms one em, m/w/M/W/@/% one em,
// space a third, everything else 0.62.
function advance(ch) {
  if (/[\u2E80-\u9FFF\uFF00-\uFFEF\u3000-\u303F]/u.test(ch)) return 1.0;
  if ('mwMW@%'.includes(ch)) return 1.0;
  return ch === ' ' ? 0.34 : 0.62;
}
function wrap(text, size) {
  const max = WIDTH - 2 * MARGIN;
  // Latin words stay whole; a line may end after any CJK character, but not before closing
  // punctuation (a line starting with "，" is not how print looks).
  const tokens = text.match(/[\u2E80-\u9FFF\uFF00-\uFFEF\u3000-\u303F][，。、：；？！）》”]*|[^\s\u2E80-\u9FFF\uFF00-\uFFEF\u3000-\u303F]+|\s+/gu);
  const lines = [];
  let line = '', width = 0;
  for (const tok of tokens) {
    const w = [...tok].reduce((s, c) => s + advance(c), 0) * size;
    if (width + w > max && line.trim()) {
      lines.push(line.trim());
      line = '', width = 0;
      if (/^\s+$/.test(tok)) continue;
    }
    line += tok, width += w;
  }
  if (line.trim()) lines.push(line.trim());
  return lines;
}

function render(outDir, dictionary) {
  const known = dictionary ? new Set(fs.readFileSync(dictionary, 'utf8').split('\n')) : null;
  fs.mkdirSync(outDir, { recursive: true });
  PAGES.forEach((page, i) => {
    const base = path.join(outDir, `${String(i + 1).padStart(2, '0')}-${page.name}`);
    const args = ['-size', `${WIDTH}x${HEIGHT}`, 'xc:white', '-fill', 'black', '-font', page.font, '-gravity', 'NorthWest'];
    const truth = [];
    let y = MARGIN;
    for (const [size, text] of page.blocks) {
      for (const line of wrap(text, size)) {
        // -annotate expands %-escapes (%w is the width); %% is a literal %.
        args.push('-pointsize', String(size), '-annotate', `+${MARGIN}+${y}`, line.replaceAll('%', '%%'));
        truth.push(line);
        y += Math.round(size * 1.6);
      }
      y += Math.round(size * 0.6);  // paragraph gap
    }
    if (y > HEIGHT - MARGIN / 2) throw new Error(`${page.name}: text runs off the page (y=${y})`);
    if (known) {
      const missing = [...new Set([...truth.join('')].filter((c) => c.trim() && !known.has(c)))];
      if (missing.length) throw new Error(`${page.name}: not in the dictionary: ${missing.join(' ')}`);
    }
    const { scan } = page;
    if (scan) {
      args.push('-background', 'white', '-rotate', String(scan.skew), '-gravity', 'Center', '-extent', `${WIDTH}x${HEIGHT}`,
        '+repage', '-seed', '7', '-blur', `0x${scan.blur}`, '-attenuate', String(scan.noise), '+noise', 'Gaussian');
    }
    // Scans saved as JPEG keep its artifacts; everything else is a lossless PNG.
    const image = scan?.jpeg ? `${base}.jpg` : `${base}.png`;
    if (scan?.jpeg) args.push('-quality', String(scan.jpeg));
    args.push('-colorspace', 'Gray', '-depth', '8', image);
    execFileSync('convert', args);
    // The ink must stay inside the page's margins, or a line was cut off.
    const [w, x] = execFileSync('convert', [image, '-threshold', '50%', '-trim', '-format', '%w %X', 'info:'])
      .toString().split(' ').map((v) => parseInt(v, 10));
    if (x + w > WIDTH - MARGIN / 2) throw new Error(`${page.name}: a line runs into the right margin`);
    fs.writeFileSync(`${base}.txt`, truth.join('\n') + '\n');
  });
}

// Edit distance over code points (two rows).
function editDistance(a, b) {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}
const codePoints = (s) => [...s.replace(/\s+/gu, '')];

// One side's result file: per page {file, seconds, errors, chars}, warm-up dropped.
function scoreSide(jsonFile) {
  const { files } = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
  return files.slice(1).map(({ file, pages }) => {
    const expected = codePoints(fs.readFileSync(file.replace(/\.[^.]+$/, '.txt'), 'utf8'));
    const got = codePoints(pages.map((p) => p.text).join('\n'));
    return { file, seconds: pages.reduce((s, p) => s + p.seconds, 0), errors: editDistance(got, expected), chars: expected.length };
  });
}

function score(oursFile, peerFile) {
  const ours = scoreSide(oursFile), peer = scoreSide(peerFile);
  if (ours.length !== peer.length || ours.some((o, i) => o.file !== peer[i].file)) {
    console.error('ocr_pages.mjs score: ours and the peer did not read the same pages');
    process.exit(1);
  }
  const pad = (s, n) => String(s).padStart(n);
  console.log(`${'page'.padEnd(26)}${pad('chars', 6)}${pad('cer ours', 10)}${pad('cer peer', 10)}${pad('s ours', 9)}${pad('s peer', 9)}`);
  ours.forEach((o, i) => {
    const p = peer[i];
    console.log(`${path.basename(o.file).padEnd(26)}${pad(o.chars, 6)}${pad((o.errors / o.chars).toFixed(4), 10)}` +
      `${pad((p.errors / p.chars).toFixed(4), 10)}${pad(o.seconds.toFixed(3), 9)}${pad(p.seconds.toFixed(3), 9)}`);
  });
  const total = (side) => {
    const s = side.reduce((a, r) => ({ seconds: a.seconds + r.seconds, errors: a.errors + r.errors, chars: a.chars + r.chars }),
      { seconds: 0, errors: 0, chars: 0 });
    return { ...s, pps: side.length / s.seconds, cer: s.errors / s.chars };
  };
  const o = total(ours), p = total(peer);
  console.log(`pages: ${ours.length}, characters: ${o.chars}`);
  console.log(`ours: ${(o.seconds / ours.length).toFixed(3)} s/page, ${o.errors} edits`);
  console.log(`peer: ${(p.seconds / peer.length).toFixed(3)} s/page, ${p.errors} edits`);
  console.log(`RESULT ours_pages_per_s=${o.pps.toFixed(2)} peer_pages_per_s=${p.pps.toFixed(2)} ratio=${(o.pps / p.pps).toFixed(2)} ` +
    `cer_ours=${o.cer.toFixed(4)} cer_peer=${p.cer.toFixed(4)}`);
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'render' && args.length >= 1) render(args[0], args[1]);
else if (mode === 'score' && args.length === 2) score(args[0], args[1]);
else {
  console.error('usage: node bench/ocr_pages.mjs render OUT_DIR [DICTIONARY] | score OURS.json PEER.json');
  process.exit(2);
}
