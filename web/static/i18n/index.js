// The parts of the dictionary kept beside the base table in ../i18n.js, one file per feature.
// Each part exports { "zh-CN": {...}, en: {...} }; a key may be defined by one part only.
import evidence from "./evidence.js";
import recordContent from "./record-content.js";
import screen from "./screen.js";
import stages from "./stages.js";

export const PARTS = [recordContent, stages, evidence, screen];
