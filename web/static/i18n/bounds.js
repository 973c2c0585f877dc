// Strings of the memory bounds (issue 14): a revision kept without its text (the hearing's budget).
export default {
  "zh-CN": {
    history_no_detail: "（修改内容未保留：{before} 字 → {after} 字）",
  },
  en: {
    history_no_detail: "(text of this change not kept: {before} → {after} characters)",
  },
};
