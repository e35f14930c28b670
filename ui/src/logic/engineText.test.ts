import { afterEach, describe, expect, it } from "vitest";
import { i18n } from "../i18n";
import { engineText, errorHint, errorMessage } from "./engineText";
import { toErrorReport } from "./errors";

afterEach(() => void i18n.changeLanguage("en"));

describe("the engine's words in the page's language", () => {
  it("says a remark with its plural and its numbers written the language's way", async () => {
    const remark = { id: "train.cut_texts", params: { count: 1347, tokens: 32 }, text: "1347 text(s) are longer…" };
    expect(engineText(remark)).toBe("1,347 texts are longer than the maximum length (32 tokens) and are cut there; raise the maximum length if their ends matter.");
    await i18n.changeLanguage("fr");
    expect(engineText(remark)).toBe("1\u202f347 textes dépassent la longueur maximale (32 jetons) et y sont coupés\u202f; augmentez la longueur maximale si leur fin compte.");
    expect(engineText({ ...remark, params: { count: 1, tokens: 32 } })).toMatch(/^1 texte dépasse/);
  });

  it("says words within words: a value that is a remark, or a list of them", async () => {
    const rows = (file: string, count: number) => ({ id: "compare.file_rows", params: { file, count }, text: `${file} (${count} rows)` });
    const same = { id: "compare.same_data", params: { measured_on: rows("test.csv", 1200) }, text: "All models…" };
    expect(engineText(same)).toBe("All models were measured on the same rows: test.csv (1,200 rows).");
    const apart = {
      id: "compare.different_data",
      params: {
        each: [
          { id: "compare.model_measured_on", params: { name: "A", measured_on: rows("a.csv", 1) }, text: "A: a.csv (1 rows)" },
          { id: "compare.model_measured_on", params: { name: "B", measured_on: { id: "compare.imported", params: {}, text: "nothing yet (imported)" } }, text: "B: …" },
        ],
      },
      text: "These models…",
    };
    await i18n.changeLanguage("fr");
    expect(engineText(same)).toBe("Tous les modèles ont été mesurés sur les mêmes lignes\u00a0: test.csv (1\u202f200 lignes).");
    expect(engineText(apart)).toMatch(/^Ces modèles ont été mesurés sur des données différentes \(A\u00a0: a\.csv \(1 ligne\)\u202f; B\u00a0: rien pour l'instant \(modèle importé\)\)/);
  });

  it("says an error and its hint in French, and keeps the engine's words where it has none", async () => {
    await i18n.changeLanguage("fr");
    const mismatch = {
      kind: "load",
      message: "The tensor \"w\" …",
      hint: "Choose another model folder, or download the model again from the model step.",
      hint_id: "hint.load",
      id: "load.shape_mismatch",
      params: { path: "/m/model.safetensors", name: "w", expected: "[2, 3]", found: "[3, 2]" },
    };
    expect(errorMessage(mismatch)).toBe(
      "Le tenseur «\u202fw\u202f» de «\u202f/m/model.safetensors\u202f» a la forme [3, 2], mais config.json décrit un modèle qui demande [2, 3]\u00a0: les poids et config.json ne vont pas ensemble.",
    );
    expect(errorHint(mismatch)).toBe("Choisissez un autre dossier de modèle, ou téléchargez à nouveau le modèle depuis l'étape du modèle.");
    const data = { kind: "data", message: "In \"a.csv\", line 3: this row has 3 fields…", hint: "Fix the file…", hint_id: "hint.data" };
    expect(errorMessage(data)).toBe(data.message);
    expect(errorHint(data)).toMatch(/^Corrigez le fichier dans votre tableur/);
    // A command's rejection keeps what the page needs to translate it.
    const rejected = toErrorReport({ kind: "load", message: "The model folder \"/m\" does not exist…", hint: "Choose…", hint_id: "hint.load", id: "load.not_a_folder", params: { path: "/m" } });
    expect(errorMessage(rejected)).toBe("Le dossier du modèle «\u202f/m\u202f» n'existe pas ou n'est pas un dossier.");
    expect(errorHint(rejected)).toMatch(/^Choisissez un autre dossier de modèle/);
    // A problem in a data file is said after the file and line it is in.
    const tooLong = {
      kind: "data",
      message: "In \"a.csv\", line 3: this row has 3 fields…",
      hint: "Fix the file…",
      hint_id: "hint.data",
      id: "data_error.too_many_fields",
      params: { path: "a.csv", line: 3, fields: 3, columns: 2 },
    };
    expect(errorMessage(tooLong)).toMatch(/^Dans «\u202fa\.csv\u202f», ligne 3\u00a0: cette ligne a 3 champs alors que l'en-tête compte 2 colonnes/);
    expect(errorMessage({ ...tooLong, params: { ...tooLong.params, line: null } })).toMatch(/^Dans «\u202fa\.csv\u202f»\u00a0: cette ligne/);
    // Decimals with the language's mark.
    const problem = { id: "recipe.validation_fraction", params: { value: 0.95 }, text: "validation_fraction must be above 0 and below 0.9, not 0.95." };
    expect(engineText(problem)).toMatch(/et non 0,95\.$/);
    // The shell's own refusals come with ids too, their hint's values beside the message's.
    const manager = {
      kind: "io",
      message: "Could not open a file manager (no opener).",
      hint: "The model is in /lib/m1",
      hint_id: "app.model_is_in",
      id: "app.no_file_manager",
      params: { detail: "no opener", folder: "/lib/m1" },
    };
    expect(errorMessage(manager)).toBe("Impossible d'ouvrir un gestionnaire de fichiers (no opener).");
    expect(errorHint(manager)).toBe("Le modèle se trouve dans /lib/m1");
    // An app-level hint (none of the engine's) keeps its own words, whatever its kind.
    expect(errorHint({ kind: "io", message: "The library folder cannot be written.", hint: "Choose another folder." })).toBe("Choose another folder.");
  });
});
