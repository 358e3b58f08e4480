// My queue and my teams' queues: filters, sort, cursor pages, and new cases live (router SSE).
import { clear, h, relative, slaState } from "../dom.js";
import { lang, t } from "../i18n.js";
import { LiveStream } from "../stream.js";
import { why } from "./decision.js";

const OPEN = "new,queued,assigned,waiting_approval,replied,reopened";
const STATUSES = ["new", "queued", "assigned", "waiting_approval", "replied", "reopened", "resolved"];
const SORTS = ["sla_due_at", "-opened_at", "opened_at", "priority", "-updated_at"];
const EVENTS = ["case.opened", "case.assigned", "case.reassigned", "case.updated", "case.escalated",
  "case.queued", "case.resolved", "case.reopened", "case.released"];
const state = { status: OPEN, priority: "", platform: "", sort: "sla_due_at" };

function select(testid, value, options, onchange) {
  return h("select", { testid, onchange: (e) => onchange(e.target.value) },
    options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)));
}

// The newest post's sentiment and author, fetched per row (the case list does not carry them).
const postCache = new Map();
async function decorate(ctx, row, item) {
  const key = `${item.id}:${item.post_count}`;
  try {
    if (!postCache.has(key)) postCache.set(key, ctx.api.get("router", `/v1/cases/${encodeURIComponent(item.id)}/posts`, { limit: 1 }));
    const body = await postCache.get(key);
    const post = body.posts[body.posts.length - 1];
    if (!post) return;
    const label = post.signals?.sentiment_label || "unknown";
    clear(row.querySelector(".sentiment"), h("span", { class: `tag s-${label}`, testid: "case-sentiment" }, t(`sentiment.${label}`)));
    row.querySelector(".excerpt").textContent = post.text.slice(0, 140);
  } catch {
    postCache.delete(key);
  }
}

function slaCell(item) {
  if (item.first_response_at) return h("span", { class: "sla ok" }, t("sla.met"));
  const s = slaState(item.sla_due_at, item.sla_breached_at);
  const key = s === "breached" ? "sla.breached" : "sla.due";
  return h("span", { class: `sla ${s}`, testid: "case-sla", title: item.sla_due_at },
    t(key, { when: relative(item.sla_breached_at || item.sla_due_at, lang()) }));
}

function row(ctx, item, fresh) {
  const tr = h("tr", { testid: "case-row", class: fresh ? "fresh" : "", dataset: { caseId: item.id },
    onclick: () => (location.hash = `#/case/${encodeURIComponent(item.id)}`) },
  h("td", {}, h("span", { class: `prio ${item.priority}`, testid: "case-priority" }, item.priority)),
  h("td", {}, h("a", { href: `#/case/${encodeURIComponent(item.id)}`, testid: "case-link" }, why(item)),
    fresh ? h("span", { class: "tag new", testid: "case-new" }, t("queue.new")) : null,
    h("div", { class: "excerpt muted" })),
  h("td", { testid: "case-platform" }, item.platform),
  h("td", { class: "sentiment" }, "…"),
  h("td", { testid: "case-status", dataset: { status: item.status } }, t(`status.${item.status}`)),
  h("td", {}, item.assignee || "—"),
  h("td", { class: "slacell" }, slaCell(item)));
  tr.item = item;
  decorate(ctx, tr, item);
  return tr;
}

function matches(item, scope, me) {
  if (scope.team && item.team !== scope.team && !(item.collaborators || []).includes(scope.team)) return false;
  if (!scope.team && item.assignee !== me) return false;
  if (state.status && !state.status.split(",").includes(item.status)) return false;
  if (state.priority && item.priority !== state.priority) return false;
  if (state.platform && item.platform !== state.platform) return false;
  return true;
}

export async function renderQueue(ctx, main, team) {
  const scope = team ? { team } : { assignee: ctx.me.id };
  const tbody = h("tbody", { testid: "case-rows" });
  const more = h("button", { type: "button", testid: "load-more", hidden: true }, t("queue.more"));
  const live = h("span", { class: "live off", testid: "live-state" }, t("queue.offline"));
  const empty = h("p", { class: "muted", testid: "queue-empty", hidden: true }, t("empty.queue"));
  const shown = new Set();
  let cursor = null;

  async function load(reset) {
    if (reset) {
      cursor = null;
      shown.clear();
      clear(tbody);
    }
    const query = { ...scope, status: state.status, priority: state.priority, platform: state.platform, sort: state.sort, limit: 25, cursor };
    const body = await ctx.api.get("router", "/v1/cases", query);
    for (const item of body.items) {
      if (shown.has(item.id)) continue;
      shown.add(item.id);
      tbody.append(row(ctx, item, false));
    }
    cursor = body.next_cursor;
    more.hidden = !cursor;
    empty.hidden = shown.size > 0;
  }
  more.onclick = () => load(false).catch(ctx.showError);

  const refilter = (key) => (value) => {
    state[key] = value;
    load(true).catch(ctx.showError);
  };
  const tabs = h("div", { class: "tabs" },
    h("a", { href: "#/queue", class: team ? "" : "active", testid: "queue-tab-mine" }, t("queue.mine")),
    ctx.me.teams.map((tm) => h("a", { href: `#/queue/team/${encodeURIComponent(tm.id)}`, class: team === tm.id ? "active" : "", testid: `queue-tab-team-${tm.id}` }, t("queue.team", { team: tm.name || tm.id }))));
  const filters = h("div", { class: "filters", testid: "filters" },
    h("label", {}, t("queue.status"), select("filter-status", state.status, [[OPEN, t("queue.open")], ["", t("queue.any")], ...STATUSES.map((s) => [s, t(`status.${s}`)])], refilter("status"))),
    h("label", {}, t("queue.priority"), select("filter-priority", state.priority, [["", t("queue.any")], ...["P1", "P2", "P3", "P4"].map((p) => [p, p])], refilter("priority"))),
    h("label", {}, t("queue.platform"), select("filter-platform", state.platform, [["", t("queue.any")], ...(ctx.config.platforms || []).map((p) => [p, p])], refilter("platform"))),
    h("label", {}, t("queue.sort"), select("sort", state.sort, SORTS.map((s) => [s, t(`sort.${s}`)]), refilter("sort"))),
    live);
  const table = h("table", { class: "cases" },
    h("thead", {}, h("tr", {}, ["col.priority", "col.case", "col.platform", "col.sentiment", "col.status", "col.assignee", "col.sla"].map((k) => h("th", {}, t(k))))),
    tbody);
  clear(main, h("section", { testid: "queue", dataset: { scope: team || "mine" } }, tabs, filters, table, empty, more));
  await load(true);

  const stream = new LiveStream(ctx.api, "router", {
    query: team ? { team } : {},
    events: EVENTS,
    onState: (s) => {
      live.className = `live ${s === "live" ? "on" : "off"}`;
      live.textContent = t(s === "live" ? "queue.live" : "queue.offline");
    },
    onEvent: (_name, payload) => {
      const item = { ...payload, id: payload.case_id, post_count: (payload.post_ids || []).length };
      const existing = tbody.querySelector(`tr[data-case-id="${CSS.escape(item.id)}"]`);
      if (!matches(item, scope, ctx.me.id)) {
        if (existing) existing.remove();
        shown.delete(item.id);
        return;
      }
      const fresh = row(ctx, item, !existing);
      if (existing) existing.replaceWith(fresh);
      else tbody.prepend(fresh);
      shown.add(item.id);
      empty.hidden = true;
    },
  });
  stream.start();
  const tick = setInterval(() => {
    for (const tr of tbody.querySelectorAll("tr")) clear(tr.querySelector(".slacell"), slaCell(tr.item));
  }, 30000);
  return () => {
    stream.stop();
    clearInterval(tick);
  };
}
