// One case: the conversation, why it came here, collaborators and history, replies, composer.
import { clear, fmtNumber, fmtTime, h, relative, slaState } from "../dom.js";
import { lang, problemText, t } from "../i18n.js";
import { LiveStream } from "../stream.js";
import { decisionSection, metaSection } from "./decision.js";
import { composer } from "./composer.js";
import { repliesSection } from "./replies.js";

function postView(p) {
  const a = p.author || {};
  return h("article", { class: p.from_brand ? "post brand" : "post", testid: "post", dataset: { postId: p.id, fromBrand: p.from_brand ? "true" : "false" } },
    h("header", {},
      h("strong", { testid: "post-author" }, a.display_name || a.handle || a.id),
      p.from_brand ? h("span", { class: "tag ok", testid: "post-brand" }, t("case.brand_post")) : null,
      a.handle ? h("span", { class: "muted" }, ` @${a.handle}`) : null,
      a.verified ? h("span", { class: "tag ok", testid: "author-verified" }, t("case.verified")) : null,
      typeof a.followers === "number" ? h("span", { class: "muted", testid: "author-followers" }, ` · ${t("case.followers", { n: fmtNumber(a.followers, lang()) })}`) : null,
      h("span", { class: "muted" }, ` · ${p.platform} ${p.kind} · ${fmtTime(p.created_at, lang())}`),
      p.signals?.sentiment_label ? h("span", { class: `tag s-${p.signals.sentiment_label}` }, t(`sentiment.${p.signals.sentiment_label}`)) : null),
    h("p", { class: "text", testid: "post-text" }, p.text),
    p.url ? h("a", { href: p.url, target: "_blank", rel: "noopener noreferrer" }, p.url) : null);
}

function header(ctx, c, reload) {
  const sla = slaState(c.sla_due_at, c.sla_breached_at);
  const act = async (action) => {
    try {
      const current = await ctx.api.request("router", "GET", `/v1/cases/${encodeURIComponent(c.id)}`);
      await ctx.api.request("router", "POST", `/v1/cases/${encodeURIComponent(c.id)}/${action}`, { body: { reason: action === "resolve" ? "answered" : "reopened from the console" }, ifMatch: current.etag });
      ctx.notify(t(action === "resolve" ? "case.resolved" : "case.reopen"));
      await reload();
    } catch (err) {
      ctx.notify(problemText(err), "bad");
    }
  };
  return h("section", { class: "case-head", testid: "case-head" },
    h("a", { href: "#/queue" }, t("case.back")),
    h("h2", {}, h("span", { class: `prio ${c.priority}` }, c.priority), " ", c.id),
    h("p", {},
      h("span", { class: "tag", testid: "case-status", dataset: { status: c.status } }, t(`status.${c.status}`)), " ",
      h("span", { testid: "case-team" }, c.team), " · ",
      h("span", { testid: "case-assignee" }, c.assignee || "—"), " · ",
      c.platform, " · ",
      h("span", { class: `sla ${sla}`, testid: "case-sla" }, c.first_response_at ? t("sla.met") : t(sla === "breached" ? "sla.breached" : "sla.due", { when: relative(c.sla_breached_at || c.sla_due_at, lang()) }))),
    c.status === "resolved"
      ? h("button", { type: "button", testid: "case-reopen", onclick: () => act("reopen") }, t("case.reopen"))
      : h("button", { type: "button", testid: "case-resolve", onclick: () => act("resolve") }, t("case.resolve")));
}

export async function renderCase(ctx, main, caseId) {
  const id = encodeURIComponent(caseId);
  const [c, posts, acc] = await Promise.all([
    ctx.api.get("router", `/v1/cases/${id}`),
    ctx.api.get("router", `/v1/cases/${id}/posts`).catch(() => ({ posts: [] })),
    ctx.api.get("router", `/v1/cases/${id}/accountability`).catch(() => ({ handoffs: [] })),
  ]);
  const headBox = h("div", {});
  const repliesBox = h("div", { testid: "replies-box" });
  // The composer answers the newest customer post, never the brand's own.
  const latest = posts.posts.filter((p) => !p.from_brand).pop() || null;
  async function reloadCase() {
    const fresh = await ctx.api.get("router", `/v1/cases/${id}`);
    clear(headBox, header(ctx, fresh, reloadCase));
  }
  async function reloadReplies() {
    try {
      clear(repliesBox, repliesSection(ctx, await ctx.api.get("responder", `/v1/cases/${id}/replies`), reloadReplies, c, latest, editor));
    } catch (err) {
      clear(repliesBox, h("p", { class: "problem", testid: "replies-error" }, problemText(err)));
    }
  }
  const editor = composer(ctx, c, latest, reloadReplies);
  clear(headBox, header(ctx, c, reloadCase));
  clear(main, h("div", { class: "case", testid: "case", dataset: { caseId: c.id } },
    headBox,
    h("div", { class: "columns" },
      h("div", {},
        h("section", { class: "card", testid: "conversation" }, h("h3", {}, t("case.conversation")),
          posts.posts.length ? posts.posts.map(postView) : h("p", { class: "muted" }, t("case.noposts"))),
        h("section", { class: "card" }, h("h3", {}, t("case.replies")), repliesBox),
        editor.el),
      h("div", {}, decisionSection(c), metaSection(c, acc.handoffs || [], acc.brand_replies || [])))));
  await reloadReplies();
  const replies = new LiveStream(ctx.api, "responder", {
    events: ["reply.drafting", "reply.drafted", "reply.approval_requested", "reply.approved", "reply.rejected", "reply.sending", "reply.sent", "reply.failed"],
    onEvent: (_n, e) => { if (e.case_id === c.id) reloadReplies(); },
  });
  const cases = new LiveStream(ctx.api, "router", {
    events: ["case.assigned", "case.reassigned", "case.updated", "case.escalated", "case.resolved", "case.reopened", "case.queued"],
    onEvent: (_n, e) => {
      if (e.case_id !== c.id) return;
      reloadCase().catch(() => {});
      if (e.native_reply) reloadReplies(); // the brand answered in the platform's app: a collision
    },
  });
  replies.start();
  cases.start();
  return () => {
    replies.stop();
    cases.stop();
    editor.stop();
  };
}
