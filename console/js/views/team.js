// For leads: the team's workload and fairness, its queue with reassignment, and members'
// availability.
import { clear, h } from "../dom.js";
import { has, problemText, t } from "../i18n.js";
import { why } from "./decision.js";

const AVAIL = ["on_shift", "away", "out_of_office"];

function availText(a) {
  return has(`avail.${a}`) ? t(`avail.${a}`) : a;
}

function memberRow(ctx, m, reload) {
  const choice = h("select", { testid: "availability-select" }, AVAIL.map((a) => h("option", { value: a, selected: a === m.availability }, t(`avail.${a}`))));
  const set = async () => {
    try {
      const current = await ctx.api.request("router", "GET", `/v1/members/${encodeURIComponent(m.id)}`);
      await ctx.api.request("router", "PUT", `/v1/members/${encodeURIComponent(m.id)}/availability`, { body: { availability: choice.value }, ifMatch: current.etag });
      await reload();
    } catch (err) {
      ctx.notify(problemText(err), "bad");
    }
  };
  return h("tr", { testid: "member-row", dataset: { member: m.id } },
    h("td", {}, m.name, h("span", { class: "muted" }, ` (${m.id})`)),
    h("td", { testid: "member-open" }, m.load?.open_cases ?? "—"),
    h("td", {}, m.capacity),
    h("td", {}, typeof m.load?.weighted === "number" ? m.load.weighted.toFixed(1) : "—"),
    h("td", { testid: "member-availability" }, availText(m.effective_availability || m.availability), m.unavailable_reason ? h("span", { class: "muted" }, ` (${m.unavailable_reason})`) : null),
    h("td", {}, choice, h("button", { type: "button", testid: "availability-set", onclick: set }, t("team.set"))));
}

function queueRow(ctx, c, members, reload) {
  const to = h("select", { testid: "reassign-member" }, members.map((m) => h("option", { value: m.id, selected: m.id === c.assignee }, m.name)));
  const go = async () => {
    try {
      const current = await ctx.api.request("router", "GET", `/v1/cases/${encodeURIComponent(c.id)}`);
      await ctx.api.request("router", "POST", `/v1/cases/${encodeURIComponent(c.id)}/assign`, { body: { member_id: to.value, reason: "reassigned by the team lead" }, ifMatch: current.etag });
      ctx.notify(t("team.reassigned"));
      await reload();
    } catch (err) {
      ctx.notify(problemText(err), "bad");
    }
  };
  return h("tr", { testid: "team-case", dataset: { caseId: c.id } },
    h("td", {}, h("span", { class: `prio ${c.priority}` }, c.priority)),
    h("td", {}, h("a", { href: `#/case/${encodeURIComponent(c.id)}` }, why(c))),
    h("td", {}, t(`status.${c.status}`)),
    h("td", {}, c.assignee || "—"),
    h("td", {}, t("team.reassign"), " ", to, h("button", { type: "button", testid: "reassign", onclick: go }, "↦")));
}

export async function renderTeam(ctx, main, teamId) {
  const body = h("div", {});
  async function reload() {
    const id = encodeURIComponent(teamId);
    const [members, fairness, cases] = await Promise.all([
      ctx.api.get("router", "/v1/members", { team: teamId, limit: 500 }),
      ctx.api.get("router", `/v1/teams/${id}/fairness`).catch((err) => ({ error: err })),
      ctx.api.get("router", "/v1/cases", { team: teamId, status: "new,queued,assigned,waiting_approval,reopened", sort: "sla_due_at", limit: 50 }),
    ]);
    const list = members.items || [];
    const f = fairness.error ? null : fairness;
    clear(body,
      h("section", { class: "card", testid: "fairness" }, h("h3", {}, t("team.workload")),
        f ? h("p", {}, t("team.bound", { bound: f.bound ?? "—", enforced: t(f.enforced ? "team.enforced" : "team.advisory") }),
          ` · max/min ${f.now?.ratio ?? "—"} · Gini ${typeof f.now?.gini === "number" ? f.now.gini.toFixed(2) : "—"}`)
          : h("p", { class: "problem" }, problemText(fairness.error)),
        h("table", { class: "small" },
          h("thead", {}, h("tr", {}, ["team.member", "team.open", "team.capacity", "team.load", "team.availability", "team.set"].map((k) => h("th", {}, t(k))))),
          h("tbody", {}, list.map((m) => memberRow(ctx, m, reload))))),
      h("section", { class: "card", testid: "team-queue" }, h("h3", {}, t("team.queue")),
        h("table", { class: "small" }, h("tbody", {}, cases.items.map((c) => queueRow(ctx, c, list, reload))))));
  }
  clear(main, h("section", { testid: "team", dataset: { team: teamId } }, h("h2", {}, t("team.title", { team: teamId })), body));
  await reload();
  return null;
}
