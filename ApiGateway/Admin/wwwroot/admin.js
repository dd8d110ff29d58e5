"use strict";

// The queue dashboard: polls the admin API every 2 s and renders with textContent only (job data is untrusted).
const STATES = ["waiting", "prioritized", "active", "delayed", "completed", "failed"];
const PAGE_SIZE = 20;
const REFRESH_MS = 2000;
const view = { queue: null, state: "waiting", page: 0, jobId: null, csrf: null };

const $ = (selector) => document.querySelector(selector);

function el(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function button(label, onClick, attributes = {}) {
  const node = el("button", label, { type: "button", ...attributes });
  node.addEventListener("click", (event) => { event.stopPropagation(); onClick(); });
  return node;
}

function fill(tbody, rows) {
  tbody.replaceChildren(...rows);
}

function row(cells, onClick) {
  const tr = el("tr");
  for (const cell of cells) {
    const td = el("td");
    if (cell instanceof Node) td.append(cell); else td.textContent = cell ?? "";
    if (typeof cell === "number") td.className = "num";
    tr.append(td);
  }
  if (onClick) { tr.classList.add("clickable"); tr.addEventListener("click", onClick); }
  return tr;
}

// Job times come as epoch milliseconds (the queue's own), the others as ISO 8601 text.
function time(value) {
  if (!value) return "";
  return new Date(/^\d+$/.test(String(value)) ? Number(value) : value).toLocaleString();
}

function pretty(value) {
  if (value === undefined || value === null || value === "") return "—";
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (options.method && options.method !== "GET") headers["X-CSRF-Token"] = view.csrf;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    ...options,
    headers,
    credentials: "same-origin",
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (response.status === 401) { showLogin(); throw new Error("not logged in"); }
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error((body && (body.detail || body.title)) || response.statusText);
  return body;
}

async function act(path, body) {
  try {
    await api(path, { method: "POST", body: body ?? {} });
    $("#live").textContent = "done";
  } catch (error) {
    alert(error.message);
  }
  await refresh();
}

function showLogin() {
  $("#login").hidden = false;
  $("#dashboard").hidden = true;
  $("#logout").hidden = true;
  if (new URLSearchParams(location.search).has("failed")) $("#login-error").hidden = false;
}

function renderQueues(queues) {
  const head = el("tr");
  for (const title of ["queue", ...STATES, "", ""]) head.append(el("th", title));
  $("#queues thead").replaceChildren(head);
  fill($("#queues tbody"), queues.map((queue) => {
    const name = el("span", queue.name);
    if (queue.paused) name.append(" ", el("span", "paused", { class: "badge paused" }));
    const toggle = queue.paused
      ? button("Resume", () => act(`/admin/api/queues/${encodeURIComponent(queue.name)}/resume`), { "data-action": "resume", "data-queue": queue.name })
      : button("Pause", () => act(`/admin/api/queues/${encodeURIComponent(queue.name)}/pause`), { "data-action": "pause", "data-queue": queue.name });
    const tr = row([name, ...STATES.map((state) => Number(queue.counts[state] ?? 0)), toggle,
      button("Open", () => openQueue(queue.name), { "data-action": "open", "data-queue": queue.name })]);
    tr.dataset.queue = queue.name;
    return tr;
  }));
}

function renderSemaphores(semaphores) {
  fill($("#semaphores tbody"), Object.entries(semaphores).map(([type, s]) => row([type, s.limit, s.used, s.waiting])));
}

function renderWorkers(workers) {
  fill($("#workers tbody"), workers.map((w) => row([w.id, w.host, w.pid, (w.types || []).join?.(", ") ?? w.types,
    el("span", w.state, { class: "badge" }), w.jobsProcessed, time(w.lastHeartbeat)])));
}

async function renderDeliveries() {
  try {
    const dead = await api("/admin/api/deliveries?status=dead");
    const items = dead;
    fill($("#dlq tbody"), items.map((d) => row([d.id, d.endpoint, d.attempts,
      d.lastStatusCode ?? "", d.lastError ?? "",
      button("Redrive", () => act(`/admin/api/deliveries/${encodeURIComponent(d.id)}/redrive`), { "data-action": "redrive", "data-delivery": d.id })])));
    const endpoints = await api("/admin/api/endpoints");
    fill($("#endpoints tbody"), endpoints.map((e) => row([e.endpoint,
      el("span", e.circuit, { class: `badge ${e.circuit}` }),
      Object.keys(e.disabledFor || {}).join(", "),
      Object.keys(e.disabledFor || {}).length ? button("Enable", () => act(`/admin/api/endpoints/${encodeURIComponent(e.endpoint)}/enable`)) : ""])));
  } catch (error) {
    fill($("#dlq tbody"), [row([el("span", `webhook manager unavailable: ${error.message}`, { class: "error" })])]);
  }
}

async function openQueue(name) {
  view.queue = name;
  view.page = 0;
  view.jobId = null;
  $("#job-view").hidden = true;
  await renderJobs();
}

async function renderJobs() {
  if (!view.queue) return;
  $("#queue-view").hidden = false;
  $("#queue-name").textContent = view.queue;
  $("#states").replaceChildren(...STATES.map((state) => {
    const b = button(state, () => { view.state = state; view.page = 0; renderJobs(); }, { "data-state": state });
    if (state === view.state) b.classList.add("active");
    return b;
  }));
  const page = await api(`/admin/api/queues/${encodeURIComponent(view.queue)}/jobs?state=${view.state}&page=${view.page}&pageSize=${PAGE_SIZE}`);
  fill($("#jobs tbody"), page.jobs.map((job) => {
    const tr = row([job.id, job.name, time(job.timestamp), job.attemptsMade, pretty(job.progress), job.failedReason ?? ""],
      () => openJob(job.id));
    tr.dataset.job = job.id;
    return tr;
  }));
  const pages = Math.max(1, Math.ceil(page.total / PAGE_SIZE));
  $("#page").textContent = `page ${view.page + 1} of ${pages} (${page.total} jobs)`;
  $("#prev").disabled = view.page === 0;
  $("#next").disabled = view.page + 1 >= pages;
}

async function openJob(id) {
  view.jobId = id;
  const job = await api(`/admin/api/queues/${encodeURIComponent(view.queue)}/jobs/${encodeURIComponent(id)}`);
  $("#job-view").hidden = false;
  $("#job-id").textContent = job.id;
  $("#job-state").textContent = job.state;
  $("#job-state").className = `badge ${job.state}`;
  const fields = { name: job.name, attempts: `${job.attemptsMade} made, ${job.attemptsStarted} started`, created: time(job.timestamp),
    processed: time(job.processedOn), finished: time(job.finishedOn), priority: job.priority, delay: job.delay };
  $("#job-fields").replaceChildren(...Object.entries(fields).flatMap(([k, v]) => [el("dt", k), el("dd", v)]));
  $("#job-data").textContent = pretty(job.data);
  $("#job-opts").textContent = pretty(job.opts);
  $("#job-result").textContent = pretty(job.returnValue);
  $("#job-error").textContent = [job.failedReason, ...(job.stackTrace || [])].filter(Boolean).join("\n\n") || "—";
  $("#job-logs").textContent = (job.logs || []).join("\n") || "—";
  $("#job-webhook").textContent = pretty(job.webhook);
  const base = `/admin/api/queues/${encodeURIComponent(view.queue)}/jobs/${encodeURIComponent(job.id)}`;
  const actions = [];
  if (job.state === "failed" || job.state === "completed") actions.push(button("Retry", () => act(`${base}/retry`).then(() => openJob(id)), { "data-action": "retry" }));
  if (job.state === "delayed") actions.push(button("Promote", () => act(`${base}/promote`).then(() => openJob(id)), { "data-action": "promote" }));
  actions.push(button("Remove", () => act(`${base}/remove`).then(() => { $("#job-view").hidden = true; }), { "data-action": "remove" }));
  $("#job-actions").replaceChildren(...actions);
}

async function refresh() {
  const overview = await api("/admin/api/overview");
  renderQueues(overview.queues);
  renderSemaphores(overview.semaphores);
  renderWorkers(overview.workers);
  await renderDeliveries();
  if (view.queue) await renderJobs();
  $("#live").textContent = `updated ${new Date().toLocaleTimeString()}`;
}

async function start() {
  try {
    view.csrf = (await api("/admin/api/session")).csrfToken;
  } catch {
    return;
  }
  $("#login").hidden = true;
  $("#dashboard").hidden = false;
  $("#logout").hidden = false;
  $("#prev").addEventListener("click", () => { view.page--; renderJobs(); });
  $("#next").addEventListener("click", () => { view.page++; renderJobs(); });
  $("#redrive-all").addEventListener("click", () => act("/admin/api/deliveries/redrive"));
  $("#search").addEventListener("submit", (event) => { event.preventDefault(); const id = event.target.id.value.trim(); if (id) openJob(id).catch((e) => alert(e.message)); });
  $("#clean").addEventListener("submit", (event) => {
    event.preventDefault();
    act(`/admin/api/queues/${encodeURIComponent(view.queue)}/clean`, { state: event.target.state.value, ageSeconds: Number(event.target.ageSeconds.value) });
  });
  $("#logout").addEventListener("submit", (event) => {
    const token = el("input", null, { type: "hidden", name: "csrfToken", value: view.csrf });
    event.target.append(token);
  });
  await refresh();
  setInterval(() => refresh().catch((error) => { $("#live").textContent = `offline: ${error.message}`; }), REFRESH_MS);
}

start();
