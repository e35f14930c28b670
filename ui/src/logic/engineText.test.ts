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
    // An app-level hint (none of the engine's) keeps its own words, whatever its kind.
    expect(errorHint({ kind: "io", message: "The library folder cannot be written.", hint: "Choose another folder." })).toBe("Choose another folder.");
  });
});
