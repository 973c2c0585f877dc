// The parts of the dictionary kept beside the base table in ../i18n.js, one file per feature.
// Each part exports { "zh-CN": {...}, en: {...} }; a key may be defined by one part only.
import broadcast from "./broadcast.js";
import interpreting from "./interpreting.js";

export const PARTS = [interpreting, broadcast];
