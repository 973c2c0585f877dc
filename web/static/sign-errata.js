// Errata (勘误): once the record is frozen its text never changes (the parties' signatures cover it),
// so a correction found later — a misheard name — is a separate statement: segment, corrected text,
// reason, author and time, signed by the court's seal key on the server and listed with the record.
// The judge and the clerk file them here; everyone admitted sees them.
import { el, formatDateTime } from "./common.js";
import { errorText } from "./common.js"; // server errors in the page's language
import { t } from "./i18n.js";
import { clock, segmentLabel } from "./sign-review.js";

const BENCH = new Set(["presiding_judge", "judge", "clerk"]);

/** Whether the caller may file errata (the server decides again). */
export function mayFileErrata(status) {
  const frozen = status.state === "signing" || status.state === "complete";
  return frozen && status.me.key.startsWith("staff-") && BENCH.has(status.me.role);
}

/** The errata filed so far: segment, before → after, reason, who and when, and the court's seal. */
export function renderErrata(list, errata, transcript) {
  const byId = new Map((transcript?.segments || []).map((s) => [s.id, s]));
  list.replaceChildren(...errata.map((e) => {
    const seg = byId.get(e.segment_id);
    return el("li", { class: "objection erratum", "data-erratum": e.id },
      el("div", { class: "h-meta" }, `${e.author_name} · ${formatDateTime(e.created_at)} · ${t("sign_err_signed")}`),
      seg ? el("a", { class: "obj-seg", href: `#seg-${seg.id}` }, `${clock(seg.start_ms)} ${segmentLabel(seg)}`) : null,
      el("div", { class: "obj-text" }, el("del", {}, e.before), " → ", el("ins", {}, e.after)),
      el("div", { class: "hint" }, `${t("sign_err_reason")}：${e.reason}`));
  }));
  if (!errata.length) list.replaceChildren(el("li", { class: "hint" }, t("sign_no_errata")));
}

/** Wire the errata form: ``submit(body)`` posts it; ``done()`` refreshes the page's state. */
export function setupErrataForm(transcript, { submit, done }) {
  const form = document.getElementById("errata-form");
  const segment = document.getElementById("err-segment");
  const after = document.getElementById("err-after");
  const reason = document.getElementById("err-reason");
  const error = document.getElementById("err-error");
  const segments = (transcript.segments || []).filter((s) => s.kind !== "note");
  segment.replaceChildren(...segments.map((s) => el("option", { value: s.id },
    `${clock(s.start_ms)} ${segmentLabel(s)}：${s.text.slice(0, 24)}${s.text.length > 24 ? "…" : ""}`)));
  const prefill = () => { after.value = segments.find((s) => s.id === segment.value)?.text || ""; };
  segment.onchange = prefill;
  prefill();
  form.onsubmit = async (event) => {
    event.preventDefault();
    const chosen = segments.find((s) => s.id === segment.value);
    if (!chosen || !reason.value.trim()) return;
    const body = { segment_id: chosen.id, before: chosen.text, after: after.value, reason: reason.value.trim() };
    const button = document.getElementById("err-submit");
    button.disabled = true;
    try {
      await submit(body);
      reason.value = "";
      error.hidden = true;
      await done();
    } catch (exc) {
      error.textContent = errorText(exc);
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  };
}
