// The investigation-order ledger (律师调查令, ledger/): the names of its request fields, for
// error messages (the ledger's pages keep their own words in ledger/static/ledger-i18n.js).
export default {
  "zh-CN": {
    err_f_dossier_case_id: "案件",
    err_f_files: "上传的材料",
    err_f_institution_kind: "接受调查人类别",
    err_f_institution_name: "接受调查人名称",
    err_f_items: "调查内容",
    err_f_new: "新的树大小",
    err_f_old: "旧的树大小",
    err_f_responder: "经办人",
    err_f_since: "检查点大小",
    err_f_token: "核验码",
    err_f_valid_days: "有效期（天）",
  },
  en: {
    err_f_dossier_case_id: "Case",
    err_f_files: "Uploaded documents",
    err_f_institution_kind: "Kind of institution",
    err_f_institution_name: "Institution's name",
    err_f_items: "Items sought",
    err_f_new: "New tree size",
    err_f_old: "Old tree size",
    err_f_responder: "Handled by",
    err_f_since: "Checkpoint size",
    err_f_token: "Verification code",
    err_f_valid_days: "Validity (days)",
  },
};
