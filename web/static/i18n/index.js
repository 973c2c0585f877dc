// The parts of the dictionary kept beside the base table in ../i18n.js, one file per feature.
// Each part exports { "zh-CN": {...}, en: {...} }; a key may be defined by one part only.
import signLinks from "./sign-links.js";
import verifyRecordings from "./verify-recordings.js";

export const PARTS = [signLinks, verifyRecordings];
