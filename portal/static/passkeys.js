// Passkeys (通行密钥) on the portal's pages: the server's options (py_webauthn's JSON), the
// browser's own WebAuthn (parse*OptionsFromJSON, toJSON), the answer back to the server.
import { api } from "/common.js";

// The browser can do it: WebAuthn with the JSON helpers (Chromium 129+, Firefox 119+, Safari 18+).
export const supported = Boolean(window.PublicKeyCredential
  && PublicKeyCredential.parseCreationOptionsFromJSON && PublicKeyCredential.parseRequestOptionsFromJSON);

async function ceremony(begin, finish, run) {
  const started = await api("POST", begin);
  const credential = await run(started.options);
  return api("POST", finish, { ceremony: started.ceremony, credential: JSON.stringify(credential.toJSON()) });
}

// Adds a passkey to the logged-in party's account.
export function addPasskey() {
  return ceremony("/api/portal/passkeys/register/options", "/api/portal/passkeys/register",
    (options) => navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) }));
}

// Logs in with a passkey (discoverable: the browser asks which one).
export function loginWithPasskey() {
  return ceremony("/api/portal/passkeys/login/options", "/api/portal/passkeys/login",
    (options) => navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) }));
}

// A browser's refusal (the person cancelled, or the passkey is there already) as an error reason.
export function browserReason(exc) {
  if (exc && exc.name === "NotAllowedError") return "portal_passkey_cancelled";
  if (exc && exc.name === "InvalidStateError") return "portal_passkey_known";
  return null;
}
