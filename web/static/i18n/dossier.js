// The dossier service (案件与卷宗): the parts' common words and its error reasons. Each part of
// the dossier (filing, register, materials, publishing, archive) keeps its own file beside this.
export default {
  "zh-CN": {
    dossier_title: "案件与卷宗",
    dossier_back_case: "返回案件",
    err_dossier_login_needed: "请先登录（法院工作人员）或通过邀请链接进入（当事人）。",
    err_dossier_case_not_found: "未找到该案件。",
    err_dossier_role: "您的岗位无权进行此操作。",
  },
  en: {
    dossier_title: "Cases and dossiers",
    dossier_back_case: "Back to the case",
    err_dossier_login_needed: "Please log in (court staff) or open your invitation link (parties).",
    err_dossier_case_not_found: "No such case.",
    err_dossier_role: "Your role may not do this.",
  },
};
