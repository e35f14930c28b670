// How each hyperparameter is presented: its label, one line a statistician understands, and
// the kind of input. Defaults and validation come from the engine (app_info's default_recipe,
// the check_recipe command); nothing here decides what is valid.
import type { Recipe } from "../bindings/Recipe";

export type FieldKind =
  | { type: "integer"; min?: number }
  | { type: "number"; step?: number }
  | { type: "choice"; options: { value: string; label: string }[] }
  | { type: "toggle" };

export interface FieldInfo {
  key: keyof Recipe;
  label: string;
  explanation: string;
  kind: FieldKind;
  basic: boolean;
}

const strategies = [
  { value: "no", label: "never" },
  { value: "epoch", label: "after each pass (epoch)" },
  { value: "steps", label: "every N steps" },
];

export const RECIPE_FIELDS: FieldInfo[] = [
  {
    key: "epochs",
    label: "Passes over the data (epochs)",
    explanation: "How many times the model reads every training row. More passes fit the data more closely, but too many memorise it.",
    kind: { type: "integer", min: 1 },
    basic: true,
  },
  {
    key: "learning_rate",
    label: "Learning rate",
    explanation: "Size of each correction to the model. Too high and training diverges; too low and it learns slowly. 2e-5 to 5e-5 is usual.",
    kind: { type: "number", step: 1e-5 },
    basic: true,
  },
  {
    key: "train_batch_size",
    label: "Batch size",
    explanation: "Rows looked at together before each correction. Larger is steadier and faster on a GPU but needs more memory.",
    kind: { type: "integer", min: 1 },
    basic: true,
  },
  {
    key: "max_seq_len",
    label: "Maximum text length (tokens)",
    explanation: "Texts longer than this many word pieces (about 4 characters each) are cut. Shorter is faster.",
    kind: { type: "integer", min: 2 },
    basic: true,
  },
  {
    key: "gradient_accumulation_steps",
    label: "Batches per correction",
    explanation: "Averages several batches before each correction: a larger effective batch without more memory.",
    kind: { type: "integer", min: 1 },
    basic: false,
  },
  {
    key: "scheduler",
    label: "Learning-rate schedule",
    explanation: "How the learning rate changes during training: linear decay to zero is the usual choice.",
    kind: {
      type: "choice",
      options: [
        { value: "linear", label: "warm up, then decrease linearly" },
        { value: "cosine", label: "warm up, then decrease along a cosine" },
        { value: "constant_with_warmup", label: "warm up, then constant" },
        { value: "constant", label: "constant" },
      ],
    },
    basic: false,
  },
  {
    key: "warmup_ratio",
    label: "Warm-up share",
    explanation: "Share of the training during which the learning rate rises from zero, so that early corrections stay gentle.",
    kind: { type: "number", step: 0.01 },
    basic: false,
  },
  {
    key: "weight_decay",
    label: "Weight decay",
    explanation: "Pulls the model's weights towards zero a little at each step, like a ridge penalty, against over-fitting.",
    kind: { type: "number", step: 0.01 },
    basic: false,
  },
  {
    key: "max_grad_norm",
    label: "Gradient clipping",
    explanation: "Caps the size of a single correction (0 = no cap), so one odd batch cannot throw training off.",
    kind: { type: "number", step: 0.1 },
    basic: false,
  },
  {
    key: "eval_batch_size",
    label: "Evaluation batch size",
    explanation: "Rows scored together when measuring validation quality. Only speed and memory depend on it.",
    kind: { type: "integer", min: 1 },
    basic: false,
  },
  {
    key: "validation_fraction",
    label: "Held-out share",
    explanation: "Share of the rows set aside (per class) to measure quality, when no separate validation file is given.",
    kind: { type: "number", step: 0.01 },
    basic: false,
  },
  {
    key: "eval_strategy",
    label: "Measure validation quality",
    explanation: "When accuracy and F1 on the held-out rows are computed and drawn.",
    kind: { type: "choice", options: strategies },
    basic: false,
  },
  {
    key: "eval_steps",
    label: "Steps between measurements",
    explanation: "With \"every N steps\": how many corrections between two validation measurements.",
    kind: { type: "integer", min: 1 },
    basic: false,
  },
  {
    key: "logging_strategy",
    label: "Record the training loss",
    explanation: "When the training loss is written to the report (the live chart always updates).",
    kind: { type: "choice", options: strategies },
    basic: false,
  },
  {
    key: "logging_steps",
    label: "Steps between records",
    explanation: "With \"every N steps\": how many corrections between two recorded losses.",
    kind: { type: "integer", min: 1 },
    basic: false,
  },
  {
    key: "save_strategy",
    label: "Save checkpoints",
    explanation: "Keep a copy of the model after each pass, to go back to an earlier one.",
    kind: { type: "choice", options: strategies.filter((s) => s.value !== "steps") },
    basic: false,
  },
  {
    key: "group_by_length",
    label: "Group texts by length",
    explanation: "Puts texts of similar length in the same batch (still in random order): much less padding to compute, so training is faster, with the same quality.",
    kind: { type: "toggle" },
    basic: false,
  },
  {
    key: "load_best",
    label: "Keep the best pass",
    explanation: "At the end, keep the model of the pass with the best validation score (chosen below) instead of the last one. Needs a check after each pass.",
    kind: { type: "toggle" },
    basic: false,
  },
  {
    key: "metric_for_best_model",
    label: "Best means",
    explanation: "Which validation score decides the best pass when the best one is kept: the loss (lowest wins) is the usual choice.",
    kind: {
      type: "choice",
      options: [
        { value: "loss", label: "lowest validation loss" },
        { value: "accuracy", label: "highest accuracy" },
        { value: "macro_f1", label: "highest macro F1 (every label counts the same)" },
        { value: "macro_precision", label: "highest macro precision" },
        { value: "macro_recall", label: "highest macro recall" },
      ],
    },
    basic: false,
  },
  {
    key: "seed",
    label: "Random seed",
    explanation: "Fixes the shuffling and the initial weights of the new output layer: the same seed gives the same run.",
    kind: { type: "integer", min: 0 },
    basic: false,
  },
  {
    key: "device",
    label: "Hardware",
    explanation: "Where the computation runs. Automatic picks the fastest one available.",
    kind: {
      type: "choice",
      options: [
        { value: "auto", label: "automatic" },
        { value: "cpu", label: "processor (CPU)" },
        { value: "wgpu", label: "graphics card (Vulkan / Metal / DirectX)" },
        { value: "cuda", label: "NVIDIA graphics card (CUDA)" },
      ],
    },
    basic: false,
  },
];

/** The value shown as the default, in the words of the field's input. */
export function describeValue(field: FieldInfo, value: unknown): string {
  if (field.kind.type === "choice") {
    return field.kind.options.find((o) => o.value === value)?.label ?? String(value);
  }
  if (field.kind.type === "toggle") return value ? "on" : "off";
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
