// The court's case list (/dossier/): search form, filters, keyset pages ("more").
import { api, el, errorText, fill, setupHeader, showError } from "/common.js";
import { roleLabel, t } from "/i18n.js";
import { courtDate, fetchPage, label, yuan, yuanToFen } from "/dossier/register-common.js";

const form = document.getElementById("search");
const body = document.querySelector("#cases tbody");
const more = document.getElementById("more");
const empty = document.getElementById("empty");
const failure = document.getElementById("list-error");
let next = null;

function query() {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (String(value).trim()) params.set(name, String(value).trim());
  }
  params.set("limit", "50");
  return `/api/dossier/cases?${params}`;
}

function row(c) {
  return el("tr", {},
    el("td", { class: "num" }, el("a", { href: `/dossier/case.html?id=${c.id}` }, c.case_number)),
    el("td", {}, c.cause_name),
    el("td", {}, c.parties.join("、")),
    el("td", {}, c.judge_name || ""),
    el("td", { class: "num" }, courtDate(c.filed_on)),
    el("td", {}, el("span", { class: `status ${c.status}` }, label("reg_status_", c.status)),
      c.closed_on ? el("div", { class: "hint" }, courtDate(c.closed_on)) : null),
  );
}

async function load(url, append) {
  showError(failure, "");
  try {
    const page = await fetchPage(url);
    if (!append) body.replaceChildren();
    body.append(...page.items.map(row));
    next = page.next;
    more.hidden = !next;
    empty.hidden = body.children.length > 0;
  } catch (exc) {
    showError(failure, errorText(exc));
  }
}

// The court administrator's form: the court's code (法院代字, in every case number) and the
// small-claims ceiling. Without a code nothing can be filed.
function showCourtCode(code) {
  document.getElementById("cc-current").textContent = code.code || t("reg_cc_unset");
  document.getElementById("cc-code").value = code.code || "";
  document.getElementById("cc-ceiling").value = code.small_claims_ceiling_fen === null ? ""
    : (code.small_claims_ceiling_fen / 100).toFixed(2);
  document.getElementById("cc-source").textContent = fill(t("reg_cc_source"), { source: code.small_claims_source });
}

async function setupCourtCode() {
  const form = document.getElementById("court-code");
  const status = document.getElementById("cc-status");
  const error = document.getElementById("cc-error");
  try {
    showCourtCode(await api("GET", "/api/dossier/court-code"));
  } catch (exc) {
    showError(failure, errorText(exc));
    return;
  }
  form.hidden = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(status, "");
    showError(error, "");
    const ceilingText = document.getElementById("cc-ceiling").value.trim();
    const ceiling = ceilingText ? yuanToFen(ceilingText) : null;
    if (ceilingText && ceiling === null) {
      showError(error, t("filing_amount_invalid"));
      return;
    }
    try {
      const code = await api("PUT", "/api/dossier/court-code",
        { code: document.getElementById("cc-code").value.trim(), small_claims_ceiling_fen: ceiling });
      showCourtCode(code);
      const saved = fill(t("reg_cc_saved"), { code: code.code });
      showError(status, ceiling === null ? saved : `${saved} ${fill(t("reg_cc_saved_ceiling"), { amount: yuan(ceiling) })}`);
    } catch (exc) {
      showError(error, errorText(exc));
    }
  });
}

async function start() {
  setupHeader();
  let me;
  try {
    me = await api("GET", "/api/auth/me");
  } catch (exc) {
    showError(failure, errorText(exc));
    return;
  }
  document.getElementById("hdr-court").textContent = me.court_name;
  document.getElementById("who").textContent = `${roleLabel(me.role)} ${me.display_name}`;
  document.getElementById("file-link").hidden = me.role !== "filing_clerk";
  document.getElementById("stats-link").hidden = !["judge", "court_admin"].includes(me.role);
  document.getElementById("archive-admin-link").hidden = me.role !== "court_admin";
  if (me.role === "court_admin") await setupCourtCode();
  try {
    const staff = await api("GET", "/api/staff");
    const select = document.getElementById("q-judge");
    for (const s of staff.items.filter((s) => s.role === "judge")) {
      select.append(el("option", { value: String(s.id) }, s.display_name));
    }
  } catch (exc) {
    showError(failure, errorText(exc));
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); load(query(), false); });
  form.addEventListener("reset", () => setTimeout(() => load(query(), false), 0));
  more.addEventListener("click", () => { if (next) load(next, true); });
  await load(query(), false);
}

start();
