// Replies waiting for the signed-in person's approval (GET /v1/replies?awaiting_me=true).
import { clear, fmtTime, h } from "../dom.js";
import { lang, problemText, t } from "../i18n.js";
import { LiveStream } from "../stream.js";

function card(ctx, reply, reload) {
  const comment = h("input", { testid: "approval-comment", placeholder: t("approvals.comment") });
  const box = h("div", {});
  const act = async (verb) => {
    try {
      const body = comment.value ? { comment: comment.value } : verb === "approve" ? {} : { comment: "" };
      await ctx.api.post("responder", `/v1/replies/${encodeURIComponent(reply.reply_id)}/${verb}`, body);
      ctx.notify(t(verb === "approve" ? "approvals.done" : "approvals.rejected"));
      await reload();
    } catch (err) {
      clear(box, h("p", { class: "problem", testid: "approval-error" }, problemText(err)));
    }
  };
  return h("article", { class: "reply card", testid: "awaiting", dataset: { replyId: reply.reply_id, caseId: reply.case_id } },
    h("header", {},
      h("a", { href: `#/case/${encodeURIComponent(reply.case_id)}` }, reply.case_id), " · ",
      h("span", { class: "muted" }, t("reply.by", { who: reply.author_id }), " · ", reply.platform, " · ", fmtTime(reply.updated_at, lang()))),
    h("p", { class: "text", testid: "awaiting-text" }, reply.text),
    h("ul", { class: "approvals" }, (reply.approvals_pending || []).map((n) => h("li", { class: "waiting" }, t("reply.approval", { team: n.team, role: n.role }), n.reason ? ` — ${n.reason}` : ""))),
    h("div", { class: "actions" },
      comment,
      h("button", { type: "button", testid: "approve", onclick: () => act("approve") }, t("approvals.approve")),
      h("button", { type: "button", class: "danger", testid: "reject", onclick: () => act("reject") }, t("approvals.reject"))),
    box);
}

export async function renderApprovals(ctx, main) {
  const list = h("div", { testid: "awaiting-list" });
  async function reload() {
    const body = await ctx.api.get("responder", "/v1/replies", { awaiting_me: true, status: "pending_approval" });
    const replies = body.replies || [];
    clear(list, replies.length ? replies.map((r) => card(ctx, r, reload)) : h("p", { class: "muted", testid: "approvals-empty" }, t("empty.approvals")));
  }
  clear(main, h("section", { testid: "approvals" }, h("h2", {}, t("approvals.title")), list));
  await reload();
  const stream = new LiveStream(ctx.api, "responder", {
    events: ["reply.approval_requested", "reply.approved", "reply.rejected", "reply.sent"],
    onEvent: () => reload().catch(() => {}),
  });
  stream.start();
  return () => stream.stop();
}
