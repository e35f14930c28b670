//! The evaluation report as a terminal table: metrics, per-class scores, the confusion matrix
//! (up to 12 classes) and the first misclassified rows.

use bert_studio_engine::inference::EvaluationReport;
use indicatif::HumanCount;

pub fn print_evaluation(r: &EvaluationReport) {
    let m = &r.metrics;
    println!(
        "Evaluated {} of {} rows of {} ({} without text, {} without label skipped)",
        HumanCount(r.evaluated_rows as u64),
        HumanCount(r.rows_read as u64),
        r.input,
        r.skipped_empty_text,
        r.skipped_empty_label
    );
    for u in &r.unseen_labels {
        println!(
            "Note: the label \"{}\" ({} row{}) was not among the model's training labels; those rows count as errors.",
            u.label,
            u.rows,
            if u.rows == 1 { "" } else { "s" }
        );
    }
    println!();
    if let Some(ml) = &m.multi_label {
        println!(
            "  (multi-label: a label counts as predicted from a score of {})",
            ml.threshold
        );
        println!(
            "  subset accuracy   {:.4}  (every label of the row right)",
            m.accuracy
        );
        println!("  micro F1          {:.4}", ml.micro_f1);
        println!("  micro precision   {:.4}", ml.micro_precision);
        println!("  micro recall      {:.4}", ml.micro_recall);
        println!(
            "  Hamming loss      {:.4}  (share of wrong label decisions)",
            ml.hamming_loss
        );
    } else {
        println!("  accuracy          {:.4}", m.accuracy);
    }
    println!("  macro F1          {:.4}", m.macro_f1);
    println!("  macro precision   {:.4}", m.macro_precision);
    println!("  macro recall      {:.4}", m.macro_recall);
    println!("  top-1 accuracy    {:.4}", m.top1_accuracy);
    println!("  top-2 accuracy    {:.4}", m.top2_accuracy);
    if let Some(loss) = m.loss {
        println!("  loss              {loss:.4}");
    }
    println!();
    let width = m
        .per_class
        .iter()
        .map(|c| c.label.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 40);
    let names = &r.label_names;
    println!(
        "  {:<width$}  precision  recall     F1  support{}",
        "class",
        if names.is_empty() { "" } else { "  name" }
    );
    // Classes absent from both the file and the predictions have no row.
    for (i, c) in m.per_class.iter().enumerate() {
        let predicted: usize = m.confusion.iter().map(|row| row[i]).sum();
        if c.support == 0 && predicted == 0 && m.multi_label.is_none() {
            continue;
        }
        let label: String = c.label.chars().take(width).collect();
        let name = names.get(&c.label).map(String::as_str).unwrap_or("");
        let line = format!(
            "  {label:<width$}  {:>9.4}  {:>6.4}  {:>5.4}  {:>7}  {name}",
            c.precision, c.recall, c.f1, c.support
        );
        println!("{}", line.trim_end());
    }
    if m.confusion.is_empty() {
        // Multi-label: no confusion between labels; the per-label table says it all.
    } else if m.confusion.len() <= 12 {
        println!("\n  confusion matrix (rows: true label, columns: predicted)");
        let w = m
            .per_class
            .iter()
            .map(|c| c.label.chars().count())
            .max()
            .unwrap_or(1)
            .clamp(3, 12);
        let mut head = format!("  {:<w$}", "");
        for c in &m.per_class {
            head.push_str(&format!(
                " {:>w$}",
                c.label.chars().take(w).collect::<String>()
            ));
        }
        println!("{head}");
        for (c, row) in m.per_class.iter().zip(&m.confusion) {
            let mut line = format!("  {:<w$}", c.label.chars().take(w).collect::<String>());
            for n in row {
                line.push_str(&format!(" {n:>w$}"));
            }
            println!("{line}");
        }
    } else {
        println!(
            "\n  ({} classes: see the confusion matrix in the JSON report, --report)",
            m.confusion.len()
        );
    }
    let wrong = if m.multi_label.is_some() {
        "rows with a missed or an extra label"
    } else {
        "misclassified rows"
    };
    println!("\n  {} {wrong}", HumanCount(r.misclassified_total as u64));
    for row in r.misclassified.iter().take(10) {
        let text: String = row.text.chars().take(60).collect();
        if let (Some(missed), Some(extra)) = (&row.missed_labels, &row.extra_labels) {
            println!(
                "  line {:>6}: missed [{}] extra [{}]  | {}",
                row.line,
                missed.join(", "),
                extra.join(", "),
                text.replace('\n', " ")
            );
            continue;
        }
        let top: Vec<String> = row
            .predicted
            .iter()
            .map(|p| format!("{} {:.2}", p.label, p.score))
            .collect();
        println!(
            "  line {:>6}: true {} → {}  | {}",
            row.line,
            row.true_label,
            top.join(", "),
            text.replace('\n', " ")
        );
    }
}
