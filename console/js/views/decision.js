// The decision record: why the case went to this team and this person.
import { h } from "../dom.js";
import { t } from "../i18n.js";

function pct(x) {
  return typeof x === "number" ? `${Math.round(x * 100)} %` : "—";
}

// The routing decision in one line (the case's own `reason` follows later changes).
export function why(c) {
  const d = c.decision || {};
  const a = d.assignment || {};
  const head = [d.team, d.priority].filter(Boolean).join(" ");
  if (!head) return c.reason || c.id;
  const rule = d.owner_rule ? ` (${d.owner_rule})` : "";
  return a.member ? `${head}${rule}; ${a.member}: ${a.reason}` : `${head}${rule}`;
}

export function decisionSection(c) {
  const d = c.decision || {};
  const a = d.assignment || {};
  const intent = d.intent;
  return h("section", { class: "card", testid: "decision" },
    h("h3", {}, t("case.why")),
    h("p", { testid: "decision-reason" }, why(c)),
    intent ? h("p", { testid: "decision-intent" }, t("case.intent", { intent: intent.intent, confidence: pct(intent.confidence) }),
      (intent.evidence || []).length ? h("span", { class: "muted" }, " — ", intent.evidence.map((e) => e.term).join(", ")) : null) : null,
    h("h4", {}, t("case.rules")),
    h("ul", {}, (d.matched || []).map((m) =>
      h("li", { testid: "decision-rule" }, h("strong", {}, m.name || m.rule), ` → ${m.team} ${m.priority || ""} `, h("span", { class: "muted" }, m.why || "")))),
    (d.near_misses || []).length ? [h("h4", {}, t("case.near")), h("ul", {}, d.near_misses.map((n) =>
      h("li", { testid: "decision-near-miss" }, h("strong", {}, n.name || n.rule), " ", h("span", { class: "muted" }, n.missed))))] : null,
    (d.notes || []).length ? h("ul", { class: "muted" }, d.notes.map((n) => h("li", {}, n))) : null,
    h("h4", {}, t("case.candidates")),
    a.reason ? h("p", { testid: "assignment-reason" }, a.reason) : null,
    h("table", { class: "small" }, h("tbody", {}, (a.candidates || []).map((cand) =>
      h("tr", { testid: "candidate", class: cand.member === a.member ? "chosen" : "", dataset: { member: cand.member } },
        h("td", {}, cand.member, cand.member === a.member ? h("span", { class: "tag ok" }, t("case.chosen")) : null),
        h("td", {}, `${cand.open_cases}/${cand.capacity}`),
        h("td", { class: "muted" }, cand.why || ""))))));
}

function nativeReply(b) {
  return h("li", { testid: "history-native" }, h("span", { class: "muted" }, new Date(b.received_at).toLocaleString(), " "),
    t("case.native_reply"), " ", b.url ? h("a", { href: b.url, target: "_blank", rel: "noopener noreferrer" }, b.url) : b.post_id);
}

export function metaSection(c, handoffs, brandReplies = []) {
  return h("section", { class: "card", testid: "case-meta" },
    h("h3", {}, t("case.collaborators")),
    h("p", { testid: "collaborators" }, (c.collaborators || []).length ? c.collaborators.join(", ") : t("case.none")),
    h("p", {}, h("strong", {}, t("case.approvals_required"), " "),
      h("span", { testid: "approvals-required" }, (c.approvals_required || []).join(", ") || t("case.none"))),
    h("h3", {}, t("case.history")),
    h("ol", { testid: "history" }, handoffs.map((ho) =>
      h("li", {}, h("span", { class: "muted" }, new Date(ho.at).toLocaleString(), " "), ho.event, " ",
        t("case.handoff", {
          from: [ho.from_team, ho.from_member].filter(Boolean).join("/") || "—",
          to: [ho.to_team, ho.to_member].filter(Boolean).join("/") || "—",
          reason: ho.reason || "",
        }))), brandReplies.map(nativeReply)));
}
