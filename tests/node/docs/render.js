// Opens the gateway's API docs in headless Chromium with every request to another origin refused,
// and prints one JSON line: which foreign requests the page tried and whether it rendered the public endpoints.
// Usage: node render.js <gatewayUrl> <screenshotPath>
const { chromium } = require("playwright-core");

const [gatewayUrl, screenshotPath] = process.argv.slice(2);

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const origin = new URL(gatewayUrl).origin;
  const foreign = [];
  const page = await browser.newPage({ viewport: { width: 1280, height: 1200 } });
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith("data:") || url.startsWith("blob:")) {
      return route.continue();
    }
    foreign.push(url);
    return route.abort();
  });
  let rendered = false;
  try {
    await page.goto(`${gatewayUrl}/docs`);
    await page.getByRole("heading", { name: "BotSystem API" }).waitFor({ timeout: 30000 });
    const text = await page.textContent("body");
    rendered = ["/invoke", "/job/{id}", "/schedules", "/hooks/{triggerId}"].every((path) => text.includes(path));
    await page.screenshot({ path: screenshotPath, fullPage: false });
  } catch (error) {
    console.error(error.message);
  } finally {
    console.log(JSON.stringify({ rendered, foreign }));
    await browser.close();
  }
})();
