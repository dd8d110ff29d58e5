// Opens the AppHost's resource dashboard in headless Chromium, reads which resources it shows healthy, then follows
// a resource's name to its console. Prints one JSON line: {"healthy":[names],"console":"<the console page's text>"}, with
// "error" naming the step that failed, if one did.
// Usage: node walkthrough.js <dashboardUrl> <resource> <screenshotPath>
const { chromium } = require("playwright-core");

const [dashboardUrl, resource, screenshotPath] = process.argv.slice(2);

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const report = { healthy: [], console: "" };
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1200 } });
    await page.goto(dashboardUrl);
    await page.getByRole("heading", { name: "BotSystem resources" }).waitFor({ timeout: 30000 });
    report.healthy = await page.$$eval("tr", (rows) =>
      rows.filter((row) => row.querySelector("td.healthy")).map((row) => row.querySelector("td").textContent.trim()));
    await page.screenshot({ path: screenshotPath, fullPage: true });
    await page.getByRole("link", { name: resource, exact: true }).click();
    // As long as the heading's wait: on a machine busy with other tests the console page can take seconds.
    await page.waitForURL(/\/logs$/, { timeout: 30000 });
    report.console = await page.textContent("body");
  } catch (error) {
    report.error = error.message;
  } finally {
    console.log(JSON.stringify(report));
    await browser.close();
  }
})();
