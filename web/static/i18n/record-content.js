// Strings of the record's content (issue 13): empty rows, and the parties' correction requests.
export default {
  "zh-CN": {
    record_empty_row: "空行（没有文字）",
    record_delete_empty: "删除空行",
    record_deleted_empty: "已删除 {who} 的空行",
  },
  en: {
    record_empty_row: "Empty row (no words)",
    record_delete_empty: "Delete empty row",
    record_deleted_empty: "Deleted the empty row of {who}",
  },
};
