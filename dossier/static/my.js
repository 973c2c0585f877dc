// A party's page (from the invitation or signing link session): who they are (原告 陈明), their
// case and court, and exactly the materials the judge published to them, each downloadable as a
// PDF; a link back to their record (/sign/<hearing>), the page that led them here.
import { api, el, errorText, formatDateTime, setupHeader, showError } from "/common.js";
import { roleLabel, t } from "/i18n.js";
import { apiAll } from "/paging.js";
import { PAGE_LIMIT } from "/dossier/register-common.js";

const errorBox = document.getElementById("error");

function size(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

async function load() {
  let cases;
  try {
    cases = await api("GET", "/api/dossier/my/cases");
  } catch (exc) {
    setupHeader();
    showError(errorBox, errorText(exc));
    return;
  }
  setupHeader(cases.length ? { court: cases[0].court_name, caseNumber: cases[0].case_number } : {});
  const root = document.getElementById("cases");
  if (cases.length) {
    const you = cases[0];
    document.getElementById("who").textContent = `${roleLabel(you.party_role)} ${you.party_name}`;
    const back = document.getElementById("to-record");
    back.href = `/sign/${you.hearing_id}`;
    back.hidden = false;
  }
  if (!cases.length) {
    root.replaceChildren(el("p", { class: "hint" }, t("dpub_my_no_case")));
    return;
  }
  const sections = [];
  for (const c of cases) {
    const materials = await apiAll(`/api/dossier/my/cases/${c.id}/materials`, PAGE_LIMIT);
    const items = materials.map((m) => el("li", { "data-material": m.id },
      el("span", { class: "grow" }, m.title),
      el("span", { class: "meta" }, [
        m.page_count ? `${m.page_count} ${t("dpub_my_pages")}` : "",
        size(m.size_bytes), `${t("dpub_my_published_at")} ${formatDateTime(m.published_at)}`,
      ].filter(Boolean).join(" · ")),
      el("a", { class: "button", href: m.download_url, download: "" }, t("dpub_my_download"))));
    sections.push(el("section", { class: "card" },
      el("h2", {}, `${c.case_number} · ${c.cause_name}`),
      el("dl", { class: "facts dp-facts" },
        el("dt", {}, t("dpub_my_court")), el("dd", {}, c.court_name),
        el("dt", {}, t("dpub_my_you")), el("dd", { class: "dp-you" }, `${roleLabel(c.party_role)} ${c.party_name}`)),
      el("h3", { class: "dp-my-list" }, t("dpub_my_materials")),
      items.length ? el("ul", { class: "dp-list" }, ...items) : el("p", { class: "hint" }, t("dpub_my_none"))));
  }
  root.replaceChildren(...sections);
}

load();
