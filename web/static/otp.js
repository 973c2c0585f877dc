// The one-time SMS code step of a link page (join link, signing link): one message at a time (a
// new status replaces the one before) and the server's interval between codes as a countdown on
// the button.
import { errorText, fill, showError } from "./common.js";
import { t } from "./i18n.js";

export function codeStep({ button, sent, error, request }) {
  const say = (ok, text) => {
    sent.textContent = ok ? text : "";
    sent.hidden = !ok || !text;
    showError(error, ok ? "" : text);
  };
  let countdown = null;
  const waitToResend = (seconds) => {
    clearInterval(countdown);
    const until = Date.now() + seconds * 1000;
    const tick = () => {
      const left = Math.ceil((until - Date.now()) / 1000);
      button.disabled = left > 0;
      button.textContent = left > 0 ? fill(t("otp_resend_in"), { seconds: left }) : t("otp_resend");
      if (left <= 0) clearInterval(countdown);
    };
    tick();
    countdown = setInterval(tick, 250);
  };
  button.onclick = async () => {
    try {
      const info = await request();
      say(true, `${t("code_sent")} ${info.sent_to}`);
      waitToResend(info.resend_after_seconds);
    } catch (exc) {
      say(false, errorText(exc));
      if (exc.reason === "code_cooldown") waitToResend(exc.params.seconds);
    }
  };
  return { say };
}
