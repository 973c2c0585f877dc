// The staff login page: after logging in, go to the page asked for in ?next= if it is on this site.
import { api, errorText, setupHeader, showError } from "/common.js";
import { sameSiteTarget } from "/redirect.js";

setupHeader();
const form = document.getElementById("login");
const error = document.getElementById("error");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(error, "");
  try {
    await api("POST", "/api/auth/login", {
      username: form.username.value.trim(), password: form.password.value,
    });
    const next = new URLSearchParams(location.search).get("next");
    location.href = sameSiteTarget(next, location.origin);
  } catch (exc) {
    showError(error, errorText(exc));
  }
});
