// The parts of the dictionary kept beside the base table in ../i18n.js, one file per feature.
// Each part exports { "zh-CN": {...}, en: {...} }; a key may be defined by one part only.
import roomctl from "./roomctl.js";

export const PARTS = [roomctl];
