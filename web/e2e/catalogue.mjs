// Drives the charter catalogue in headless Chromium and checks what a
// person would see. Usage:
//
//   CHARTER_BROWSER=/usr/bin/chromium node catalogue.mjs <baseURL> <artifactsDir> [readmeImgDir]
//
// The Go test web/browser_test.go seeds the registry and runs this script;
// it exits non-zero when any check fails. Every page visited is saved as a
// screenshot in artifactsDir; with readmeImgDir, the README's images (topic,
// fields, lineage, window, reviews, diff, audit, sign-in) are also saved there.
import { chromium, request } from "playwright-core";
import { mkdir } from "node:fs/promises";
import path from "node:path";

const [base, outDir, readmeDir] = process.argv.slice(2);
const executablePath = process.env.CHARTER_BROWSER;
if (!base || !outDir || !executablePath) {
  console.error("usage: CHARTER_BROWSER=/usr/bin/chromium node catalogue.mjs <baseURL> <artifactsDir> [readmeImgDir]");
  process.exit(2);
}
await mkdir(outDir, { recursive: true });

let passed = 0;
let failed = 0;
const problems = [];

function check(ok, what, detail) {
  if (ok) {
    passed++;
    console.log(`ok    ${what}`);
  } else {
    failed++;
    console.log(`FAIL  ${what}${detail === undefined ? "" : `: ${detail}`}`);
  }
}

// watch records console errors, uncaught exceptions, failed requests,
// error responses and dialogs (an alert() would mean injected script ran).
function watch(page, label) {
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`${label}: console error on ${page.url()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`${label}: uncaught exception on ${page.url()}: ${e.message}`));
  page.on("requestfailed", (r) => {
    // A fetch aborted by search-as-you-type (a newer keystroke won) is
    // expected, and so is the browser's own favicon fetch cut short when
    // the test navigates on before it finished. Any other failure counts.
    const aborted = r.failure()?.errorText === "net::ERR_ABORTED";
    if (aborted && (r.url().includes("fragment=1") || r.url().includes("/ui/static/favicon."))) return;
    problems.push(`${label}: request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`${label}: HTTP ${r.status()} for ${r.url()}`);
  });
  page.on("dialog", async (d) => {
    problems.push(`${label}: a ${d.type()} dialog opened ("${d.message()}"): injected script ran`);
    await d.dismiss();
  });
}

// readmeShot saves the top of a page at a size that reads well in the
// README, then puts the window back.
async function readmeShot(page, file, height) {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 1280, height: 900 });
  const full = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: Math.min(height, full) } });
  await page.setViewportSize(before);
}

const browser = await chromium.launch({
  executablePath,
  headless: true,
  // Root in CI containers cannot use Chromium's sandbox.
  args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
});

async function run() {
  // A laptop-sized window.
  const viewport = { width: 1366, height: 768 };
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  watch(page, "js");

  const shot = async (name, p = page) => {
    await p.screenshot({ path: path.join(outDir, `${name}.png`), fullPage: true });
  };
  const fits = async (p = page) =>
    p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  const text = async (sel, p = page) => (await p.locator(sel).first().innerText()).replace(/\s+/g, " ").trim();

  // Home page and keyboard basics.
  await page.goto(`${base}/ui/`);
  check((await text("h1")) === "Catalogue", "the home page renders");
  check(await fits(), "the home page fits a laptop-width window");
  await page.keyboard.press("Tab");
  check(await page.evaluate(() => document.activeElement?.classList.contains("skip")), "the first Tab reaches the skip link");
  await page.locator("body").click({ position: { x: 5, y: 400 } });
  await page.keyboard.press("/");
  check(await page.evaluate(() => document.activeElement?.id === "q"), "pressing / focuses the search box");
  await shot("home");

  // Search as you type for a field name.
  await page.goto(`${base}/ui/search`);
  await page.locator("#search-q").focus();
  await page.keyboard.type("customer_email", { delay: 15 });
  const hit = page.locator('section[aria-labelledby="r-fields"] a[href="/ui/subjects/orders-value#v2"]');
  await hit.waitFor({ timeout: 10000 });
  check(await hit.isVisible(), "typing a field name lists the subject whose latest schema has it");
  await page.waitForURL(/\/ui\/search\?q=customer_email$/, { timeout: 5000 }).catch(() => {});
  check(page.url().endsWith("/ui/search?q=customer_email"), "the address bar holds a shareable search URL", page.url());
  const fields = await page.locator("#results code.field").allInnerTexts();
  check(fields.includes("customer.customer_email"), "the matching field path is shown", fields.join(", "));
  check(await page.locator('#results a[href="/ui/subjects/customer#v1"]').count() === 1, "the referenced record's own subject is found too");
  await shot("search");

  // Follow the result with the keyboard.
  await hit.focus();
  await Promise.all([page.waitForURL(/\/ui\/subjects\/orders-value#v2$/), page.keyboard.press("Enter")]);
  check((await text("h1")).includes("orders-value"), "following the result opens the subject page", await text("h1"));
  check(await page.locator("#v2 details").evaluate((d) => d.open), "the linked version is open");
  const v2code = await page.locator("#v2 .code").innerText();
  check(v2code.includes("order_total") && v2code.includes("currency"), "the version's schema text is shown");
  check(await page.locator("#v2 .code span.nt, #v2 .code span.s2, #v2 .code span.p").count() > 5, "the schema is syntax-highlighted");
  const dates = await page.locator("table.history tbody td:nth-child(3)").allInnerTexts();
  check(dates.length === 2 && dates.every((d) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/.test(d)), "the version history lists both versions with dates", dates.join(" | "));
  const authors = await page.locator("table.history tbody td:nth-child(4)").allInnerTexts();
  check(authors.length === 2 && authors.every((a) => a === "alice"), "the version history names the author from the audit trail", authors.join(" | "));
  check(await page.locator('#v2 a[href="/ui/subjects/customer#v1"]').count() === 1, "references link to the referenced subject version");
  check((await page.locator("#v2").innerText()).includes("totalNotNegative"), "the data-contract rule is shown");
  check(await fits(), "the subject page fits a laptop-width window");
  await shot("subject");

  // The field table of v2: each field's type, default, doc and tags, then
  // the enum's symbols.
  const row = async (name) => (await page.locator(`#v2 table.fields-table tr:has(th code:text-is("${name}"))`).innerText()).replace(/\s+/g, " ").trim();
  check((await text("#v2 table.fields-table caption")).includes("shop.Order"), "v2 has a field table for its record", await text("#v2 table.fields-table caption"));
  const total = await row("order_total");
  check(total.includes("double") && total.includes("0.0") && total.includes("Gross, in the order's currency."), "a field's type, default and doc are shown", total);
  check((await row("order_id")).includes("KEY"), "a tag the metadata assigns to the field's path is shown", await row("order_id"));
  await page.locator("#v2 div.fields").screenshot({ path: path.join(outDir, "fields.png") });
  const currency = page.locator('#v2 table.fields-table tr:has(th code:text-is("currency")) td.type a');
  check((await currency.innerText()) === "enum shop.Currency", "an enum-typed field links to its symbols");
  await currency.click();
  check(page.url().endsWith("#v2-enum-shop.Currency"), "following it goes to the enum's table", page.url());
  const symbols = await page.locator("#v2-enum-shop\\.Currency tbody th").allInnerTexts();
  check(symbols.join(",") === "EUR,USD,GBP", "the enum's symbols are listed in order", symbols.join(","));
  check((await text("#v2-enum-shop\\.Currency caption")).includes("ISO 4217 codes") && (await text("#v2-enum-shop\\.Currency caption")).includes("default EUR"),
    "the enum's doc and default symbol are shown", await text("#v2-enum-shop\\.Currency caption"));
  check(await fits(), "the subject page with its field tables fits a laptop-width window");

  // Open the topic, then the diff from it.
  await Promise.all([page.waitForURL(/\/ui\/topics\/orders$/), page.locator('dl.facts a[href="/ui/topics/orders"]').click()]);
  check((await text("h1")).includes("orders"), "the subject links to its topic", await text("h1"));
  const facts = await text("dl.facts");
  check(facts.includes("checkout") && facts.includes("checkout-oncall@example.com"), "the topic shows its owning team and contacts", facts);
  check((await text("p.lead")).includes("One event per order placed"), "the topic shows its description");
  check(facts.includes("active") && facts.includes("succeeds legacy-orders"), "the topic shows its lifecycle and predecessor", facts);
  check(facts.includes("checkout-api") && facts.includes("billing") && facts.includes("warehouse"), "the topic shows its producers and consumers", facts);
  check((await text("#value h2")).includes("orders-value"), "the topic shows its value schema");
  check((await text("#key h2")).includes("orders-key"), "the topic shows its key schema");
  check((await page.locator("#value").innerText()).includes("order_total"), "the latest value schema is shown");
  check((await page.locator("#value li.rule").innerText()).includes("on failure: DLQ"), "the rules are shown readably");
  check(facts.includes("BACKWARD"), "the topic shows the compatibility level");
  check(facts.includes("freshness 5m · ordering per-key · retention 7d") && facts.includes("confidential"), "the topic shows its SLA and classification", facts);
  check(await fits(), "the topic page fits a laptop-width window");

  // The lineage diagram: server-rendered SVG with text labels.
  const svg = page.locator("svg#lineage-topic");
  check(await svg.isVisible(), "the topic page draws its lineage");
  check((await page.locator("svg#lineage-topic > title").textContent()) === "Lineage of topic orders", "the diagram has a title");
  const boxes = await page.locator("svg#lineage-topic g.node text").allTextContents();
  check(["checkout-api", "orders", "analytics", "billing", "warehouse"].every((n) => boxes.includes(n)), "the diagram labels producers, the topic and consumers", boxes.join(", "));
  check(await page.locator("svg#lineage-topic path.edge").count() === 4, "one arrow per producer and consumer");
  const producerBox = await page.locator('svg#lineage-topic g.node.producer rect').first().boundingBox();
  const topicBox = await page.locator('svg#lineage-topic g.node.topic rect').first().boundingBox();
  const consumerBox = await page.locator('svg#lineage-topic g.node.consumer rect').first().boundingBox();
  check(producerBox.x < topicBox.x && topicBox.x < consumerBox.x, "producers, topic and consumers read left to right");
  check((await text("#lineage figcaption")).includes("Topic orders is produced by checkout-api and consumed by billing, warehouse and analytics."), "the diagram is said in words too", await text("#lineage figcaption"));
  await shot("topic");
  await page.locator("#lineage").screenshot({ path: path.join(outDir, "lineage-topic.png") });
  if (readmeDir) {
    await mkdir(readmeDir, { recursive: true });
    await readmeShot(page, path.join(readmeDir, "catalogue-topic.png"), 1150);
  }

  await Promise.all([page.waitForURL(/\/ui\/diff\?/), page.locator('#value a:has-text("what changed since v1")').click()]);
  check((await text("h1")).includes("v1 → v2"), "the diff page compares v1 with v2", await text("h1"));
  const verdict = async (level) => text(`table.verdicts tr:has(th code:text-is("${level}")) td.verdict`);
  check((await verdict("BACKWARD")) === "compatible", "BACKWARD is compatible", await verdict("BACKWARD"));
  check((await verdict("FORWARD")) === "incompatible", "FORWARD is incompatible", await verdict("FORWARD"));
  check((await verdict("FULL")) === "incompatible", "FULL is incompatible");
  check((await verdict("NONE")) === "compatible", "NONE is compatible");
  check(await page.locator("table.verdicts tr.configured th code").innerText() === "BACKWARD", "the configured level is marked");
  check((await page.locator("#h-changes ~ table.changes, section:has(#h-changes) table.changes").allInnerTexts()).join(" ").includes("READER_FIELD_MISSING_DEFAULT_VALUE"),
    "the named change from the compat engine is listed");
  const added = await page.locator(".sbs-table tr.added, .sbs-table tr.changed").allInnerTexts();
  check(added.some((r) => r.includes("order_total")), "the side-by-side diff marks the added field");
  const removed = await page.locator(".sbs-table tr.removed, .sbs-table tr.changed").allInnerTexts();
  check(removed.some((r) => r.includes("coupon_code")), "the side-by-side diff marks the removed field");
  check(await fits(), "the diff page fits a laptop-width window");
  await shot("diff");
  if (readmeDir) {
    await readmeShot(page, path.join(readmeDir, "catalogue-diff.png"), 1650);
  }

  // The team page and the other two formats.
  await page.goto(`${base}/ui/teams/logistics`);
  const team = await page.locator("main").innerText();
  check(team.includes("Shipping and stock.") && team.includes("shipments") && team.includes("shipments-value") && team.includes("inventory-2-value"), "the team page lists its topics and subjects, governed and by metadata", team);
  const score = await page.locator("p.lint-score").getAttribute("data-score");
  check(score !== null && /^\d+$/.test(score) && Number(score) <= 100, "the team page shows the team's event-design score", score);
  check(await fits(), "the team page with its lint column fits a laptop-width window");
  const teamBoxes = await page.locator("svg#lineage-team g.node text").allTextContents();
  check(["dispatch", "shipments", "notifications"].every((n) => teamBoxes.includes(n)) && !teamBoxes.includes("orders"),
    "the team page draws the lineage of the team's topics only", teamBoxes.join(", "));
  await shot("team");
  await page.goto(`${base}/ui/teams/checkout`);
  await page.locator("svg#lineage-team").waitFor();
  await page.locator("#lineage").screenshot({ path: path.join(outDir, "lineage-team.png") });
  if (readmeDir) {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.locator("#lineage").screenshot({ path: path.join(readmeDir, "catalogue-lineage.png") });
    await page.setViewportSize(viewport);
  }
  // A box in the diagram is a link: the topic's opens its page.
  await Promise.all([page.waitForURL(/\/ui\/topics\/legacy-orders$/), page.locator('svg#lineage-team a[href="/ui/topics/legacy-orders"]').click()]);
  check((await text("h1")).includes("legacy-orders"), "a topic box in the team's diagram opens the topic");
  await page.goto(`${base}/ui/topics/legacy-orders`);
  check((await text("dl.facts")).includes("succeeded by orders"), "a deprecated topic links to its successor");
  await shot("topic-deprecated");
  await page.goto(`${base}/ui/subjects/payments-value`);
  check((await page.locator("#v1 .code").innerText()).includes("payment_ref"), "a Protobuf subject shows its schema");
  check(await page.locator("#v1 .code span.kd, #v1 .code span.k, #v1 .code span.kt").count() > 2, "Protobuf is highlighted");
  check((await text('#v1 table.fields-table tr:has(th code:text-is("holder"))')).includes("PII"), "a Protobuf field's (confluent.field_meta).tags are shown");
  check((await text('#v1 table.enum-table tr:has(th code:text-is("METHOD_TRANSFER"))')).includes("settled a day later"), "a Protobuf enum value's comment is its doc");
  if (readmeDir) {
    await mkdir(readmeDir, { recursive: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.locator("#v1 div.fields").screenshot({ path: path.join(readmeDir, "catalogue-fields.png") });
    await page.setViewportSize(viewport);
  }
  await shot("subject-protobuf");
  await page.goto(`${base}/ui/subjects/shipments-value`);
  check((await page.locator("#v1 .code").innerText()).includes("postcode"), "a JSON Schema subject shows its schema");
  check((await text('#v1 table.enum-table tr:has(th code:text-is("express"))')).includes("The next working day."), "a JSON Schema const alternative's description is its symbol's doc");
  check((await text('#v1 table.fields-table tr:has(th code:text-is("country"))')).includes('"NL"'), "a JSON Schema default is shown");
  const lintSection = await page.locator("section#lint").innerText();
  check(lintSection.includes("Event design") && (lintSection.includes("No lint findings.") || /[A-Z_]{6,}/.test(lintSection)), "a subject page shows its lint findings", lintSection);
  check(await fits(), "the subject page with its lint findings fits a laptop-width window");
  await shot("subject-json");

  // The audit page: every write, newest first, with filters; each entry
  // links to the change and to its own page with the provenance.
  await page.goto(`${base}/ui/audit`);
  check((await text("h1")) === "Audit trail", "the audit page renders");
  const auditRows = await page.locator("table.audit tbody tr").count();
  check(auditRows >= 10, "the audit page lists the seeded writes", auditRows);
  check((await text("table.audit tbody tr td:nth-child(2)")) === "alice", "entries name their principal");
  await page.locator('form.audit-filters input[name="subject"]').fill("orders-value");
  await page.locator('form.audit-filters select[name="operation"]').selectOption("schema.registered");
  await Promise.all([page.waitForURL(/\/ui\/audit\?/), page.locator('form.audit-filters button[type="submit"]').click()]);
  const changes = await page.locator("table.audit tbody td:nth-child(4)").allInnerTexts();
  check(changes.join(",") === "orders-value v2,orders-value v1", "filtering by subject and operation lists that subject's registrations, newest first", changes.join(","));
  const why = await text("table.audit tbody tr:first-child td.change");
  check(why.includes("Orders carry their total and currency") && why.includes("pull/42"), "an entry shows its provenance", why);
  check(await fits(), "the audit page fits a laptop-width window");
  await shot("audit");
  if (readmeDir) await readmeShot(page, path.join(readmeDir, "catalogue-audit.png"), 700);
  await Promise.all([page.waitForURL(/\/ui\/audit\/\d+$/), page.locator("table.audit tbody tr:first-child td:last-child a").click()]);
  const entryFacts = await text("dl.facts");
  check(entryFacts.includes("alice") && entryFacts.includes("Orders carry their total and currency"), "the entry's page shows who and why", entryFacts);
  await shot("audit-entry");
  await Promise.all([page.waitForURL(/\/ui\/subjects\/orders-value#v2$/), page.locator('dl.facts a[href="/ui/subjects/orders-value#v2"]').click()]);
  check(await page.locator("#v2 details").evaluate((d) => d.open), "the entry links to the version it registered");
  await page.goto(`${base}/ui/audit?principal=nobody`);
  check((await text("main")).includes("No audit entries match these filters."), "a filter that matches nothing says so");

  // The upgrade-window story over HTTP, read in the browser at each step:
  // create v2, deprecate v1 with a deadline, two consumers, one migrates,
  // retiring is refused, the second migrates, retire, archive.
  // Basic credentials on every request: this server lets anonymous
  // principals read, so it never challenges, and the audit trail should
  // name alice.
  const basic = Buffer.from(`${process.env.CATALOGUE_WRITER_USER}:${process.env.CATALOGUE_WRITER_PASSWORD}`).toString("base64");
  const api = await request.newContext({ baseURL: base,
    extraHTTPHeaders: { "Content-Type": "application/vnd.schemaregistry.v1+json", Authorization: `Basic ${basic}` } });
  const call = async (method, url, data, want = 200) => {
    const r = await api.fetch(url, { method, data });
    check(r.status() === want, `${method} ${url} answers ${want}`, `${r.status()} ${await r.text()}`);
    return r;
  };
  const day = 24 * 3600 * 1000;
  const iso = (ms) => new Date(ms).toISOString().slice(0, 10);
  await call("POST", "/v1/catalog/topics", { name: "invoices-v2", owner: "checkout", description: "Invoices with decimal amounts.", consumers: ["billing", "logistics"] });
  await call("POST", "/v1/catalog/topics", { name: "invoices", owner: "checkout", description: "Invoices, amounts in cents.", consumers: ["billing", "logistics"] });
  await call("PUT", "/v1/catalog/topics/invoices", { lifecycle: "deprecated", successor: "invoices-v2", deprecationDate: iso(Date.now() - 10 * day), sunsetDate: iso(Date.now() + 30 * day) });
  await call("PUT", "/v1/catalog/topics/invoices/migrations/billing", { state: "migrated" });
  await page.goto(`${base}/ui/topics/invoices`);
  check((await text("#window ol.stages li[aria-current=step]")) === "deprecated", "the timeline marks the current step");
  check((await text("#window dd.left")).endsWith("days left"), "the timeline says the time left", await text("#window dd.left"));
  check((await text("#window dd.migrated")).startsWith("1 of 2 consumers · pending: logistics"), "the timeline counts migrated consumers", await text("#window dd.migrated"));
  check((await text('#window table.consumers tr:has(a:text-is("billing"))')).includes("migrated"), "each consumer's state is shown");
  check(await page.locator("#window figure.window-bar svg line.now").count() === 1, "the window bar marks today");
  check(await page.locator('#window a[href="/ui/topics/invoices-v2"]').count() === 1, "the timeline links the successor");
  check(await fits(), "the topic page with its upgrade window fits a laptop-width window");
  await page.locator("#window").screenshot({ path: path.join(outDir, "window-open.png") });
  if (readmeDir) {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.locator("#window").screenshot({ path: path.join(readmeDir, "catalogue-window.png") });
    await page.setViewportSize(viewport);
  }
  await call("PUT", "/v1/catalog/topics/invoices", { lifecycle: "retired" }, 409);
  await call("PUT", "/v1/catalog/topics/invoices/migrations/logistics", { state: "migrated" });
  await call("PUT", "/v1/catalog/topics/invoices", { lifecycle: "retired" });
  await call("PUT", "/v1/catalog/topics/invoices", { lifecycle: "archived" });
  await page.goto(`${base}/ui/topics/invoices`);
  check((await text("#window ol.stages li[aria-current=step]")) === "archived", "after the story the topic is archived");
  const steps = await page.locator("#window ol.window-history li strong").allInnerTexts();
  check(steps.join(" | ") === "deprecated (was active) | billing migrated | logistics migrated | retired (was deprecated) | archived (was retired)",
    "the history lists every step in order", steps.join(" | "));
  check((await text("#window ol.window-history li")).includes("by alice"), "the history names who made each step", await text("#window ol.window-history li"));
  await page.locator("#window").screenshot({ path: path.join(outDir, "window-archived.png") });

  // Held reviews: a topic whose consuming teams review its changes; an
  // enum addition waits (409/40920), a second one is rejected with a
  // reason; the topic and subject pages show both, then the override
  // that lands the first.
  const status = (symbols) => JSON.stringify({ type: "record", name: "Refund", namespace: "shop", fields: [{ name: "refund_id", type: "string" },
    { name: "status", type: { type: "enum", name: "RefundStatus", symbols, default: "REQUESTED" } }] });
  await call("POST", "/v1/catalog/topics", { name: "refunds", owner: "checkout", description: "Refunds granted to buyers.", consumers: ["billing", "logistics"], review: "required" });
  await call("POST", "/subjects/refunds-value/versions", { schema: status(["REQUESTED", "PAID"]) });
  const held = await api.fetch("/subjects/refunds-value/versions", { method: "POST", data: { schema: status(["REQUESTED", "PAID", "CHARGED_BACK"]) },
    headers: { "X-Charter-Change-Reason": "Chargebacks become refunds", "X-Charter-Change-Link": "https://git.example.com/shop/schemas/pull/51" } });
  const heldBody = await held.json();
  check(held.status() === 409 && heldBody.error_code === 40920, "an enum addition on a reviewed topic is held (409/40920)", `${held.status()} ${JSON.stringify(heldBody)}`);
  await call("POST", "/subjects/refunds-value/versions", { schema: status(["REQUESTED", "PAID", "VOIDED"]) }, 409);
  const reviews = await (await call("GET", "/v1/catalog/reviews?topic=refunds&state=pending")).json();
  check(reviews.length === 2, "both changes wait for review", JSON.stringify(reviews));
  const pendingID = reviews.find((r) => r.schema.includes("CHARGED_BACK"))?.id;
  const rejectedID = reviews.find((r) => r.schema.includes("VOIDED"))?.id;
  const rejected = await api.fetch(`/v1/catalog/reviews/${rejectedID}/reject`, { method: "POST", headers: { "X-Charter-Change-Reason": "Billing has no VOIDED state yet" } });
  check(rejected.status() === 200, "an admin rejects a review with a reason", `${rejected.status()} ${await rejected.text()}`);
  await page.goto(`${base}/ui/topics/refunds`);
  const pendingCard = `#review-${pendingID}`;
  const rejectedCard = `#review-${rejectedID}`;
  check((await text(`${pendingCard} .review-state`)) === "pending", "the topic page lists the pending review");
  check((await text(`${pendingCard} dd.requested`)).startsWith("by alice, "), "it names who asked and when", await text(`${pendingCard} dd.requested`));
  check((await text(`${pendingCard} dd.waiting`)) === "billing, logistics", "it names the teams that must still approve", await text(`${pendingCard} dd.waiting`));
  check((await text(`${pendingCard} dd.approvals`)) === "by no team yet", "no team has approved yet", await text(`${pendingCard} dd.approvals`));
  check((await text(pendingCard)).includes("Chargebacks become refunds"), "it shows the producer's reason");
  check((await text(`${rejectedCard} .review-state`)) === "rejected", "the rejected review is listed among the decided ones");
  check((await text(`${rejectedCard} dd.closed`)).includes("by alice") && (await text(`${rejectedCard} dd.closed`)).includes("Billing has no VOIDED state yet"), "the rejection names who and why", await text(`${rejectedCard} dd.closed`));
  check(!(await page.locator(`${pendingCard} details.review-changes`).evaluate((d) => d.open)), "the changes start folded");
  await page.locator(`${pendingCard} details.review-changes summary`).click();
  check((await text(`${pendingCard} details.review-changes table`)).includes("ENUM_SYMBOL_ADDED"), "unfolded, the changes name the added symbol");
  check(await fits(), "the topic page with its reviews fits a laptop-width window");
  await page.locator("#reviews").screenshot({ path: path.join(outDir, "reviews-topic.png") });
  if (readmeDir) {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.locator("#reviews").screenshot({ path: path.join(readmeDir, "catalogue-reviews.png") });
    await page.setViewportSize(viewport);
  }
  await Promise.all([page.waitForURL(/\/ui\/audit\/\d+$/), page.locator(`${rejectedCard} dd.closed a:text-is("audit entry")`).click()]);
  check((await text("h1")).includes("schema.review.rejected"), "the rejection links to its audit entry", await text("h1"));
  await page.goto(`${base}/ui/subjects/refunds-value`);
  check((await text(`${pendingCard} dd.waiting`)) === "billing, logistics", "the subject page lists the pending review too");
  await call("POST", `/v1/catalog/reviews/${pendingID}/approve?override=true`);
  await page.goto(`${base}/ui/subjects/refunds-value`);
  check((await text(`${pendingCard} .review-state`)) === "overridden", "after the override the review reads overridden");
  check((await text(`${pendingCard} dd.approvals`)).includes("override by alice for billing, logistics"), "the override names who approved for which teams", await text(`${pendingCard} dd.approvals`));
  await Promise.all([page.waitForURL(/\/ui\/subjects\/refunds-value#v2$/), page.locator(`${pendingCard} a:text-is("v2")`).click()]);
  check(await page.locator("#v2 details").evaluate((d) => d.open), "the review links to the version it landed as");
  await shot("reviews-subject");
  await api.dispose();

  // A doc string holding <script> is shown as text, and never runs.
  await page.goto(`${base}/ui/subjects/customer`);
  check((await page.locator("#v1 .code").innerText()).includes("<script>alert('doc')</script>"), "a <script> in a doc string is shown as text");
  check(await page.locator("main script").count() === 0, "no script element comes from schema text");
  await shot("subject-escaping");

  // Without JavaScript: search by submitting the form, then browse.
  const nojs = await browser.newContext({ viewport, javaScriptEnabled: false });
  const p2 = await nojs.newPage();
  watch(p2, "no-js");
  await p2.goto(`${base}/ui/`);
  await p2.locator("#home-q").fill("postcode");
  await Promise.all([p2.waitForURL(/\/ui\/search\?q=postcode$/), p2.locator("#home-q").press("Enter")]);
  const link = p2.locator('section[aria-labelledby="r-fields"] a[href="/ui/subjects/shipments-value#v1"]');
  check(await link.count() === 1, "without JavaScript, submitting a search lists the field's subject");
  await shot("search-nojs", p2);
  await Promise.all([p2.waitForURL(/shipments-value/), link.click()]);
  check((await text("h1", p2)).includes("shipments-value"), "without JavaScript, the result opens the subject page");
  await Promise.all([p2.waitForURL(/\/ui\/topics\/shipments$/), p2.locator('dl.facts a[href="/ui/topics/shipments"]').click()]);
  check((await text("h1", p2)).includes("shipments"), "without JavaScript, the topic page opens");
  await shot("topic-nojs", p2);
  await nojs.close();
  await context.close();

  // With authentication on, the catalogue asks for the API's credentials
  // (HTTP basic: a principal's name and its API key or password).
  const authURL = process.env.CATALOGUE_AUTH_URL;
  if (authURL) {
    const anon = await browser.newContext({ viewport });
    const pa = await anon.newPage();
    // Headless Chromium cannot show the sign-in prompt; it fails the
    // navigation with an auth error instead.
    let navError = "";
    await pa.goto(`${authURL}/ui/`).catch((e) => { navError = String(e?.message ?? e); });
    check(navError.includes("ERR_INVALID_AUTH_CREDENTIALS"), "with auth on, the browser is challenged to sign in", navError.split("\n")[0]);
    const denied = await anon.request.get(`${authURL}/ui/`);
    check(denied.status() === 401 && /Basic/.test(denied.headers()["www-authenticate"] ?? ""),
      "the challenge is 401 with WWW-Authenticate: Basic", `${denied.status()} ${denied.headers()["www-authenticate"]}`);
    check((denied.headers()["content-type"] ?? "").includes("json"), "a client that does not ask for HTML gets the API's JSON answer", denied.headers()["content-type"]);
    const page401 = await anon.request.get(`${authURL}/ui/`, { headers: { Accept: "text/html" } });
    check(page401.status() === 401 && (await page401.text()).includes("Sign in to the charter catalogue") && /Basic/.test(page401.headers()["www-authenticate"] ?? ""),
      "a browser's request gets a 401 sign-in page that keeps the challenge", page401.status());
    await anon.close();
    // Refused credentials: the browser gives up prompting and shows the
    // page the 401 carries, which says how to sign in.
    const wrong = await browser.newContext({ viewport, httpCredentials: { username: "reader", password: "wrong" } });
    const pw = await wrong.newPage();
    const res401 = await pw.goto(`${authURL}/ui/`);
    check(res401.status() === 401, "refused credentials answer 401", res401.status());
    check((await text("h1", pw)) === "Sign in to the charter catalogue", "the browser shows the sign-in page", await text("h1", pw));
    check((await text("[role=alert]", pw)).includes("not accepted"), "the page says the credentials were refused");
    await shot("sign-in", pw);
    if (readmeDir) await readmeShot(pw, path.join(readmeDir, "catalogue-sign-in.png"), 500);
    await wrong.close();
    const signed = await browser.newContext({
      viewport,
      httpCredentials: { username: process.env.CATALOGUE_AUTH_USER, password: process.env.CATALOGUE_AUTH_PASSWORD },
    });
    const ps = await signed.newPage();
    watch(ps, "auth");
    const ok = await ps.goto(`${authURL}/ui/search?q=order_id`);
    check(ok.status() === 200, "signed in with the API's credentials, the catalogue answers", ok.status());
    check(await ps.locator('#results a[href="/ui/subjects/orders-value#v1"]').count() === 1, "signed in, search finds the field");
    await shot("search-signed-in", ps);
    await signed.close();
  }
}

try {
  await run();
} catch (err) {
  check(false, "the walk-through ran to the end", err?.stack ?? String(err));
} finally {
  await browser.close();
}
check(problems.length === 0, "no JavaScript console errors, page errors, failed requests or dialogs", "\n  " + problems.join("\n  "));
console.log(`screenshots in ${outDir}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
