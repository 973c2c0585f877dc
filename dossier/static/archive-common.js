// What the archive's pages share (a case's archive page, the court's archive page): the fixity
// check's problems as people read them, a borrowing request's words, who asked by role and name.
import { fill } from "/common.js";
import { roleLabel, t } from "/i18n.js";

// A problem the server found in a package (dossier/archive/package.py fixity_problems), as
// people read it: the file (its path in the package) and what is wrong with it.
const FIXITY_PROBLEMS = [
  [/^(\w+) differs$/, "archive_fixity_changed"],
  [/^file missing$/, "archive_fixity_missing"],
  [/^unexpected file$/, "archive_fixity_unexpected"],
  [/^package missing$/, "archive_fixity_no_package"],
];

function problemText(path, key, algorithms, problem) {
  const what = key ? fill(t(key), { algorithm: algorithms.join("、") })
    : fill(t("archive_fixity_other"), { problem });
  return path ? `${path}：${what}` : what;
}

// One line per file and kind of problem (a changed file differs in each manifest's digest).
export function problemLines(problems) {
  const lines = new Map();
  for (const p of problems) {
    const known = FIXITY_PROBLEMS.find(([pattern]) => pattern.test(p.problem));
    const key = known ? known[1] : null;
    const id = `${p.path}\u0000${key || p.problem}`;
    if (!lines.has(id)) lines.set(id, { path: p.path, key, algorithms: [], problem: p.problem });
    const algorithm = known && p.problem.match(known[0])[1];
    if (algorithm) lines.get(id).algorithms.push(algorithm);
  }
  return [...lines.values()].map((l) => problemText(l.path, l.key, l.algorithms, l.problem));
}

// The borrower as people are named on these pages: role and name (审判员 孙强).
export function borrowerName(b) {
  return b.user_role ? `${roleLabel(b.user_role)} ${b.user_name}` : b.user_name;
}
