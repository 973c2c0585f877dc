// The parts of the dictionary kept beside the base table in ../i18n.js, one file per feature.
// Each part exports { "zh-CN": {...}, en: {...} }; a key may be defined by one part only.
import addresses from "./addresses.js";
import bounds from "./bounds.js";
import broadcast from "./broadcast.js";
import delivery from "./delivery.js";
import dossier from "./dossier.js";
import dossierHearing from "./dossier-hearing.js";
import dossierFiling from "./dossier-filing.js";
import dossierMaterials from "./dossier-materials.js";
import dossierPublish from "./dossier-publish.js";
import dossierArchive from "./dossier-archive.js";
import dossierAudit from "./dossier-audit.js";
import dossierRegister from "./dossier-register.js";
import errors from "./errors.js";
import evidence from "./evidence.js";
import fees from "./fees.js";
import interpreting from "./interpreting.js";
import joinOtp from "./join-otp.js";
import ledger from "./ledger.js";
import origin from "./origin.js";
import portal from "./portal.js";
import recordContent from "./record-content.js";
import revocation from "./revocation.js";
import roomctl from "./roomctl.js";
import screen from "./screen.js";
import signLinks from "./sign-links.js";
import staff from "./staff.js";
import stages from "./stages.js";
import verifyRecordings from "./verify-recordings.js";

export const PARTS = [
  errors,
  joinOtp,
  staff,
  recordContent,
  stages,
  evidence,
  signLinks,
  verifyRecordings,
  roomctl,
  interpreting,
  broadcast,
  screen,
  origin,
  bounds,
  revocation,
  dossier,
  dossierHearing,
  dossierFiling,
  dossierMaterials,
  dossierPublish,
  dossierArchive,
  dossierRegister,
  dossierAudit,
  fees,
  delivery,
  portal,
  addresses,
  ledger,
];
