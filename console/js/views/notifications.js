// Your notifications (SLA breaches, crises, idle cases, native replies…), newest first, live;
// what the list shows is marked read at the router.
import { clear, h, relative } from "../dom.js";
import { has, lang, t } from "../i18n.js";

function entry(note) {
  const kind = has(`notif.${note.kind}`) ? t(`notif.${note.kind}`) : note.kind;
  return h("li", { class: "notification", testid: "notification", dataset: { kind: note.kind } },
    h("span", { class: "tag", testid: "notification-kind" }, kind),
    note.case_id
      ? h("a", { href: `#/case/${encodeURIComponent(note.case_id)}`, testid: "notification-case" }, note.case_id)
      : null,
    h("span", { class: "muted", title: note.created_at }, relative(note.created_at, lang())),
    // The service writes the message in English; the kind above is in the UI's language.
    h("p", { testid: "notification-message" }, note.message));
}

export async function renderNotifications(ctx, main) {
  const list = h("ul", { class: "notifications", testid: "notification-list" });
  const empty = h("p", { class: "muted", testid: "notifications-empty", hidden: true }, t("empty.notifications"));
  clear(main, h("section", { testid: "notifications" }, h("h1", {}, t("notif.title")), list, empty));
  const body = await ctx.api.get("router", "/v1/notifications", { member_id: ctx.me.id, limit: 100 });
  for (const note of body.items) list.append(entry(note));
  empty.hidden = body.items.length > 0;
  const read = (newest) => ctx.notifications.seen(newest).catch(ctx.showError);
  read(body.items[0]?.id);
  return ctx.notifications.listen((note) => {
    list.prepend(entry(note));
    empty.hidden = true;
    // The stream's notification carries no row id: ask for the newest, which it is or precedes.
    ctx.api.get("router", "/v1/notifications", { member_id: ctx.me.id, limit: 1 }).then((b) => read(b.items[0]?.id), ctx.showError);
  });
}
