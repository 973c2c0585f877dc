// Per-speaker language and interpreters (issue 13): the scheduling form's fields, the participant
// list's note ("英语", "为 被告 李娜 翻译") and the transcript's interpretation label.
import { el } from "./common.js";
import { roleLabel, t } from "./i18n.js";

export const LANGUAGES = ["zh", "en", "yue"];

export function languageLabel(code) {
  return code ? t(`interpreting_lang_${code}`) : t("interpreting_language_default");
}

function who(p) {
  return `${roleLabel(p.court_role)} ${p.display_name}`;
}

// "为 被告 李娜 翻译" for an interpreter's line or row; null when it says nothing.
export function interpretedNote(participantId, participants) {
  const p = participants.find((x) => x.id === participantId);
  const of = p && participants.find((x) => x.id === p.interprets_participant_id);
  return of ? t("interpreting_of").replace("{who}", ` ${who(of)} `).trim() : null;
}

// The extra labels of a transcript line (an interpreter's: whom they interpret).
export function lineNotes(item, participants) {
  if (item.role !== "interpreter" || !item.speaker?.startsWith("participant-")) return [];
  const note = interpretedNote(Number(item.speaker.slice("participant-".length)), participants);
  return note ? [el("span", { class: "interpretation" }, `（${note}）`)] : [];
}

// The extra notes of a participant row: their language, whom an interpreter interprets.
export function rowNotes(p, participants) {
  const notes = [];
  if (p.language) notes.push(languageLabel(p.language));
  const of = interpretedNote(p.id, participants);
  if (of) notes.push(of);
  return notes.length ? [el("span", { class: "hint", "data-language": p.language || "" },
    notes.join(" · "))] : [];
}

// The scheduling form's fields: the speaker's language, and for an interpreter whom they
// interpret (a participant already on the hearing's list).
export function languageFields(participants, roleSelect) {
  const language = el("select", { "aria-label": t("interpreting_language"), name: "language" },
    el("option", { value: "" }, t("interpreting_language_default")),
    ...LANGUAGES.map((code) => el("option", { value: code }, languageLabel(code))));
  const interprets = el("select", { "aria-label": t("interpreting_for"), name: "interprets",
    hidden: true });
  const refresh = () => {
    const isInterpreter = roleSelect.value === "interpreter";
    interprets.hidden = !isInterpreter;
    interprets.replaceChildren(el("option", { value: "" }, t("interpreting_for_none")),
      ...participants.filter((p) => p.court_role !== "interpreter")
        .map((p) => el("option", { value: String(p.id) }, who(p))));
  };
  roleSelect.addEventListener("change", refresh);
  refresh();
  return {
    nodes: [language, interprets],
    values: () => ({
      language: language.value || null,
      interprets_participant_id: !interprets.hidden && interprets.value
        ? Number(interprets.value) : null,
    }),
    refresh,
  };
}
