// The /verify page: what became of each recording the signed record binds (issue 13). A recording
// that was not supplied is "not checked", never "altered".
export default {
  "zh-CN": {
    vfrec_matches: "✓ 与绑定摘要一致",
    vfrec_differs: "✗ 与绑定摘要不符（录音已被改动）",
    vfrec_not_checked: "未核对（未提供该录音）",
    vfrec_not_bound: "✗ 笔录未绑定该名称的录音",
    vfrec_summary: "已核对 {checked} 个，未核对 {unchecked} 个",
    vfrec_upload_hint: "上传验证只核验笔录本身，录音未核对。如需核对录音，请从案件页面验证，或使用命令 tingshen verify --recording 名称=文件。",
  },
  en: {
    vfrec_matches: "✓ matches the bound digest",
    vfrec_differs: "✗ differs from the bound digest (the recording was changed)",
    vfrec_not_checked: "not checked (not supplied)",
    vfrec_not_bound: "✗ the record binds no recording of this name",
    vfrec_summary: "{checked} checked, {unchecked} not checked",
    vfrec_upload_hint: "An upload checks the transcript itself; the recordings are not checked. To check them, verify from the case page or run tingshen verify --recording NAME=FILE.",
  },
};
