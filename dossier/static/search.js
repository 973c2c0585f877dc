// Court-wide search of the dossiers the caller may read: /dossier/search.html?q=…
import { api, el, errorText, setupHeader, showError } from "/common.js";
import { t } from "/i18n.js";
import { hitItem } from "/dossier/materials-common.js";

const form = document.getElementById("court-search");
const input = document.getElementById("q");
const hits = document.getElementById("hits");
const error = document.getElementById("search-error");

async function run(q) {
  showError(error, "");
  try {
    const found = await api("GET", `/api/dossier/search?q=${encodeURIComponent(q)}`);
    hits.replaceChildren(...found.hits.map((h) => hitItem(h, { withCase: true })));
    if (!found.hits.length) hits.replaceChildren(el("li", { class: "hint" }, t("mat_search_none")));
  } catch (exc) {
    showError(error, errorText(exc));
  }
}

setupHeader();
form.addEventListener("submit", (event) => {
  event.preventDefault();
  const q = input.value;
  history.replaceState(null, "", `?q=${encodeURIComponent(q)}`);
  run(q);
});
const initial = new URLSearchParams(location.search).get("q");
if (initial) {
  input.value = initial;
  run(initial);
}
