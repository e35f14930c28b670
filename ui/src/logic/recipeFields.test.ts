import { describe, expect, it } from "vitest";
import { i18n } from "../i18n";
import { defaultRecipe } from "../testFixtures";
import { RECIPE_FIELDS, describeValue, fieldExplanation, fieldsFor, numberText, parseFieldInput } from "./recipeFields";

const field = (key: string) => RECIPE_FIELDS.find((f) => f.key === key)!;

describe("recipe fields", () => {
  it("explains every field once, with the notebook's four basics", () => {
    const keys = RECIPE_FIELDS.map((f) => f.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(RECIPE_FIELDS.filter((f) => f.basic).map((f) => f.key)).toEqual([
      "epochs",
      "learning_rate",
      "train_batch_size",
      "max_seq_len",
    ]);
    // One line each, in both languages (French runs about a fifth longer).
    for (const [language, limit] of [["fr", 200], ["en", 160]] as const) {
      void i18n.changeLanguage(language);
      for (const f of RECIPE_FIELDS) {
        expect(fieldExplanation(f).length, `${language}:${f.key}`).toBeGreaterThan(30);
        expect(fieldExplanation(f).length, `${language}:${f.key}`).toBeLessThan(limit);
      }
    }
  });

  it("shows defaults the way people write them", () => {
    expect(describeValue(field("learning_rate"), 5e-5)).toBe("5e-5");
    expect(describeValue(field("warmup_ratio"), 0.1)).toBe("0.1");
    expect(describeValue(field("scheduler"), "linear")).toBe("warm up, then decrease linearly");
    expect(describeValue(field("load_best"), false)).toBe("off");
    void i18n.changeLanguage("fr");
    expect(describeValue(field("scheduler"), "linear")).toBe("montée, puis décroissance linéaire");
    void i18n.changeLanguage("en");
    // GPU-only settings are not offered in the app (most of its users train on the CPU, which
    // refuses half precision); the CLI and recipe files carry them.
    for (const key of ["fp16", "bf16", "precision"]) {
      expect(RECIPE_FIELDS.some((f) => f.key === key)).toBe(false);
    }
    expect(numberText(2.5e-5)).toBe("2.5e-5");
    expect(numberText(0.01)).toBe("0.01");
  });

  it("refuses what is not a number, and fractions where a count is needed", () => {
    expect(parseFieldInput(field("learning_rate"), "3e-5")).toBe(3e-5);
    expect(parseFieldInput(field("learning_rate"), "abc")).toBeNull();
    expect(parseFieldInput(field("epochs"), "2.5")).toBeNull();
    expect(parseFieldInput(field("epochs"), " 3 ")).toBe(3);
    expect(parseFieldInput(field("epochs"), "")).toBeNull();
  });
});

describe("the fields of a recipe's kind of data", () => {
  it("offers class weights for one label per row and the decision threshold for several", () => {
    const keys = (r: typeof defaultRecipe) => fieldsFor(r).map((f) => f.key);
    expect(keys(defaultRecipe)).toContain("class_weights");
    expect(keys(defaultRecipe)).not.toContain("decision_threshold");
    for (const multi of [{ ...defaultRecipe, label_separator: "|" }, { ...defaultRecipe, label_columns: ["a", "b"] }]) {
      expect(keys(multi)).toContain("decision_threshold");
      expect(keys(multi)).not.toContain("class_weights");
    }
  });
});
