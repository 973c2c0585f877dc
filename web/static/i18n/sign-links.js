// The signing-link page (/sign/<token>, issue 13): reading and signing the record after closing.
export default {
  "zh-CN": {
    signlink_title: "阅读并签署庭审笔录",
    signlink_intro: "庭审已结束，笔录已制作完成。请先验证身份（系统将向您登记的手机发送验证码），然后阅读笔录并签名；如有遗漏或差错，可以申请补正或提出异议。",
    signlink_intro_complete: "该庭审笔录已签署完毕。验证身份后可以查看最终笔录。",
    signlink_enter: "验证并阅读笔录",
    signlink_enter_read: "验证并查看笔录",
    signlink_invalid: "签名链接无效。请使用法院短信或邮件中的链接，或联系书记员。",
    signlink_gone: "签名链接已失效，请联系书记员重新发送签名通知。",
    signlink_too_many: "请求过于频繁，请稍后再试。",
    room_to_record: "阅读并签署笔录",
    sign_my_materials: "我的案件材料",
    sign_back_portal: "返回诉讼服务平台",
  },
  en: {
    signlink_title: "Read and sign the hearing record",
    signlink_intro: "The hearing has ended and its record is ready. Confirm your identity first (a code is sent to the phone the court has for you), then read the record and sign it; you may also ask for a correction or raise an objection.",
    signlink_intro_complete: "This record has been signed by everyone. Confirm your identity to read the final record.",
    signlink_enter: "Verify and read the record",
    signlink_enter_read: "Verify and view the record",
    signlink_invalid: "This signing link is not valid. Use the link in the court's SMS or e-mail, or ask the clerk.",
    signlink_gone: "This signing link no longer works. Ask the clerk to send the signing request again.",
    signlink_too_many: "Too many requests; please try again later.",
    room_to_record: "Read and sign the record",
    sign_my_materials: "My case materials",
    sign_back_portal: "Back to the litigation portal",
  },
};
