// Strings of the hearing server's side of the dossier (issue 15): inviting a case's parties.
export default {
  "zh-CN": {
    case_party: "本案当事人",
    case_party_by_hand: "选择本案当事人",
    case_party_represents: "{name}的代理人",
    case_party_invited_as: "以本案当事人身份参加",
  },
  en: {
    case_party: "Party of the case",
    case_party_by_hand: "Choose a party of the case",
    case_party_represents: "agent of {name}",
    case_party_invited_as: "Takes part as a party of the case",
  },
};
