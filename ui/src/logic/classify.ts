/** Where the prediction columns of a classified file are (the engine appends them last). */
export function scoreColumns(header: string[]): { label: number; predicted: number } {
  return { label: header.lastIndexOf("predicted_label"), predicted: header.lastIndexOf("score") };
}
