// The join page's one-time code: resend countdown.
export default {
  "zh-CN": {
    otp_resend_in: "重新获取（{seconds} 秒）",
    otp_resend: "重新获取验证码",
  },
  en: {
    otp_resend_in: "Resend ({seconds} s)",
    otp_resend: "Get a new code",
  },
};
