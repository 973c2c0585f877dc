// Refusals of the origin check (hearing_server/origin_check.py): a request from another site.
export default {
  "zh-CN": {
    err_cross_origin: "该请求来自其他网站的页面，已被拒绝。请直接打开本系统的页面后重试。",
  },
  en: {
    err_cross_origin:
      "This request came from a page of another site and was refused. Open this system's own page and try again.",
  },
};
