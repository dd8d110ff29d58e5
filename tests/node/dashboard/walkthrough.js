// Drives the queue dashboard in headless Chromium as an operator would, and prints one JSON
// line per step so the .NET test can assert each. Usage:
//   node walkthrough.js <gatewayUrl> <adminKey> <screenshotDir> <failedQueue> <failedJobId>
const { chromium } = require("playwright-core");
const path = require("path");

const [gatewayUrl, adminKey, screenshotDir, failedQueue, failedJobId] = process.argv.slice(2);
const report = (step, data) => console.log(JSON.stringify({ step, ...data }));

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
  const shot = (name) => page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
  try {
    await page.goto(`${gatewayUrl}/admin/queues`);
    await page.waitForSelector("#login:not([hidden])");
    await shot("01-login");
    await page.fill("input[name=apiKey]", adminKey);
    await Promise.all([page.waitForNavigation(), page.click("#login button[type=submit]")]);
    await page.waitForSelector("#queues tbody tr");
    await shot("02-queues");

    const counts = await page.$$eval("#queues tbody tr", (rows) => rows.map((tr) => ({
      queue: tr.dataset.queue,
      cells: [...tr.querySelectorAll("td")].slice(1, 7).map((td) => Number(td.textContent)),
    })));
    await page.waitForSelector("#workers tbody tr");
    const heartbeats = await page.$$eval("#workers tbody tr", (rows) => rows.map((tr) => tr.querySelectorAll("td")[6].textContent));
    const cookies = await page.context().cookies();
    report("login", { counts, heartbeats, cookie: cookies.map((c) => ({ name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite })) });

    await page.click(`button[data-action=open][data-queue="${failedQueue}"]`);
    await page.click("button[data-state=failed]");
    await page.waitForSelector(`#jobs tr[data-job="${failedJobId}"]`);
    await page.click(`#jobs tr[data-job="${failedJobId}"]`);
    await page.waitForSelector("#job-view:not([hidden]) button[data-action=retry]");
    const failedState = await page.textContent("#job-state");
    const error = await page.textContent("#job-error");
    await shot("03-failed-job");
    await page.click("button[data-action=retry]");
    await page.waitForFunction(() => document.querySelector("#job-state").textContent !== "failed");
    report("retry", { before: failedState, after: await page.textContent("#job-state"), error });

    await page.waitForSelector("button[data-action=redrive]");
    const delivery = await page.getAttribute("button[data-action=redrive]", "data-delivery");
    await shot("04-dlq");
    await page.click("button[data-action=redrive]");
    await page.waitForFunction((id) => !document.querySelector(`button[data-action=redrive][data-delivery="${id}"]`), delivery);
    report("redrive", { delivery });

    await page.click(`button[data-action=pause][data-queue="${failedQueue}"]`);
    await page.waitForSelector(`tr[data-queue="${failedQueue}"] .badge.paused`);
    await shot("05-paused");
    await page.click(`button[data-action=resume][data-queue="${failedQueue}"]`);
    await page.waitForFunction((q) => !document.querySelector(`tr[data-queue="${q}"] .badge.paused`), failedQueue);
    report("pause-resume", { queue: failedQueue });
    await shot("06-resumed");
  } catch (error) {
    await shot("error").catch(() => {});
    report("error", { message: String(error && error.stack || error) });
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
})();
