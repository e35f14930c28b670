// How each hyperparameter is presented: its label, one line a statistician understands (both
// in the catalogues, under settings.fields.<key>), and the kind of input. Defaults and
// validation come from the engine (app_info's default_recipe, the check_recipe command);
// nothing here decides what is valid.
import type { Recipe } from "../bindings/Recipe";
import { i18n } from "../i18n";

export type FieldKind =
  | { type: "integer"; min?: number }
  | { type: "number"; step?: number }
  | { type: "choice"; options: string[] }
  | { type: "toggle" };

export interface FieldInfo {
  key: keyof Recipe;
  kind: FieldKind;
  basic: boolean;
  /** Shown only for data of one label per row, or only for several labels per row. */
  only?: "single_label" | "multi_label";
}

/** The field's name, in the page's language. */
export const fieldLabel = (field: FieldInfo) => i18n.t(`settings.fields.${field.key}.label`);
/** One line on what the field does. */
export const fieldExplanation = (field: FieldInfo) => i18n.t(`settings.fields.${field.key}.explanation`);
/** A choice's value in words. */
export const choiceLabel = (value: string) => i18n.t(`settings.choices.${value}`);

const strategies = ["no", "epoch", "steps"];

export const RECIPE_FIELDS: FieldInfo[] = [
  { key: "epochs", kind: { type: "integer", min: 1 }, basic: true },
  { key: "learning_rate", kind: { type: "number", step: 1e-5 }, basic: true },
  { key: "train_batch_size", kind: { type: "integer", min: 1 }, basic: true },
  { key: "max_seq_len", kind: { type: "integer", min: 2 }, basic: true },
  { key: "gradient_accumulation_steps", kind: { type: "integer", min: 1 }, basic: false },
  { key: "scheduler", kind: { type: "choice", options: ["linear", "cosine", "constant_with_warmup", "constant"] }, basic: false },
  { key: "warmup_ratio", kind: { type: "number", step: 0.01 }, basic: false },
  { key: "weight_decay", kind: { type: "number", step: 0.01 }, basic: false },
  { key: "max_grad_norm", kind: { type: "number", step: 0.1 }, basic: false },
  { key: "eval_batch_size", kind: { type: "integer", min: 1 }, basic: false },
  { key: "validation_fraction", kind: { type: "number", step: 0.01 }, basic: false },
  { key: "eval_strategy", kind: { type: "choice", options: strategies }, basic: false },
  { key: "eval_steps", kind: { type: "integer", min: 1 }, basic: false },
  { key: "logging_strategy", kind: { type: "choice", options: strategies }, basic: false },
  { key: "logging_steps", kind: { type: "integer", min: 1 }, basic: false },
  { key: "save_strategy", kind: { type: "choice", options: strategies.filter((s) => s !== "steps") }, basic: false },
  { key: "group_by_length", kind: { type: "toggle" }, basic: false },
  { key: "class_weights", kind: { type: "choice", options: ["none", "balanced"] }, basic: false, only: "single_label" },
  { key: "decision_threshold", kind: { type: "number", step: 0.05 }, basic: false, only: "multi_label" },
  { key: "load_best", kind: { type: "toggle" }, basic: false },
  { key: "metric_for_best_model", kind: { type: "choice", options: ["loss", "accuracy", "macro_f1", "macro_precision", "macro_recall"] }, basic: false },
  { key: "early_stopping_patience", kind: { type: "integer", min: 0 }, basic: false },
  { key: "early_stopping_threshold", kind: { type: "number", step: 0.001 }, basic: false },
  { key: "seed", kind: { type: "integer", min: 0 }, basic: false },
  { key: "device", kind: { type: "choice", options: ["auto", "cpu", "wgpu", "cuda"] }, basic: false },
];

/** Whether the recipe's rows may carry several labels each. */
export const isMultiLabel = (recipe: Recipe) => recipe.label_separator !== null || recipe.label_columns.length > 0;

/** The fields that apply to the recipe's kind of data. */
export function fieldsFor(recipe: Recipe): FieldInfo[] {
  const kind = isMultiLabel(recipe) ? "multi_label" : "single_label";
  return RECIPE_FIELDS.filter((f) => !f.only || f.only === kind);
}

/** The value shown as the default, in the words of the field's input. */
export function describeValue(field: FieldInfo, value: unknown): string {
  if (field.kind.type === "choice") {
    if (typeof value === "object" && value !== null && "file" in value) return String(value.file); // a recipe's weights file
    return field.kind.options.includes(String(value)) ? choiceLabel(String(value)) : String(value);
  }
  if (field.kind.type === "toggle") return i18n.t(value ? "settings.on" : "settings.off");
  return typeof value === "number" ? numberText(value) : String(value);
}

/** A number as it is typed in a field: small values in the notation people use (5e-5). */
export function numberText(value: number): string {
  if (value !== 0 && Math.abs(value) < 1e-3) {
    return value.toExponential().replace(/\.?0+e/, "e");
  }
  return String(value);
}

/** Parses what was typed; `null` when it is not a number at all (the form says so). */
export function parseFieldInput(field: FieldInfo, text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return null;
  if (field.kind.type === "integer" && !Number.isInteger(value)) return null;
  return value;
}
