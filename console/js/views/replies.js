// The case's replies: status, approvals needed and their state, sent (with the platform's
// link) or failed (with the reason), and who else is working on the case.
import { clear, fmtTime, h } from "../dom.js";
import { lang, problemText, t } from "../i18n.js";
import { collisionText } from "./composer.js";

export async function sendReply(ctx, reply, force, after, box) {
  try {
    await ctx.api.post("responder", `/v1/replies/${encodeURIComponent(reply.reply_id)}/send`, force ? { force: true } : {});
    await after();
  } catch (err) {
    const line = h("p", { class: "problem", testid: "reply-problem" }, problemText(err));
    if (err.code === "collision") {
      line.append(" ", h("button", { type: "button", testid: "reply-force", onclick: () => sendReply(ctx, reply, true, after, box) }, t("composer.force")));
    }
    clear(box, line);
  }
}

function approvals(reply) {
  const given = reply.approvals || [];
  return h("ul", { class: "approvals", testid: "approval-state" }, (reply.approvals_needed || []).map((need) => {
    const who = given.filter((a) => (a.keys || []).includes(need.key)).map((a) => a.by).join(", ");
    return h("li", { class: need.satisfied ? "ok" : "waiting", testid: "approval", dataset: { team: need.team, satisfied: String(need.satisfied) } },
      t("reply.approval", { team: need.team, role: need.role }), ": ",
      need.satisfied ? t("reply.approved_by", { who: who || "✓" }) : t("reply.waiting"));
  }));
}

function replyCard(ctx, reply, reload, editor) {
  const box = h("div", {});
  const mine = reply.author_id === ctx.me.id;
  const canSend = ["draft", "approved"].includes(reply.status);
  const canEdit = ["draft", "pending_approval", "rejected", "approved"].includes(reply.status);
  return h("article", { class: `reply ${reply.status}`, testid: "reply", dataset: { replyId: reply.reply_id, status: reply.status } },
    h("header", {},
      h("span", { class: "tag", testid: "reply-status" }, t(`reply.status.${reply.status}`)), " ",
      h("span", { class: "muted" }, t("reply.by", { who: reply.author_id }), " · ", fmtTime(reply.updated_at, lang()), " · ",
        reply.visibility === "private" ? t("composer.private", { platform: reply.platform }) : t("composer.public", { platform: reply.platform }))),
    h("p", { class: "text", testid: "reply-text-view" }, reply.text),
    reply.length ? h("p", { class: "muted" }, t("composer.length", reply.length)) : null,
    (reply.approvals_needed || []).length ? approvals(reply) : null,
    reply.status === "sent" && reply.platform_url
      ? h("p", {}, h("a", { href: reply.platform_url, target: "_blank", rel: "noopener noreferrer", testid: "reply-link" }, t("reply.open")))
      : null,
    reply.status === "failed" ? h("p", { class: "problem", testid: "reply-error" }, t("reply.failed", { reason: reply.error || reply.error_code || "?" })) : null,
    h("div", { class: "actions" },
      canSend && mine ? h("button", { type: "button", testid: "reply-send", onclick: () => sendReply(ctx, reply, false, reload, box) }, t("composer.send")) : null,
      canEdit && mine ? h("button", { type: "button", class: "link", testid: "reply-edit", onclick: () => editor.edit(reply) }, t("composer.edit")) : null),
    box);
}

export function repliesSection(ctx, body, reload, _case, _post, editor) {
  const others = (body.collisions || []).filter((c) => c.member !== ctx.me.id);
  editor.collisions(others);
  editor.settle(body.replies || []);
  const sending = (body.replies || []).some((r) => r.status === "sending");
  if (sending) setTimeout(() => document.contains(editor.el) && reload(), 1500);
  return h("div", { testid: "replies" },
    others.map((c) => h("p", { class: "warn", testid: "collision" }, collisionText(c))),
    (body.replies || []).map((r) => replyCard(ctx, r, reload, editor)));
}
