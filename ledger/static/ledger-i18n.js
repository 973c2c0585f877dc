// The ledger pages' words, zh-CN first and English; the language choice is the site's (/i18n.js).
import { el } from "/common.js";
import { lang } from "/i18n.js";

const WORDS = {
  title_verify: ["调查令核验", "Verify an investigation order"],
  title_orders: ["律师调查令", "Lawyers' investigation orders"],
  lang_switch: ["English", "中文"],
  checking: ["正在核验…", "Checking…"],
  no_token: ["链接不完整：缺少调查令号或核验码。请重新扫描调查令上的二维码。", "The link is incomplete: scan the order's QR code again."],
  genuine: ["真实有效的调查令", "A genuine, valid investigation order"],
  genuine_revoked: ["调查令真实，但已被撤销", "Genuine, but REVOKED"],
  genuine_expired: ["调查令真实，但已过有效期", "Genuine, but EXPIRED"],
  not_genuine: ["无法核验：不是本院签发的调查令，或核验码有误", "Not verified: not an order of this court, or a wrong code"],
  proof_failed: ["存证核验失败：", "Ledger proof FAILED: "],
  number: ["调查令号", "Order number"], case_number: ["案号", "Case number"], court: ["法院", "Court"],
  lawyer: ["持令律师", "Lawyer"], institution: ["接受调查人", "Institution"],
  items: ["调查内容", "Items sought"], reason: ["申请理由", "Reason"], validity: ["有效期至", "Valid until"],
  judge: ["承办法官", "Judge"], status: ["状态", "Status"], revoke_reason: ["撤销理由", "Reason for revocation"],
  st_applied: ["待审查", "Awaiting decision"], st_approved: ["已准许", "Approved"], st_rejected: ["未准许", "Rejected"],
  st_issued: ["有效", "Valid"], st_expired: ["已过期", "Expired"], st_revoked: ["已撤销", "Revoked"],
  proofs: ["存证核验（在本浏览器中计算）", "Ledger proofs (computed in this browser)"],
  proof_ok: ["默克尔包含证明成立：第 {i} 号叶子在大小为 {n} 的树中", "Merkle inclusion holds: leaf {i} in a tree of {n}"],
  proof_bad: ["默克尔包含证明不成立：第 {i} 号叶子", "Merkle inclusion FAILS: leaf {i}"],
  record_bad: ["记录与叶子不符", "record differs from its leaf"],
  unwitnessed: ["账本检查点未获足够见证人副署（或账本签名无效），请稍后重试或联系法院", "the checkpoint lacks the witnesses' cosignatures (or the log's signature): try later or ask the court"],
  inclusion_bad: ["默克尔包含证明不成立，页面所示内容不可信", "a Merkle inclusion proof fails: do not trust what is shown"],
  server_checked: ["服务器已核验：账本签名 {log}，见证人副署 {w}（需要 {q} 个）", "Checked by the server: log signature {log}, witnesses {w} (need {q})"],
  yes: ["有效", "valid"], no: ["无效", "invalid"],
  k_order_applied: ["律师申请", "applied"], k_order_decided: ["法官审查", "decided"], k_order_issued: ["签发", "issued"],
  k_order_verified: ["扫码核验", "verified"], k_order_responded: ["协助结果", "answered"], k_order_expired: ["到期", "expired"],
  k_order_revoked: ["撤销", "revoked"],
  respond_title: ["登记协助调查结果", "Record the institution's answer"],
  responder: ["经办人（单位及姓名）", "Handled by (institution and name)"],
  outcome_provided: ["已提供材料", "Documents provided"], outcome_refused: ["拒绝提供", "Refused"],
  refuse_reason: ["拒绝理由", "Reason for refusal"], files: ["上传提供的材料", "Upload the documents given"],
  submit: ["提交", "Submit"], responded: ["已登记，记入存证账本第 {i} 号叶子。", "Recorded as leaf {i} of the ledger."],
  responses: ["已登记的协助结果", "Answers recorded"],
  network: ["网络错误，请稍后再试", "Network error, try again later"],
  my_orders: ["我的调查令申请", "My applications"], judge_orders: ["待我审查的调查令", "Orders in my cases"],
  apply: ["申请调查令", "Apply for an order"], case: ["案件", "Case"],
  kind_bank: ["银行", "Bank"], kind_registry: ["登记机关", "Registry"], kind_company: ["公司", "Company"],
  institution_name: ["接受调查人名称", "Institution's name"], items_hint: ["调查内容（每行一项）", "Items sought (one a line)"],
  valid_days: ["有效期（天）", "Validity (days)"], download: ["下载调查令", "Download the order"],
  approve: ["准许", "Approve"], reject: ["不予准许", "Reject"], revoke: ["撤销", "Revoke"],
  decision_reason: ["理由", "Reasons"], keep_item: ["准许此项", "allow this item"],
  sign_in_lawyer: ["请先以律师身份登录诉讼服务平台（/portal/），或以法官身份登录工作台。", "Sign in to the portal as a lawyer (/portal/), or to the workbench as a judge."],
  role_judge: ["法官", "Judge"], role_lawyer: ["律师", "Lawyer"], days: ["{n} 天", "{n} days"],
  none: ["暂无", "None"], applied_at: ["申请时间", "Applied"], decision: ["审查意见", "Decision"],
};

export function w(key, params = {}) {
  const pair = WORDS[key];
  let text = pair ? (lang() === "en" ? pair[1] : pair[0]) : key;
  for (const [name, value] of Object.entries(params)) text = text.replace(`{${name}}`, String(value));
  return text;
}

export function applyWords(root = document) {
  document.documentElement.lang = lang();
  for (const node of root.querySelectorAll("[data-w]")) node.textContent = w(node.dataset.w);
}

export function errorText(body, status) {
  const error = body && body.error;
  if (!error) return `${w("network")} (${status})`;
  return lang() === "en" ? error.message : error.message_zh || error.message;
}

export { el }; // the site's one element builder, for the ledger's pages
