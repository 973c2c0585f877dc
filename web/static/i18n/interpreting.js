// Strings of the per-speaker language and interpreter fields (issue 13).
export default {
  "zh-CN": {
    interpreting_language: "发言语言",
    interpreting_language_default: "随庭审语言",
    interpreting_lang_zh: "普通话",
    interpreting_lang_en: "英语",
    interpreting_lang_yue: "粤语",
    interpreting_for: "为谁翻译",
    interpreting_for_none: "（不指定）",
    interpreting_of: "为{who}翻译",
  },
  en: {
    interpreting_language: "Speaks",
    interpreting_language_default: "Hearing's language",
    interpreting_lang_zh: "Mandarin",
    interpreting_lang_en: "English",
    interpreting_lang_yue: "Cantonese",
    interpreting_for: "Interprets for",
    interpreting_for_none: "(nobody chosen)",
    interpreting_of: "interpreting for{who}",
  },
};
