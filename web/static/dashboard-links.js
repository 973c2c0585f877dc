// Dashboard: a participant's invitation links — withdraw them all, or replace them with a new
// one (e.g. the link was passed on); the server audits both.
import { api, el, errorText, fill, showError } from "./common.js";
import { roleLabel, t } from "./i18n.js";

// ``show(url)`` displays a new link with its copy button (the row's own link display).
export function linkButtons(p, show) {
  const who = `${roleLabel(p.court_role)} ${p.display_name}`;
  const note = el("span", { class: "hint lnk-note", role: "status", hidden: true });
  const error = el("span", { class: "error", role: "alert", hidden: true });
  const reissue = el("button", { class: "small secondary lnk-reissue", type: "button" }, t("staff_reissue"));
  reissue.onclick = async () => {
    if (!confirm(fill(t("staff_reissue_confirm"), { who }))) return;
    try {
      const inv = await api("POST", `/api/participants/${p.id}/invitation/reissue`);
      note.textContent = t("staff_reissued");
      note.hidden = false;
      showError(error, "");
      show(inv.url);
    } catch (exc) { showError(error, errorText(exc)); }
  };
  const revoke = el("button", { class: "small secondary lnk-revoke", type: "button" }, t("staff_revoke"));
  revoke.onclick = async () => {
    if (!confirm(fill(t("staff_revoke_confirm"), { who }))) return;
    try {
      const out = await api("POST", `/api/participants/${p.id}/invitations/revoke`);
      note.textContent = fill(t("staff_revoked_n"), { n: out.revoked_invitation_ids.length });
      note.hidden = false;
      showError(error, "");
      show("");
    } catch (exc) { showError(error, errorText(exc)); }
  };
  return [reissue, revoke, note, error];
}
